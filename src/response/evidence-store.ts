import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { asEntityTable, type Entity, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey, padSeq } from '../storage/keys';
import { custodyActions, type CustodyAction, type CustodyEntry } from './custody';
import type { EvidenceSummary } from './evidence-port';

/** An evidence item as stored: what it is, who holds it, and the head of its custody ledger. */
export interface EvidenceItem extends EvidenceSummary {
  incidentNumber: number;
  /** Ledger length and last hash, moved in the same transaction as each entry (a removed last entry shows). */
  entries: number;
  headHash: string;
  released: boolean;
}

export interface StoredItem {
  item: EvidenceItem;
  etag: string;
}

/**
 * Table ArgusEvidence. Per incident one partition (`i-<incident id>`) holds its items
 * (`item-<evidenceId>`) and their ledgers (`custody-<evidenceId>-<seq>`), so an entry and the item's
 * new head are written in one entity-group transaction; a row per item (`e-<evidenceId>`, RowKey
 * `incident`) finds the partition from the evidence id alone. Rows are only ever added, and items
 * changed, through Argus: nothing here deletes.
 */
export class EvidenceStore {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  /** Records a new item with its registration entry. */
  async create(item: EvidenceItem, first: CustodyEntry): Promise<void> {
    await this.table.upsert({ partitionKey: lookupKey(item.evidenceId), rowKey: 'incident', incidentId: item.incidentId }, 'replace');
    const result = await this.table.submit([
      { op: 'create', entity: itemEntity(item) },
      { op: 'create', entity: entryEntity(item.incidentId, first) },
    ]);
    if (!result.ok) throw new ArgusError('ARGUS_CONFLICT', `evidence ${item.evidenceId} could not be recorded (${result.reason})`);
  }

  /** The item, wherever it is registered. */
  async get(evidenceId: string): Promise<StoredItem | undefined> {
    const lookup = await this.table.get(lookupKey(evidenceId), 'incident');
    if (!lookup || typeof lookup.incidentId !== 'string') return undefined;
    return this.find(lookup.incidentId, evidenceId);
  }

  async find(incidentId: string, evidenceId: string): Promise<StoredItem | undefined> {
    const e = await this.table.get(partitionOf(incidentId), itemKey(evidenceId));
    return e && { item: itemFrom(e), etag: e.etag };
  }

  /** The incident's items, oldest first. */
  async listFor(incidentId: string): Promise<EvidenceItem[]> {
    const rows = await this.table.list({ partitionKey: partitionOf(incidentId), rowKey: { prefix: 'item-' } });
    return rows.map(itemFrom).sort((a, b) => a.registeredAt.localeCompare(b.registeredAt) || a.evidenceId.localeCompare(b.evidenceId));
  }

  /** Every item of every incident, incident by incident (for verification). */
  async *all(): AsyncIterable<EvidenceItem> {
    for await (const e of this.table.scan({ partitionKey: { prefix: 'i-' }, rowKey: { prefix: 'item-' } })) yield itemFrom(e);
  }

  /** The item's ledger rows as entries, in RowKey (seq) order. */
  async ledger(item: Pick<EvidenceItem, 'incidentId' | 'evidenceId'>): Promise<CustodyEntry[]> {
    const rows = await this.table.list({ partitionKey: partitionOf(item.incidentId), rowKey: { prefix: `custody-${item.evidenceId}-` } });
    return rows.map(entryFrom);
  }

  /** Adds `entry` and moves the item's head (with `changes`) at once, if the item is still at `etag`; false when it moved. */
  async append(stored: StoredItem, entry: CustodyEntry, changes: Partial<Pick<EvidenceItem, 'custodian' | 'released'>> = {}): Promise<boolean> {
    const item: EvidenceItem = { ...stored.item, ...changes, entries: entry.seq, headHash: entry.hash };
    const result = await this.table.submit([
      { op: 'update', entity: itemEntity(item), mode: 'replace', etag: stored.etag },
      { op: 'create', entity: entryEntity(item.incidentId, entry) },
    ]);
    return result.ok;
  }
}

const lookupKey = (evidenceId: string) => `e-${encodeKey(evidenceId)}`;
const partitionOf = (incidentId: string) => `i-${encodeKey(incidentId)}`;
const itemKey = (evidenceId: string) => `item-${encodeKey(evidenceId)}`;

function itemEntity(item: EvidenceItem): Entity {
  return {
    partitionKey: partitionOf(item.incidentId),
    rowKey: itemKey(item.evidenceId),
    ...defined({ ...item }),
  };
}

function entryEntity(incidentId: string, entry: CustodyEntry): Entity {
  return {
    partitionKey: partitionOf(incidentId),
    rowKey: `custody-${encodeKey(entry.evidenceId)}-${padSeq(entry.seq, 6)}`,
    ...defined({ ...entry }),
  };
}

/** Table Storage keeps no undefined: absent fields are left out. */
function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const optStr = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? Number.NaN));

function itemFrom(e: StoredEntity): EvidenceItem {
  return {
    evidenceId: str(e.evidenceId),
    incidentId: str(e.incidentId),
    incidentNumber: num(e.incidentNumber),
    filename: str(e.filename),
    sha256: str(e.sha256),
    size: num(e.size),
    ...(e.source !== undefined ? { source: str(e.source) } : {}),
    purpose: str(e.purpose),
    custodian: str(e.custodian),
    registeredAt: str(e.registeredAt),
    registeredBy: str(e.registeredBy),
    entries: num(e.entries),
    headHash: str(e.headHash),
    released: e.released === true,
  };
}

/**
 * A ledger row read back as it is: fields are taken as stored (an altered one fails its hash), and
 * an unknown action stays what it is, so verification names the row.
 */
function entryFrom(e: StoredEntity): CustodyEntry {
  const action = str(e.action);
  const entry: Record<string, unknown> = {
    evidenceId: str(e.evidenceId),
    seq: num(e.seq),
    action: (custodyActions as readonly string[]).includes(action) ? (action as CustodyAction) : action,
    at: str(e.at),
    by: str(e.by),
    prevHash: str(e.prevHash),
    hash: str(e.hash),
  };
  for (const key of ['to', 'reason', 'purpose', 'sha256', 'actor', 'incident', 'filename', 'source'] as const) {
    const value = optStr(e[key]);
    if (value !== undefined) entry[key] = value;
  }
  if (e.size !== undefined) entry.size = num(e.size);
  return entry as unknown as CustodyEntry;
}
