import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { and, asEntityTable, eq, ge, lt, type BatchAction, type Condition, type Entity, type EntityQuery, type EntityTable } from '../storage/entity-table';
import { tableNames, type TableStore } from '../storage/table-store';
import type { AuditEntry, AuditLog, AuditQuery, AuditRecord, RecentQuery } from './audit-log';
import { buildRow, genesisHash, isoNow, recordFromRow, validateEntry, type AuditRow } from './audit-record';
import {
  allChainPartitions,
  defaultSegmentRows,
  entityFromRow,
  headEntity,
  headFromEntity,
  headRowKey,
  rowFromEntity,
  rowKeyOf,
  segmentOf,
  segmentPartition,
  type ChainHead,
} from './audit-table';
import { findChainHead, segmentHeadEntity } from './chain-head';
import { resolveRange } from './date-range';

export interface TableAuditLogOptions {
  client: TableClient | EntityTable;
  logger?: Logger;
  now?: () => Date;
  /** Attempts per append when other writers keep winning the head; default 100. */
  maxAttempts?: number;
  /** Rows per segment (partition) of the chain; every writer of one table must use the same. */
  segmentRows?: number;
}

/**
 * The audit trail in Table Storage (ARCHITECTURE §3 "Audit"; layout in audit-table.ts). Every
 * append inserts row seq+1 and moves its segment's head row in one entity-group transaction
 * conditioned on the head's etag (or creating the head, for the first row of a segment), so of
 * several writers (processes or instances) exactly one wins each seq; the losers find a row
 * exists (or the head created meanwhile) or the head moved, re-read the head and try again. The
 * chain cannot fork.
 */
const maxGroup = 99;
const maxGroupBytes = 2 * 1024 * 1024;

export class TableAuditLog implements AuditLog {
  private readonly table: EntityTable;
  private readonly log?: Logger;
  private readonly now: () => Date;
  private readonly maxAttempts: number;
  private readonly segmentRows: number;
  // Appends from this process are committed in groups (one transaction of up to 99 rows and the
  // head): under load that is one round trip for many rows instead of two per row.
  private readonly waiting: Array<{ entry: AuditEntry; resolve: (r: AuditRecord) => void; reject: (e: unknown) => void }> = [];
  private flushing = false;
  // The head this process wrote last (with its etag): saves re-reading it before the next group.
  private knownHead?: ChainHead;
  // The last segment found to have a head: where the next search for the head starts.
  private lastSegment = 0;
  private readonly committed: Array<(head: { seq: number; hash: string; at: string }) => void> = [];

  constructor(options: TableAuditLogOptions) {
    this.table = asEntityTable(options.client);
    this.log = options.logger?.child({ component: 'audit' });
    this.now = options.now ?? (() => new Date());
    this.maxAttempts = options.maxAttempts ?? 100;
    this.segmentRows = options.segmentRows ?? defaultSegmentRows;
  }

  /** Creates table ArgusAudit if needed and returns the log over it. */
  static async open(store: TableStore, options: Omit<TableAuditLogOptions, 'client'> = {}): Promise<TableAuditLog> {
    await store.ensureTable(tableNames.audit);
    return new TableAuditLog({ ...options, client: store.client(tableNames.audit) });
  }

  /** Tells `listener` the chain head after each commit of this process (the checkpointer counts rows with it). */
  onCommitted(listener: (head: { seq: number; hash: string; at: string }) => void): void {
    this.committed.push(listener);
  }

