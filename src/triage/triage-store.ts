import type { TableClient } from '@azure/data-tables';
import { and, asEntityTable, eq, ge, le, lt, saveEntity, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import { packJson, unpackJson } from '../storage/packed-json';
import type { TriageDecision } from './policy';
import type { TriageRecord } from './triage-record';

/** A stored record with the etag its next change must name. */
export interface StoredTriageRecord {
  record: TriageRecord;
  etag: string;
}

/**
 * Triage decision records (table ArgusAlerts), one per alert. Saves name the etag they read, so
 * two writers never lose each other's change; `save` answers undefined when another got there first.
 */
export interface TriageStore {
  get(alertId: string): Promise<StoredTriageRecord | undefined>;
  /** Creates the record (no etag) or replaces it (only if its etag is still `etag`): the new etag. */
  save(record: TriageRecord, etag?: string): Promise<string | undefined>;
  /** Every record, or those of one decision (decided in [decidedFrom, decidedBefore) when given) or status, oldest decision first. */
  list(options?: ListOptions): Promise<TriageRecord[]>;
  /** The `pending-intel` records whose next try is at or before `now`. */
  listDue(now: Date): Promise<StoredTriageRecord[]>;
}

export interface ListOptions {
  decision?: TriageDecision;
  status?: TriageRecord['status'];
  /** ISO times bounding decidedAt. */
  decidedFrom?: string;
  decidedBefore?: string;
}

/** Row: PartitionKey = alert id, RowKey 'triage'; the record packed, its list columns beside it. */
const rowKey = 'triage';

export class TableTriageStore implements TriageStore {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async get(alertId: string): Promise<StoredTriageRecord | undefined> {
    const e = await this.table.get(encodeKey(alertId), rowKey);
    return e && { record: fromEntity(e), etag: e.etag };
  }

  save(record: TriageRecord, etag?: string): Promise<string | undefined> {
    const entity = {
      partitionKey: encodeKey(record.alertId),
      rowKey,
      ruleId: record.ruleId,
      status: record.status,
      decision: record.decision ?? '',
      decidedAt: record.decidedAt ?? '',
      nextTry: record.pending?.nextTry ?? '',
      ...packJson(record, 'record'),
    };
    return saveEntity(this.table, entity, etag);
  }

  async list(options: ListOptions = {}): Promise<TriageRecord[]> {
    const out: TriageRecord[] = [];
    const conditions = [
      ...(options.decision ? [eq('decision', options.decision)] : []),
      ...(options.status ? [eq('status', options.status)] : []),
      ...(options.decidedFrom ? [ge('decidedAt', options.decidedFrom)] : []),
      ...(options.decidedBefore ? [lt('decidedAt', options.decidedBefore)] : []),
    ];
    const query = { rowKey, ...(conditions.length ? { where: and(...conditions) } : {}) };
    for await (const e of this.table.scan(query)) out.push(fromEntity(e));
    return out.sort((a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? '') || a.alertId.localeCompare(b.alertId));
  }

  async listDue(now: Date): Promise<StoredTriageRecord[]> {
    const out: StoredTriageRecord[] = [];
    const where = and(eq('status', 'pending-intel' satisfies TriageRecord['status']), le('nextTry', now.toISOString()));
    for await (const e of this.table.scan({ rowKey, where })) out.push({ record: fromEntity(e), etag: e.etag });
    return out;
  }
}

function fromEntity(e: StoredEntity): TriageRecord {
  return unpackJson<TriageRecord>(e, 'record');
}
