import { odata, type TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { isConflict, isNotFound, isPreconditionFailed } from '../storage/keys';
import { tableNames, type TableStore } from '../storage/table-store';
import type { AuditEntry, AuditLog, AuditQuery, AuditRecord } from './audit-log';
import { buildRow, genesisHash, isoNow, recordFromRow, validateEntry, type AuditRow } from './audit-record';
import {
  chainPartition,
  entityFromRow,
  headEntity,
  headFromEntity,
  headRowKey,
  rowFromEntity,
  rowKeyOf,
  type ChainHead,
} from './audit-table';
import { resolveRange } from './date-range';

export interface TableAuditLogOptions {
  client: TableClient;
  logger?: Logger;
  now?: () => Date;
  /** Attempts per append when other writers keep winning the head; default 100. */
  maxAttempts?: number;
}

/**
 * The audit trail in Table Storage (ARCHITECTURE §3 "Audit"). Every append inserts row seq+1 and
 * moves the head row in one entity-group transaction conditioned on the head's etag, so of several
 * writers (processes or instances) exactly one wins each seq; the losers get 409 (row exists / head
 * created meanwhile) or 412 (head moved), re-read the head and try again. The chain cannot fork.
 */
const maxGroup = 99;
const maxGroupBytes = 2 * 1024 * 1024;

export class TableAuditLog implements AuditLog {
  private readonly client: TableClient;
  private readonly log?: Logger;
  private readonly now: () => Date;
  private readonly maxAttempts: number;
  // Appends from this process are committed in groups (one transaction of up to 99 rows and the
  // head): under load that is one round trip for many rows instead of two per row.
  private readonly waiting: Array<{ entry: AuditEntry; resolve: (r: AuditRecord) => void; reject: (e: unknown) => void }> = [];
  private flushing = false;
  // The head this process wrote last (with its etag): saves re-reading it before the next group.
  private knownHead?: ChainHead;

  constructor(options: TableAuditLogOptions) {
    this.client = options.client;
    this.log = options.logger?.child({ component: 'audit' });
    this.now = options.now ?? (() => new Date());
    this.maxAttempts = options.maxAttempts ?? 100;
  }

  /** Creates table ArgusAudit if needed and returns the log over it. */
  static async open(store: TableStore, options: Omit<TableAuditLogOptions, 'client'> = {}): Promise<TableAuditLog> {
    await store.ensureTable(tableNames.audit);
    return new TableAuditLog({ ...options, client: store.client(tableNames.audit) });
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
        const records = await this.appendGroup(group.map((g) => g.entry));
        group.forEach((g, i) => g.resolve(records[i]!));
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

  private async appendGroup(entries: AuditEntry[]): Promise<AuditRecord[]> {
    for (let attempt = 1; ; attempt += 1) {
      const head = this.knownHead ?? (await this.readHead());
      const rows: AuditRow[] = [];
      let prev = { seq: head.seq, hash: head.hash, at: head.at };
      for (const entry of entries) {
        const row = buildRow(entry, { seq: prev.seq + 1, at: isoNow(this.now(), prev.at || undefined), prevHash: prev.hash });
        rows.push(row);
        prev = { seq: row.seq, hash: row.hash, at: row.at };
      }
      const last = rows[rows.length - 1]!;
      const newHead = headEntity({ seq: last.seq, hash: last.hash, at: last.at });
      const actions: TransactionAction[] = [
        ...rows.map((row): TransactionAction => ['create', entityFromRow(row) as unknown as TableEntity<Record<string, unknown>>]),
        head.etag ? ['update', newHead, 'Replace', { etag: head.etag }] : ['create', newHead],
      ];
      try {
        const res = await this.client.submitTransaction(actions);
        const headEtag = res.subResponses.find((r) => r.rowKey === headRowKey)?.etag;
        this.knownHead = headEtag ? { seq: last.seq, hash: last.hash, at: last.at, etag: headEtag } : undefined;
        this.log?.debug({ from: rows[0]!.seq, to: last.seq }, 'audit rows appended');
        return rows.map(recordFromRow);
      } catch (err) {
        this.knownHead = undefined;
        if (!isConflict(err) && !isPreconditionFailed(err)) {
          throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not write the audit trail', { cause: err });
        }
        if (attempt >= this.maxAttempts) {
          throw new ArgusError('ARGUS_CONFLICT', `audit append lost ${attempt} races for the chain head`, { cause: err });
        }
        this.log?.debug({ seq: rows[0]!.seq, attempt }, 'audit head moved meanwhile; retrying');
        // Jitter so writers that collided do not collide again in lockstep.
        await sleep(Math.random() * Math.min(50, 2 * attempt));
      }
    }
  }

  /** The chain head; seq 0 with the genesis hash when the chain is empty. */
  async readHead(): Promise<ChainHead> {
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(chainPartition, headRowKey);
      const head = headFromEntity(entity);
      if (!head) throw new ArgusError('ARGUS_INTERNAL', 'the audit chain head row is malformed');
      return head;
    } catch (err) {
      if (isNotFound(err)) return { seq: 0, hash: genesisHash, at: '' };
      if (err instanceof ArgusError) throw err;
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not read the audit chain head', { cause: err });
    }
  }

  /** Rows in chain order matching every given filter; `limit` keeps the first N. */
  async query(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const range = resolveRange(query);
    const filters = [odata`PartitionKey eq ${chainPartition}`, odata`RowKey lt ${headRowKey}`];
    if (range.from) filters.push(odata`at ge ${range.from}`);
    if (range.toExclusive) filters.push(odata`at lt ${range.toExclusive}`);
    if (query.action) filters.push(odata`action eq ${query.action}`);
    if (query.target) filters.push(odata`target eq ${query.target}`);
    if (query.correlationId) filters.push(odata`correlationId eq ${query.correlationId}`);
    return this.collect(filters.join(' and '), query.limit);
  }

  /** The newest `limit` rows, in chain order. */
  async tail(limit: number): Promise<AuditRecord[]> {
    const head = await this.readHead();
    if (head.seq === 0 || limit <= 0) return [];
    const first = Math.max(1, head.seq - limit + 1);
    const filter = odata`PartitionKey eq ${chainPartition} and RowKey ge ${rowKeyOf(first)} and RowKey lt ${headRowKey}`;
    return this.collect(filter, limit);
  }

  private async collect(filter: string, limit?: number): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    try {
      for await (const entity of this.client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        const row: AuditRow | undefined = rowFromEntity(entity);
        if (row) out.push(recordFromRow(row));
        if (limit !== undefined && out.length >= limit) break;
      }
    } catch (err) {
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not read the audit trail', { cause: err });
    }
    return out;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
