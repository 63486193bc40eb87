import { and, gt, le, type EntityTable } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import { ArgusError } from '../errors/catalog';

/** A stored value with the etag it was read at. */
export interface Versioned<T> {
  key: string;
  value: T;
  etag: string;
}

/**
 * Durable time: one partition of table ArgusClocks whose rows hold a JSON value and `nextAt`, the
 * epoch milliseconds at which a sweeper has work on the row (0: none). Every write goes through
 * etag concurrency, and `nextAt` is derived from the value on each write, so it cannot go stale.
 */
export class DueRows<T> {
  constructor(
    private readonly table: EntityTable,
    private readonly partition: string,
    /** When the row next needs the sweeper (0: never, until the value changes). */
    private readonly nextAt: (value: T) => number,
    /** Plain columns kept beside the JSON (for filters and people reading the table). */
    private readonly columns: (value: T) => Record<string, string | number> = () => ({}),
  ) {}

  async get(key: string): Promise<Versioned<T> | undefined> {
    const e = await this.table.get(this.partition, encodeKey(key));
    return e && { key, value: parse<T>(e.data), etag: e.etag };
  }

  /** Rows whose key starts with `prefix` (every row without one), in key order. */
  async list(prefix?: string, limit = 5000): Promise<Versioned<T>[]> {
    const rows = await this.table.list({ partitionKey: this.partition, ...(prefix ? { rowKey: { prefix: encodeKey(prefix) } } : {}) }, limit);
    return rows.map((e) => ({ key: String(e.key ?? e.rowKey), value: parse<T>(e.data), etag: e.etag }));
  }

  /** Rows with work due at `now`. */
  async due(now: number, limit = 500): Promise<Versioned<T>[]> {
    const rows = await this.table.list({ partitionKey: this.partition, where: and(gt('nextAt', 0), le('nextAt', now)) }, limit);
    return rows.map((e) => ({ key: String(e.key ?? e.rowKey), value: parse<T>(e.data), etag: e.etag }));
  }

  /** Creates the row; undefined when it exists already. */
  async create(key: string, value: T): Promise<Versioned<T> | undefined> {
    const res = await this.table.create(this.entity(key, value));
    return res.created ? { key, value, etag: res.etag } : undefined;
  }

  /** Replaces the row if it is still at `etag`; undefined when another writer changed it first. */
  async replace(row: Versioned<T>, value: T): Promise<Versioned<T> | undefined> {
    const etag = await this.table.update(this.entity(row.key, value), { mode: 'replace', etag: row.etag });
    return etag === undefined ? undefined : { key: row.key, value, etag };
  }

  /**
   * Applies `change` to the latest stored value and writes it, reading again and retrying when
   * another writer got in between. `change` returns the new value, or undefined to leave the row
   * as it is. Resolves with the row as stored (or undefined when it is gone or nothing changed).
   */
  async mutate(key: string, change: (value: T) => T | undefined, attempts = 8): Promise<Versioned<T> | undefined> {
    for (let i = 0; i < attempts; i += 1) {
      const row = await this.get(key);
      if (!row) return undefined;
      const next = change(structuredClone(row.value));
      if (next === undefined) return undefined;
      const saved = await this.replace(row, next);
      if (saved) return saved;
    }
    throw new Error(`row ${this.partition}/${key} kept changing under ${attempts} writes`);
  }

  private entity(key: string, value: T) {
    const data = JSON.stringify(value);
    // Table Storage holds at most 32 K characters in a string property; these rows stay far below it.
    if (data.length > 30_000) throw new ArgusError('ARGUS_PAYLOAD_TOO_LARGE', `row ${this.partition}/${key} would hold ${data.length} characters`);
    return { partitionKey: this.partition, rowKey: encodeKey(key), key, nextAt: this.nextAt(value), ...this.columns(value), data };
  }
}

function parse<T>(data: unknown): T {
  if (typeof data !== 'string') throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'a clock row has no data');
  return JSON.parse(data) as T;
}
