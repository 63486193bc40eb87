import type { AuditEntry, AuditLog, AuditQuery, AuditRecord, RecentQuery, VerifyResult } from './audit-log';
import { buildRow, genesisHash, isoNow, recordFromRow, validateEntry, type AuditRow } from './audit-record';
import { entityFromRow } from './audit-table';
import { ChainChecker } from './chain-checker';
import { resolveRange } from './date-range';

/**
 * In-memory twin of TableAuditLog for unit tests of other modules: same validation, same rows,
 * same hashes, same verifier checks; nothing persists.
 */
export class MemoryAuditLog implements AuditLog {
  private readonly stored: AuditRow[] = [];
  private readonly now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const valid = validateEntry(entry);
    const last = this.stored.at(-1);
    const row = buildRow(valid, {
      seq: (last?.seq ?? 0) + 1,
      at: isoNow(this.now(), last?.at),
      prevHash: last?.hash ?? genesisHash,
    });
    this.stored.push(row);
    return recordFromRow(row);
  }

  async query(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const range = resolveRange(query);
    const matches = this.stored.filter(
      (r) =>
        (!range.from || r.at >= range.from) &&
        (!range.toExclusive || r.at < range.toExclusive) &&
        (!query.action || r.action === query.action) &&
        (!query.target || r.target === query.target) &&
        (!query.correlationId || r.correlationId === query.correlationId),
    );
    return matches.slice(0, query.limit ?? matches.length).map(recordFromRow);
  }

  async findRecent(query: RecentQuery): Promise<AuditRecord | undefined> {
    for (let i = this.stored.length - 1; i >= 0 && this.stored[i]!.at >= query.since; i -= 1) {
      const row = this.stored[i]!;
      if (row.action !== query.action || row.correlationId !== query.correlationId) continue;
      const record = recordFromRow(row);
      if (!query.match || query.match(record)) return record;
    }
    return undefined;
  }

  /** Every record so far, in chain order (for assertions). */
  get records(): AuditRecord[] {
    return this.stored.map(recordFromRow);
  }

  /** The stored rows themselves; tests may alter them to exercise verify(). */
  get rows(): AuditRow[] {
    return this.stored;
  }

  verify(): VerifyResult {
    const checker = new ChainChecker({ seq: 1, prevHash: genesisHash });
    for (const row of this.stored) {
      const { rowKey, ...properties } = entityFromRow(row);
      const failure = checker.check(rowKey, properties);
      if (failure) return failure;
    }
    return checker.ok();
  }
}
