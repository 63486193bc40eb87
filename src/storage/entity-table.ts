import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { statusOf } from '../net/status';
import { toODataFilter, type EntityQuery } from './entity-query';

export { and, eq, ge, gt, le, lt, ne, or, type Condition, type EntityQuery, type FieldValue, type KeyRange } from './entity-query';

/** A row to write: its keys and properties (strings, numbers, booleans, Uint8Arrays). */
export type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };
/** A row as read: its properties with the keys (unless left out by `select`), etag and timestamp. */
export type StoredEntity = Record<string, unknown> & { partitionKey: string; rowKey: string; etag: string; timestamp?: string };

export type UpdateMode = 'merge' | 'replace';
export type CreateResult = { created: true; etag: string } | { created: false };

/** One operation of an entity-group transaction (all on one partition, each row at most once). */
export type BatchAction =
  | { op: 'create'; entity: Entity }
  | { op: 'update'; entity: Entity; mode: UpdateMode; etag?: string }
  | { op: 'upsert'; entity: Entity; mode: UpdateMode };

/**
 * What stopped a transaction (then nothing of it was written): a created row exists, an etag no
 * longer matches, a row to change is gone, or the transaction was refused as invalid (e.g. a row twice).
 */
export type BatchFailure = 'exists' | 'changed' | 'missing' | 'rejected';
/** The new etag of each action, in the order of the actions. */
export type BatchResult = { ok: true; etags: Array<string | undefined> } | { ok: false; reason: BatchFailure };

/**
 * One table, as the repositories use it. Expected outcomes (a row missing, existing or changed)
 * are results; any other failure throws ARGUS_STORAGE_UNAVAILABLE (see storageUnavailable).
 * Implementations: azureEntityTable (Table Storage, Azurite) and memoryEntityTable (the twin).
 */
export interface EntityTable {
  /** The row, or undefined when there is none. */
  get(partitionKey: string, rowKey: string): Promise<StoredEntity | undefined>;
  /** Inserts the row; `created: false` when it exists (nothing is written then). */
  create(entity: Entity): Promise<CreateResult>;
  /** Changes the row (only if its etag is still `etag`, when given): the new etag, or undefined when it changed or is gone. */
  update(entity: Entity, options: { mode: UpdateMode; etag?: string }): Promise<string | undefined>;
  /** Inserts or changes the row; its new etag. */
  upsert(entity: Entity, mode: UpdateMode): Promise<string>;
  /** Deletes the row (only if its etag is still `etag`, when given): false when it changed or is gone. */
  delete(partitionKey: string, rowKey: string, etag?: string): Promise<boolean>;
  /** The matching rows (at most `limit`) by PartitionKey, then RowKey. */
  list(query: EntityQuery, limit?: number): Promise<StoredEntity[]>;
  /** The matching rows one by one, read `pageSize` at a time (default 1000); for long listings. */
  scan(query: EntityQuery, options?: { pageSize?: number }): AsyncIterable<StoredEntity>;
  /** Writes every action or none (an entity-group transaction). */
  submit(actions: BatchAction[]): Promise<BatchResult>;
}

/** The one way a storage failure is reported: ARGUS_STORAGE_UNAVAILABLE, the original as `cause`. */
export function storageUnavailable(cause: unknown): ArgusError {
  if (cause instanceof ArgusError) return cause;
  return new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause });
}

/**
 * Creates the row (expectedEtag undefined) or replaces it (only if its etag is still expectedEtag):
 * the new etag, or undefined when another writer got there first.
 */
export async function saveEntity(table: EntityTable, entity: Entity, expectedEtag: string | undefined): Promise<string | undefined> {
  if (expectedEtag) return table.update(entity, { mode: 'replace', etag: expectedEtag });
  const res = await table.create(entity);
  return res.created ? res.etag : undefined;
}

