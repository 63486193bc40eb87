import type { TableClient } from '@azure/data-tables';
import type { EnrichmentConfig } from '../config/enrichment-schema';
import { asEntityTable, saveEntity, type BatchAction, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { intelSources, type IntelSource } from '../triage/types';

/**
 * How many lookups each intel source still allows (`enrichment.<source>.quota`): per minute (the
 * clock minute, UTC) and per day (from 00:00 UTC). The counts live in Table Storage (table
 * ArgusIntelQuota), so every instance draws on one quota: a partition per source holds a row per
 * window kind (`minute`, `day`) with the window it counts and its count, both raised in one
 * etag-guarded transaction — two instances taking the last lookup at once cannot both get it.
 * A row `state` holds what the source said about us: throttled until a time (after a 429 with
 * Retry-After), or unavailable (after a 401/403) until a lookup succeeds again.
 */

export interface QuotaLimits {
  perMinute?: number;
  perDay: number;
}

export type SourceLimits = Partial<Record<IntelSource, QuotaLimits>>;

/** The quotas of the configured sources. */
export function quotaLimits(enrichment: EnrichmentConfig | undefined): SourceLimits {
  const limits: SourceLimits = {};
  for (const source of intelSources) {
    const quota = enrichment?.[source]?.quota;
    if (quota) limits[source] = quota;
  }
  return limits;
}

/** A lookup may be made now, or must wait until `waitUntil` (the next minute, the next day, or the end of a throttle). */
export type QuotaGrant =
  | {
      granted: true;
      /** Lookups left in each window after this one. */
      remaining: Partial<Record<'minute' | 'day', number>>;
      /** The source is marked unavailable: a success should clear it. */
      unavailable?: string;
    }
  | { granted: false; waitUntil: Date; why: 'minute' | 'day' | 'throttled' };

export interface QuotaStatus {
  source: IntelSource;
  perMinute?: { limit: number; remaining: number };
  perDay: { limit: number; remaining: number; resetsAt: string };
  /** ISO time a 429 asked us to wait until, while it lies ahead. */
  throttledUntil?: string;
  /** Why the source refused us (401/403), until a lookup succeeds again. */
  unavailable?: { reason: string; since: string };
}

export interface IntelQuota {
  /** Counts one lookup against the source's minute and day, or says until when it must wait. */
  take(source: IntelSource, now?: Date): Promise<QuotaGrant>;
  /** The source answered 429: no lookup until retryAfterMs from now (a longer throttle already set stays). */
  throttled(source: IntelSource, retryAfterMs: number, now?: Date): Promise<void>;
  /** The source refused our credentials: shown by status() until available() is called. */
  unavailable(source: IntelSource, reason: string, now?: Date): Promise<void>;
  /** A lookup succeeded: the source is no longer marked unavailable. */
  available(source: IntelSource): Promise<void>;
  status(now?: Date): Promise<QuotaStatus[]>;
}

const minuteMs = 60_000;
const dayMs = 86_400_000;
type WindowKind = 'minute' | 'day';
const windows: Record<WindowKind, { id: (at: Date) => string; next: (at: Date) => Date }> = {
  minute: { id: (at) => at.toISOString().slice(0, 16), next: (at) => new Date((Math.floor(at.getTime() / minuteMs) + 1) * minuteMs) },
  day: { id: (at) => at.toISOString().slice(0, 10), next: (at) => new Date((Math.floor(at.getTime() / dayMs) + 1) * dayMs) },
};

/** Concurrent takers retry a transaction that lost the race this many times before giving up for now. */
const maxAttempts = 20;

interface SourceRows {
  minute?: StoredEntity;
  day?: StoredEntity;
  state?: StoredEntity;
}

/** Lookups counted in the window `at` falls in (a row for an earlier window counts nothing). */
function used(row: StoredEntity | undefined, kind: WindowKind, at: Date): number {
  return row && row.window === windows[kind].id(at) && typeof row.count === 'number' ? row.count : 0;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export interface TableIntelQuotaOptions {
  limits: SourceLimits;
  now?: () => Date;
}

export class TableIntelQuota implements IntelQuota {
  private readonly table: EntityTable;
  private readonly clock: () => Date;

  constructor(
    table: TableClient | EntityTable,
    private readonly options: TableIntelQuotaOptions,
  ) {
    this.table = asEntityTable(table);
    this.clock = options.now ?? (() => new Date());
  }

  async take(source: IntelSource, now = this.clock()): Promise<QuotaGrant> {
    const limits = this.limitsOf(source);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const rows = await this.rows(source);
      const throttledUntil = text(rows.state?.throttledUntil);
      if (throttledUntil && Date.parse(throttledUntil) > now.getTime()) return { granted: false, waitUntil: new Date(throttledUntil), why: 'throttled' };
      const kinds: Array<[WindowKind, number]> = [['day', limits.perDay], ...(limits.perMinute ? [['minute', limits.perMinute] as [WindowKind, number]] : [])];
      const full = kinds.find(([kind, limit]) => used(rows[kind], kind, now) >= limit);
      if (full) return { granted: false, waitUntil: windows[full[0]].next(now), why: full[0] };
      const remaining: Partial<Record<WindowKind, number>> = {};
      const actions = kinds.map(([kind, limit]): BatchAction => {
        const entity = { partitionKey: source, rowKey: kind, window: windows[kind].id(now), count: used(rows[kind], kind, now) + 1 };
        remaining[kind] = limit - entity.count;
        const row = rows[kind];
        return row ? { op: 'update', entity, mode: 'replace', etag: row.etag } : { op: 'create', entity };
      });
      const result = await this.table.submit(actions);
      if (result.ok) {
        const unavailable = text(rows.state?.unavailableReason);
        return { granted: true, remaining, ...(unavailable ? { unavailable } : {}) };
      }
    }
    // Every attempt lost a race to other takers: the quota is in heavy use, so try again shortly.
    return { granted: false, waitUntil: new Date(now.getTime() + 1000), why: limits.perMinute ? 'minute' : 'day' };
  }

  async throttled(source: IntelSource, retryAfterMs: number, now = this.clock()): Promise<void> {
    const until = new Date(now.getTime() + Math.max(0, retryAfterMs)).toISOString();
    await this.changeState(source, (state) => {
      const current = text(state.throttledUntil);
      return current && current >= until ? undefined : { ...state, throttledUntil: until };
    });
  }

  async unavailable(source: IntelSource, reason: string, now = this.clock()): Promise<void> {
    await this.changeState(source, (state) =>
      state.unavailableReason === reason ? undefined : { ...state, unavailableReason: reason.slice(0, 1000), unavailableSince: text(state.unavailableSince) ?? now.toISOString() },
    );
  }

  async available(source: IntelSource): Promise<void> {
    await this.changeState(source, (state) => {
      if (state.unavailableReason === undefined) return undefined;
      const { unavailableReason: _reason, unavailableSince: _since, ...rest } = state;
      return rest;
    });
  }

  async status(now = this.clock()): Promise<QuotaStatus[]> {
    const out: QuotaStatus[] = [];
    for (const source of intelSources) {
      const limits = this.options.limits[source];
      if (!limits) continue;
      const rows = await this.rows(source);
      const remaining = (kind: WindowKind, limit: number) => Math.max(0, limit - used(rows[kind], kind, now));
      const throttledUntil = text(rows.state?.throttledUntil);
      const reason = text(rows.state?.unavailableReason);
      out.push({
        source,
        ...(limits.perMinute ? { perMinute: { limit: limits.perMinute, remaining: remaining('minute', limits.perMinute) } } : {}),
        perDay: { limit: limits.perDay, remaining: remaining('day', limits.perDay), resetsAt: windows.day.next(now).toISOString() },
        ...(throttledUntil && Date.parse(throttledUntil) > now.getTime() ? { throttledUntil } : {}),
        ...(reason ? { unavailable: { reason, since: text(rows.state?.unavailableSince) ?? '' } } : {}),
      });
    }
    return out;
  }

  private limitsOf(source: IntelSource): QuotaLimits {
    const limits = this.options.limits[source];
    if (!limits) throw new RangeError(`no quota is configured for ${source}`);
    return limits;
  }

  private async rows(source: IntelSource): Promise<SourceRows> {
    const rows: SourceRows = {};
    for (const row of await this.table.list({ partitionKey: source })) {
      if (row.rowKey === 'minute' || row.rowKey === 'day' || row.rowKey === 'state') rows[row.rowKey] = row;
    }
    return rows;
  }

  /** Rewrites the source's state row with what `change` makes of it (undefined: nothing to change), guarded by its etag. */
  private async changeState(source: IntelSource, change: (state: Record<string, unknown>) => Record<string, unknown> | undefined): Promise<void> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const row = await this.table.get(source, 'state');
      const { partitionKey: _pk, rowKey: _rk, etag: _etag, timestamp: _ts, ...state } = row ?? { partitionKey: source, rowKey: 'state', etag: '' };
      const next = change(state);
      if (!next) return;
      if (await saveEntity(this.table, { ...next, partitionKey: source, rowKey: 'state' }, row?.etag)) return;
    }
  }
}
