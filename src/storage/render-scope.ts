import { AsyncLocalStorage } from 'node:async_hooks';
import type { TableClient } from '@azure/data-tables';
import { asEntityTable, type EntityTable, type StoredEntity } from './entity-table';

/** Partitions read in the current scope, by table and partition. */
type Scope = Map<string, Promise<StoredEntity[]>>;

const current = new AsyncLocalStorage<Scope>();

/** Rows one partition may hold to be read whole; a larger one is read as asked. */
const partitionLimit = 1_000;

/**
 * Runs `fn` in a read scope: tables wrapped by `partitionReadsOnce` read each partition at most
 * once in it (a card render, whose sections read several rows of one incident's partition).
 */
export function inReadScope<T>(fn: () => Promise<T>): Promise<T> {
  return current.run(new Map(), fn);
}

/**
 * The table, whose point reads and whole-partition listings inside a read scope are answered from
 * one listing of the partition. A write through it forgets the partition in the scope, so what
 * the scope wrote is read back; outside a scope it is the table itself. Writes from elsewhere
 * during a scope are not seen by it, as with any read made at its start.
 */
export function partitionReadsOnce(client: TableClient | EntityTable, name: string): EntityTable {
  const table = asEntityTable(client);
  const rows = (partitionKey: string): Promise<StoredEntity[]> | undefined => {
    const scope = current.getStore();
    if (!scope) return undefined;
    const key = `${name}\u0000${partitionKey}`;
    let read = scope.get(key);
    if (!read) {
      read = table.list({ partitionKey }, partitionLimit + 1);
      scope.set(key, read);
      read.catch(() => scope.delete(key));
    }
    return read;
  };
  const wrote = <T>(partitionKey: string, write: Promise<T>): Promise<T> => {
    current.getStore()?.delete(`${name}\u0000${partitionKey}`);
    return write;
  };
  return {
    async get(partitionKey, rowKey) {
      const all = rows(partitionKey);
      if (!all) return table.get(partitionKey, rowKey);
      const listed = await all;
      if (listed.length > partitionLimit) return table.get(partitionKey, rowKey);
      return listed.find((r) => r.rowKey === rowKey);
    },
    async list(query, limit) {
      const whole = typeof query.partitionKey === 'string' && Object.keys(query).length === 1;
      const all = whole ? rows(query.partitionKey as string) : undefined;
      if (!all) return table.list(query, limit);
      const listed = await all;
      if (listed.length > partitionLimit) return table.list(query, limit);
      return limit === undefined ? [...listed] : listed.slice(0, limit);
    },
    create: (entity) => wrote(entity.partitionKey, table.create(entity)),
    update: (entity, options) => wrote(entity.partitionKey, table.update(entity, options)),
    upsert: (entity, mode) => wrote(entity.partitionKey, table.upsert(entity, mode)),
    delete: (partitionKey, rowKey, etag) => wrote(partitionKey, table.delete(partitionKey, rowKey, etag)),
    scan: (query, options) => table.scan(query, options),
    submit: (actions) => wrote(actions[0]?.entity.partitionKey ?? '', table.submit(actions)),
  };
}
