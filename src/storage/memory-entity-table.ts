import { matchesQuery, toODataFilter } from './entity-query';
import {
  checkBatch,
  storageUnavailable,
  type BatchAction,
  type BatchFailure,
  type CreateResult,
  type Entity,
  type EntityTable,
  type StoredEntity,
} from './entity-table';
import { isValidKey } from './keys';

interface Row {
  partitionKey: string;
  rowKey: string;
  props: Record<string, unknown>;
  etag: string;
  timestamp: string;
}

type Planned = { ok: true; row: Row } | { ok: false; reason: BatchFailure };

// Etags are unique across every memory table of the process.
let writes = 0;

/**
 * The in-memory twin of a Table Storage table, with its semantics: a create of an existing row
 * fails, a write or delete with an etag fails once the row changed, rows list by PartitionKey then
 * RowKey, transactions write all or nothing. Values are copied in and out (no aliasing).
 */
export function memoryEntityTable(): EntityTable {
  const rows = new Map<string, Row>();
  const keyOf = (pk: string, rk: string) => `${pk}\u0000${rk}`;

  const plan = (action: BatchAction): Planned => {
    const { entity } = action;
    if (!isValidKey(entity.partitionKey) || !isValidKey(entity.rowKey)) {
      throw storageUnavailable(new Error(`invalid PartitionKey or RowKey: ${JSON.stringify([entity.partitionKey, entity.rowKey])}`));
    }
    const current = rows.get(keyOf(entity.partitionKey, entity.rowKey));
    if (action.op === 'create' && current) return { ok: false, reason: 'exists' };
    if (action.op === 'update' && !current) return { ok: false, reason: 'missing' };
    if (action.op === 'update' && action.etag !== undefined && action.etag !== current?.etag) return { ok: false, reason: 'changed' };
    const props = propsOf(entity);
    const merged = action.op !== 'create' && action.mode === 'merge' && current ? { ...current.props, ...props } : props;
    writes += 1;
    const row: Row = { partitionKey: entity.partitionKey, rowKey: entity.rowKey, props: merged, etag: `W/"mem-${writes}"`, timestamp: new Date().toISOString() };
    return { ok: true, row };
  };
  const commit = (row: Row): string => {
    rows.set(keyOf(row.partitionKey, row.rowKey), row);
    return row.etag;
  };

  const table: EntityTable = {
    async get(pk, rk) {
      const row = rows.get(keyOf(pk, rk));
      return row && read(row);
    },
    async create(entity): Promise<CreateResult> {
      const planned = plan({ op: 'create', entity });
      return planned.ok ? { created: true, etag: commit(planned.row) } : { created: false };
    },
    async update(entity, { mode, etag }) {
      const planned = plan({ op: 'update', entity, mode, etag });
      return planned.ok ? commit(planned.row) : undefined;
    },
    async upsert(entity, mode) {
      const planned = plan({ op: 'upsert', entity, mode });
      if (!planned.ok) throw storageUnavailable(new Error(`upsert failed: ${planned.reason}`));
      return commit(planned.row);
    },
    async delete(pk, rk, etag) {
      const current = rows.get(keyOf(pk, rk));
      if (!current || (etag !== undefined && etag !== current.etag)) return false;
      rows.delete(keyOf(pk, rk));
      return true;
    },
    async list(query, limit = Infinity) {
      const out: StoredEntity[] = [];
      if (limit <= 0) return out;
      for await (const entity of table.scan(query)) {
        out.push(entity);
        if (out.length >= limit) break;
      }
      return out;
    },
    async *scan(query) {
      toODataFilter(query); // the same rules for a query as on Table Storage: a bad one throws
      const keys = [...rows.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const key of keys) {
        const row = rows.get(key);
        if (!row) continue; // deleted while the listing ran
        const whole = { ...row.props, partitionKey: row.partitionKey, rowKey: row.rowKey };
        if (matchesQuery(whole, query)) yield read(row, query.select);
      }
    },
    async submit(actions) {
      checkBatch(actions);
      const seen = new Set(actions.map((a) => keyOf(a.entity.partitionKey, a.entity.rowKey)));
      if (seen.size !== actions.length) return { ok: false, reason: 'rejected' };
      const planned: Row[] = [];
      for (const action of actions) {
        const p = plan(action);
        if (!p.ok) return { ok: false, reason: p.reason };
        planned.push(p.row);
      }
      return { ok: true, etags: planned.map(commit) };
    },
  };
  return table;
}

/** What Table Storage keeps of written properties: no keys or system properties, no null or undefined values. */
function propsOf(entity: Entity): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) {
    if (name === 'partitionKey' || name === 'rowKey' || name === 'etag' || name === 'timestamp') continue;
    if (value === undefined || value === null) continue;
    out[name] = structuredClone(value);
  }
  return out;
}

function read(row: Row, select?: readonly string[]): StoredEntity {
  if (select) {
    const picked: Record<string, unknown> = {};
    for (const name of select) if (name in row.props) picked[name] = structuredClone(row.props[name]);
    return { ...picked, etag: row.etag } as StoredEntity;
  }
  return { ...structuredClone(row.props), partitionKey: row.partitionKey, rowKey: row.rowKey, etag: row.etag, timestamp: row.timestamp };
}
