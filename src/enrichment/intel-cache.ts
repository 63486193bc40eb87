import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { EnrichmentConfig } from '../config/enrichment-schema';
import { parseIsoDuration } from '../playbooks/duration';
import { asEntityTable, type EntityTable, type StoredEntity } from '../storage/entity-table';
import type { Indicator, IntelSource, IntelVerdict } from '../triage/types';
import { indicatorKey } from './indicators';
import type { LookupResult } from './intel-source';
import { LruMap } from '../cache/lru-map';

/**
 * Answers of the intel sources, kept for a time that depends on the verdict (`enrichment.cache`):
 * the same indicator asked again within it costs no lookup — across restarts and instances, since
 * the answers live in Table Storage (table ArgusIntelCache), with a small in-memory LRU in front.
 * Only answers are kept: `skipped` and `unavailable` never are, so a failed or forbidden lookup is
 * never remembered as a verdict. The TTL counts from the answer's fetchedAt and is read from the
 * configuration when the answer is read, so a changed TTL applies to answers already kept.
 */

type Cacheable = Extract<IntelVerdict, 'malicious' | 'suspicious' | 'clean' | 'unknown'>;
/** Milliseconds an answer is trusted, per verdict; 0 keeps nothing. */
export type CacheTtls = Record<Cacheable, number>;

/** The TTLs of `enrichment.cache`; a suspicious answer, which may still move, is re-checked as soon as a clean one. */
export function cacheTtls(cache: EnrichmentConfig['cache']): CacheTtls {
  const ms = (text: string) => parseIsoDuration(text) ?? 0;
  return { malicious: ms(cache.malicious), suspicious: ms(cache.clean), clean: ms(cache.clean), unknown: ms(cache.unknown) };
}

export interface IntelCache {
  /** The source's kept answer for the indicator while its TTL lasts, marked `cached`; undefined otherwise. */
  get(source: IntelSource, indicator: Indicator): Promise<LookupResult | undefined>;
  /** Keeps an answer for its verdict's TTL; false when it is not kept (skipped, unavailable, a TTL of 0). */
  put(indicator: Indicator, result: LookupResult): Promise<boolean>;
}

export interface IntelCacheOptions {
  ttl: CacheTtls;
  /** Answers held in memory (least recently used go first); default 1000. */
  memoryEntries?: number;
  now?: () => number;
}

const rowKeyOf = (indicator: Indicator) => `${indicator.type}-${createHash('sha256').update(indicator.value).digest('hex')}`;

/** An answer as kept: what the source said, without how this one call went (quota, retry hints). */
function kept(result: LookupResult): LookupResult {
  const { source, verdict, detail, reason, fetchedAt } = result;
  return { source, verdict, fetchedAt, ...(detail ? { detail } : {}), ...(reason ? { reason } : {}) } as LookupResult;
}

export class TableIntelCache implements IntelCache {
  private readonly table: EntityTable;
  private readonly memory: LruMap<string, LookupResult>;
  private readonly now: () => number;

  constructor(
    table: TableClient | EntityTable,
    private readonly options: IntelCacheOptions,
  ) {
    this.table = asEntityTable(table);
    this.memory = new LruMap(options.memoryEntries ?? 1000);
    this.now = options.now ?? Date.now;
  }

  async get(source: IntelSource, indicator: Indicator): Promise<LookupResult | undefined> {
    const key = `${source}|${indicatorKey(indicator)}`;
    const now = this.now();
    const held = this.memory.get(key);
    if (held && this.fresh(held, now)) return { ...held, cached: true };
    if (held) this.memory.delete(key);
    const row = await this.table.get(source, rowKeyOf(indicator));
    const stored = row && this.fromEntity(row, source, indicator);
    if (!stored || !this.fresh(stored, now)) return undefined;
    this.memory.set(key, stored);
    return { ...stored, cached: true };
  }

  async put(indicator: Indicator, result: LookupResult): Promise<boolean> {
    if (!this.ttlOf(result.verdict)) return false;
    const answer = kept(result);
    await this.table.upsert(
      {
        partitionKey: answer.source,
        rowKey: rowKeyOf(indicator),
        type: indicator.type,
        value: indicator.value,
        verdict: answer.verdict,
        fetchedAt: answer.fetchedAt,
        ...(answer.detail ? { detail: JSON.stringify(answer.detail) } : {}),
        ...(answer.reason ? { reason: answer.reason } : {}),
      },
      'replace',
    );
    this.memory.set(`${answer.source}|${indicatorKey(indicator)}`, answer);
    return true;
  }

  private ttlOf(verdict: IntelVerdict): number {
    return verdict in this.options.ttl ? this.options.ttl[verdict as Cacheable] : 0;
  }

  private fresh(result: LookupResult, now: number): boolean {
    return Date.parse(result.fetchedAt) + this.ttlOf(result.verdict) > now;
  }

  private fromEntity(e: StoredEntity, source: IntelSource, indicator: Indicator): LookupResult | undefined {
    // The row key is a hash of the value: a row for another value (a collision) is no answer.
    if (e.type !== indicator.type || e.value !== indicator.value || typeof e.verdict !== 'string' || typeof e.fetchedAt !== 'string') return undefined;
    let detail: unknown;
    try {
      detail = typeof e.detail === 'string' ? JSON.parse(e.detail) : undefined;
    } catch {
      return undefined;
    }
    const reason = typeof e.reason === 'string' ? e.reason : undefined;
    return { source, verdict: e.verdict, fetchedAt: e.fetchedAt, ...(detail ? { detail } : {}), ...(reason ? { reason } : {}) } as LookupResult;
  }
}