/** Accepts either a Table Storage client or an EntityTable (so a composition root may pass either). */
export function asEntityTable(table: TableClient | EntityTable): EntityTable {
  return 'listEntities' in table ? azureEntityTable(table) : table;
}

/** Checks that a batch is one a transaction can hold (the same rule for both implementations). */
export function checkBatch(actions: BatchAction[]): void {
  const partitions = new Set(actions.map((a) => a.entity.partitionKey));
  if (actions.length === 0 || actions.length > 100 || partitions.size !== 1) {
    throw new ArgusError('ARGUS_INTERNAL', `a transaction needs 1 to 100 actions on one partition (got ${actions.length} on ${partitions.size})`);
  }
}

const sdkMode = (mode: UpdateMode) => (mode === 'merge' ? 'Merge' : 'Replace');
type SdkEntity = TableEntity<Record<string, unknown>>;

async function attempt<T>(run: () => Promise<T>, expected: Partial<Record<number, () => T>>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const status = statusOf(err);
    const outcome = status === undefined ? undefined : expected[status];
    if (outcome) return outcome();
    throw storageUnavailable(err);
  }
}

/** EntityTable over Azure Table Storage (or Azurite). */
export function azureEntityTable(client: TableClient): EntityTable {
  const table: EntityTable = {
    get: (pk, rk) =>
      attempt(async () => (await client.getEntity<Record<string, unknown>>(pk, rk)) as StoredEntity | undefined, { 404: () => undefined }),
    create: (entity) =>
      attempt(async (): Promise<CreateResult> => ({ created: true, etag: (await client.createEntity(entity)).etag ?? '' }), {
        409: () => ({ created: false }),
      }),
    update: (entity, { mode, etag }) =>
      attempt(async () => (await client.updateEntity(entity, sdkMode(mode), etag !== undefined ? { etag } : undefined)).etag ?? '', {
        404: () => undefined,
        412: () => undefined,
      }),
    upsert: (entity, mode) => attempt(async () => (await client.upsertEntity(entity, sdkMode(mode))).etag ?? '', {}),
    delete: (pk, rk, etag) =>
      attempt(
        async () => {
          await client.deleteEntity(pk, rk, etag !== undefined ? { etag } : undefined);
          return true;
        },
        { 404: () => false, 412: () => false },
      ),
    async list(query, limit = Infinity) {
      const out: StoredEntity[] = [];
      if (limit <= 0) return out;
      for await (const entity of table.scan(query, { pageSize: Math.min(1000, limit) })) {
        out.push(entity);
        if (out.length >= limit) break;
      }
      return out;
    },
    async *scan(query, options = {}) {
      const filter = toODataFilter(query);
      const select = query.select ? [...query.select] : undefined;
      try {
        const pages = client
          .listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })
          .byPage({ maxPageSize: Math.max(1, Math.min(1000, options.pageSize ?? 1000)) });
        for await (const page of pages) for (const entity of page) yield entity as StoredEntity;
      } catch (err) {
        throw storageUnavailable(err);
      }
    },
    async submit(actions) {
      checkBatch(actions);
      const sdk = actions.map((a): TransactionAction => {
        switch (a.op) {
          case 'create':
            return ['create', a.entity as SdkEntity];
          case 'update':
            return ['update', a.entity as SdkEntity, sdkMode(a.mode), a.etag !== undefined ? { etag: a.etag } : undefined];
          case 'upsert':
            return ['upsert', a.entity as SdkEntity, sdkMode(a.mode)];
        }
      });
      const failed = (reason: BatchFailure) => (): BatchResult => ({ ok: false, reason });
      return attempt(
        async (): Promise<BatchResult> => {
          const res = await client.submitTransaction(sdk);
          // Sub-responses come in the order of the actions.
          return { ok: true, etags: actions.map((_, i) => res.subResponses[i]?.etag) };
        },
        { 400: failed('rejected'), 404: failed('missing'), 409: failed('exists'), 412: failed('changed') },
      );
    },
  };
  return table;
}
