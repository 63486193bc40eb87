import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
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
export class TableAuditLog implements AuditLog {
  private readonly client: TableClient;
  private readonly log?: Logger;
  private readonly now: () => Date;
  private readonly maxAttempts: number;
  // Appends from this process go one at a time: they would only make each other retry.
  private pending: Promise<unknown> = Promise.resolve();

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

  // async: a bad entry rejects (never throws synchronously); the code before the first await
  // still runs at once, so appends queue in call order.
  async append(entry: AuditEntry): Promise<AuditRecord> {
    const valid = validateEntry(entry);
    const result = this.pending.then(() => this.appendWithRetry(valid));
    this.pending = result.catch(() => undefined);
    return result;
  }

  private async appendWithRetry(entry: AuditEntry): Promise<AuditRecord> {
    for (let attempt = 1; ; attempt += 1) {
      const head = await this.readHead();
      const row = buildRow(entry, {
        seq: head.seq + 1,
        at: isoNow(this.now(), head.at || undefined),
        prevHash: head.hash,
      });
      const actions: TransactionAction[] = [
        ['create', entityFromRow(row)],
        head.etag ? ['update', headEntity({ seq: row.seq, hash: row.hash, at: row.at }), 'Replace', { etag: head.etag }]
                  : ['create', headEntity({ seq: row.seq, hash: row.hash, at: row.at })],
      ];
      try {
        await this.client.submitTransaction(actions);
        this.log?.debug({ seq: row.seq, action: row.action, outcome: row.outcome }, 'audit row appended');
        return recordFromRow(row);
      } catch (err) {
        if (!isConflict(err) && !isPreconditionFailed(err)) {
          throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not write the audit trail', { cause: err });
        }
        if (attempt >= this.maxAttempts) {
          throw new ArgusError('ARGUS_CONFLICT', `audit append lost ${attempt} races for the chain head`, { cause: err });
        }
        this.log?.debug({ seq: row.seq, attempt }, 'audit head moved meanwhile; retrying');
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