  // async: a bad entry rejects (never throws synchronously); valid entries are queued in call
  // order and committed by the flush loop.
  async append(entry: AuditEntry): Promise<AuditRecord> {
    const valid = validateEntry(entry);
    return new Promise<AuditRecord>((resolve, reject) => {
      this.waiting.push({ entry: valid, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        void this.flush();
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.takeGroup();
      try {
        // A group never crosses a segment: what does not fit goes into the next transaction.
        for (let done = 0; done < group.length; ) {
          const records = await this.appendGroup(group.slice(done).map((g) => g.entry));
          records.forEach((r, i) => group[done + i]!.resolve(r));
          done += records.length;
        }
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    this.flushing = false;
  }

  /** Up to 99 entries (a transaction holds 100 operations, one is the head) and about 2 MB. */
  private takeGroup(): typeof this.waiting {
    let bytes = 0;
    let n = 0;
    while (n < this.waiting.length && n < maxGroup) {
      bytes += JSON.stringify(this.waiting[n]!.entry).length * 2 + 1024;
      if (n > 0 && bytes > maxGroupBytes) break;
      n += 1;
    }
    return this.waiting.splice(0, n);
  }

  /** Appends as many of `entries` as fit in the head's segment (at least one); returns their records. */
  private async appendGroup(entries: AuditEntry[]): Promise<AuditRecord[]> {
    for (let attempt = 1; ; attempt += 1) {
      const head = this.knownHead ?? (await this.readHead());
      const segment = segmentOf(head.seq + 1, this.segmentRows);
      const fits = (segment + 1) * this.segmentRows - head.seq;
      // The head row of this segment exists unless the first row of the segment is being written
      // (or the chain so far sits in one partition: a chain written before segments existed).
      const headInSegment = head.seq > 0 && (head.segment ?? segmentOf(head.seq, this.segmentRows)) === segment;
      const rows: AuditRow[] = [];
      let prev = { seq: head.seq, hash: head.hash, at: head.at };
      for (const entry of entries.slice(0, fits)) {
        const row = buildRow(entry, { seq: prev.seq + 1, at: isoNow(this.now(), prev.at || undefined), prevHash: prev.hash });
        rows.push(row);
        prev = { seq: row.seq, hash: row.hash, at: row.at };
      }
      const last = rows[rows.length - 1]!;
      const newHead = headEntity({ seq: last.seq, hash: last.hash, at: last.at }, segment);
      const actions: BatchAction[] = [
        ...rows.map((row): BatchAction => ({ op: 'create', entity: entityFromRow(row, this.segmentRows) as unknown as Entity })),
        headInSegment && head.etag ? { op: 'update', entity: newHead, mode: 'replace', etag: head.etag } : { op: 'create', entity: newHead },
      ];
      // Known again once this transaction commits.
      this.knownHead = undefined;
      const res = await this.table.submit(actions);
      if (res.ok) {
        // The head is the last action.
        const headEtag = res.etags[actions.length - 1];
        this.knownHead = headEtag ? { seq: last.seq, hash: last.hash, at: last.at, etag: headEtag, segment } : undefined;
        this.log?.debug({ from: rows[0]!.seq, to: last.seq }, 'audit rows appended');
        for (const listener of this.committed) listener({ seq: last.seq, hash: last.hash, at: last.at });
        return rows.map(recordFromRow);
      }
      // A row exists (another writer took the seq) or the head moved: anything else is no race.
      if (res.reason !== 'exists' && res.reason !== 'changed') {
        throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', `could not write the audit trail (the transaction was refused: ${res.reason})`);
      }
      if (attempt >= this.maxAttempts) {
        throw new ArgusError('ARGUS_CONFLICT', `audit append lost ${attempt} races for the chain head`);
      }
      this.log?.debug({ seq: rows[0]!.seq, attempt }, 'audit head moved meanwhile; retrying');
      // Jitter so writers that collided do not collide again in lockstep.
      await sleep(Math.random() * Math.min(50, 2 * attempt));
    }
  }

  /** The chain head; seq 0 with the genesis hash when the chain is empty. */
  async readHead(): Promise<ChainHead> {
    const found = await findChainHead(this.table, this.lastSegment);
    if (!found) return { seq: 0, hash: genesisHash, at: '', segment: 0 };
    const head = headFromEntity(found.entity);
    if (!head) throw new ArgusError('ARGUS_INTERNAL', 'the audit chain head row is malformed');
    this.lastSegment = found.segment;
    return { ...head, segment: found.segment };
  }

  /** Rows in chain order matching every given filter; `limit` keeps the first N. */
  async query(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const range = resolveRange(query);
    const where: Condition[] = [];
    if (range.from) where.push(ge('at', range.from));
    if (range.toExclusive) where.push(lt('at', range.toExclusive));
    if (query.action) where.push(eq('action', query.action));
    if (query.target) where.push(eq('target', query.target));
    if (query.correlationId) where.push(eq('correlationId', query.correlationId));
    const rows = { partitionKey: allChainPartitions, rowKey: { lt: headRowKey } };
    return this.collect(where.length > 0 ? { ...rows, where: and(...where) } : rows, query.limit);
  }

  /**
   * Walks the chain's segments from the newest back, one partition query each, and stops at the
   * first segment whose last row (its head) is older than `since`: a few reads when `since` is
   * recent, however long the chain.
   */
  async findRecent(query: RecentQuery): Promise<AuditRecord | undefined> {
    const head = await this.readHead();
    if (head.seq === 0) return undefined;
    const where = and(eq('action', query.action), eq('correlationId', query.correlationId));
    for (let segment = head.segment ?? segmentOf(head.seq, this.segmentRows); segment >= 0; segment -= 1) {
      const found = await this.collect({ partitionKey: segmentPartition(segment), rowKey: { lt: headRowKey }, where });
      const hit = found.reverse().find((r) => r.at >= query.since && (!query.match || query.match(r)));
      if (hit) return hit;
      if (segment === 0) break;
      const before = await segmentHeadEntity(this.table, segment - 1);
      if (!before || String(before.at) < query.since) break;
    }
    return undefined;
  }

  /** The newest `limit` rows, in chain order. */
  async tail(limit: number): Promise<AuditRecord[]> {
    const head = await this.readHead();
    if (head.seq === 0 || limit <= 0) return [];
    const first = Math.max(1, head.seq - limit + 1);
    const from = segmentPartition(segmentOf(first, this.segmentRows));
    const to = segmentPartition(head.segment ?? segmentOf(head.seq, this.segmentRows));
    const rowKey = { ge: rowKeyOf(first), lt: headRowKey };
    const found = await this.collect({ partitionKey: { ge: from, le: to }, rowKey }, limit);
    // Short only when some of these rows predate segments (a chain once kept in one partition).
    return found.length >= head.seq - first + 1 ? found : this.collect({ partitionKey: allChainPartitions, rowKey }, limit);
  }

  /** The chain rows a query finds (rows that are not readable chain rows are left out). */
  private async collect(query: EntityQuery, limit?: number): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    for await (const entity of this.table.scan(query)) {
      const row: AuditRow | undefined = rowFromEntity(entity);
      if (row) out.push(recordFromRow(row));
      if (limit !== undefined && out.length >= limit) break;
    }
    return out;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
