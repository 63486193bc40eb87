import type { TableClient } from '@azure/data-tables';
import type { Logger } from '../logging/logger';
import { asEntityTable, saveEntity, type EntityTable } from '../storage/entity-table';
import type { TeamsDelivery } from '../teams/teams-delivery';
import { digestView, renderTriageDigestCard } from './digest-card';
import type { TriageStore } from './triage-store';

/**
 * The daily digest: once per UTC day, the alerts auto-closed the day before go to
 * `triage.conversationId` as one card. Every instance checks; one posts. A ledger row per day in
 * ArgusAlerts (PartitionKey `digest`, RowKey the day) is taken with its etag before posting, held
 * for a lease, and marked `sent` afterwards, so a day is never posted twice, across restarts and
 * instances. A failed post is tried again with backoff (1 min, doubling, at most 30 min). Only the
 * day before is posted: after a longer outage earlier days are not sent late.
 */

const dayMs = 86_400_000;
const partition = 'digest';
/** How long a taken day is left to the instance posting it. */
const leaseMs = 5 * 60_000;

export interface DigestRow {
  day: string;
  state: 'posting' | 'sent';
  /** Until then nobody else takes the day (lease, or backoff after a failure). */
  until: string;
  attempts: number;
  etag: string;
}

export interface DigestLedger {
  get(day: string): Promise<DigestRow | undefined>;
  /** Takes the day (creating its row, or over `previous` with its etag): the new etag, or undefined when another instance got it. */
  claim(day: string, previous: DigestRow | undefined, fields: { owner: string; until: string; attempts: number }): Promise<string | undefined>;
  /** Marks the day sent. */
  sent(day: string, etag: string, fields: { activityId: string; total: number; sentAt: string }): Promise<void>;
  /** Leaves the day for a later try. */
  postpone(day: string, etag: string, fields: { until: string; attempts: number; lastError: string }): Promise<void>;
}

export class TableDigestLedger implements DigestLedger {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async get(day: string): Promise<DigestRow | undefined> {
    const row = await this.table.get(partition, day);
    if (!row) return undefined;
    const state = row.state === 'sent' ? 'sent' : 'posting';
    return { day, state, until: typeof row.until === 'string' ? row.until : '', attempts: typeof row.attempts === 'number' ? row.attempts : 0, etag: row.etag };
  }

  claim(day: string, previous: DigestRow | undefined, fields: { owner: string; until: string; attempts: number }): Promise<string | undefined> {
    return saveEntity(this.table, { partitionKey: partition, rowKey: day, state: 'posting', ...fields }, previous?.etag);
  }

  async sent(day: string, etag: string, fields: { activityId: string; total: number; sentAt: string }): Promise<void> {
    await this.table.update({ partitionKey: partition, rowKey: day, state: 'sent', until: '', ...fields }, { mode: 'merge', etag });
  }

  async postpone(day: string, etag: string, fields: { until: string; attempts: number; lastError: string }): Promise<void> {
    await this.table.update({ partitionKey: partition, rowKey: day, ...fields, lastError: fields.lastError.slice(0, 500) }, { mode: 'merge', etag });
  }
}

/** The UTC day before the one `now` falls in, YYYY-MM-DD. */
export function previousUtcDay(now: Date): string {
  return new Date(Math.floor(now.getTime() / dayMs) * dayMs - dayMs).toISOString().slice(0, 10);
}

/** The wait after `attempts` failed posts. */
export function digestRetryDelayMs(attempts: number): number {
  return Math.min(30 * 60_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}

export interface DailyDigestDeps {
  store: Pick<TriageStore, 'list'>;
  ledger: DigestLedger;
  delivery: Pick<TeamsDelivery, 'post'>;
  conversationId: string;
  /** Names this instance in the ledger row. */
  instance: string;
  log: Logger;
  now: () => Date;
}

export type DigestTick = 'sent' | 'already-sent' | 'taken' | 'failed';

export function createDailyDigest(deps: DailyDigestDeps): { tick(): Promise<DigestTick> } {
  let sentDay: string | undefined;
  return {
    async tick() {
      const now = deps.now();
      const day = previousUtcDay(now);
      if (sentDay === day) return 'already-sent';
      const row = await deps.ledger.get(day);
      if (row?.state === 'sent') {
        sentDay = day;
        return 'already-sent';
      }
      if (row && row.until > now.toISOString()) return 'taken';
      const attempts = (row?.attempts ?? 0) + 1;
      const etag = await deps.ledger.claim(day, row, { owner: deps.instance, until: new Date(now.getTime() + leaseMs).toISOString(), attempts });
      if (!etag) return 'taken';
      let activityId: string;
      let total: number;
      try {
        const start = `${day}T00:00:00.000Z`;
        const end = new Date(Date.parse(start) + dayMs).toISOString();
        const view = digestView(day, await deps.store.list({ decision: 'auto-close', decidedFrom: start, decidedBefore: end }));
        total = view.total;
        activityId = await deps.delivery.post(deps.conversationId, { card: renderTriageDigestCard(view), summary: `Triage digest for ${day}: ${total} alert(s) auto-closed` });
      } catch (err) {
        const lastError = err instanceof Error ? err.message : String(err);
        const until = new Date(now.getTime() + digestRetryDelayMs(attempts)).toISOString();
        await deps.ledger.postpone(day, etag, { until, attempts, lastError });
        deps.log.warn({ day, attempts, until, err: lastError }, 'posting the daily triage digest failed; will try again');
        return 'failed';
      }
      // Posted: this instance never posts the day again, even if recording it fails.
      sentDay = day;
      await deps.ledger.sent(day, etag, { activityId, total, sentAt: deps.now().toISOString() });
      deps.log.info({ day, total, conversationId: deps.conversationId }, 'daily triage digest posted');
      return 'sent';
    },
  };
}
