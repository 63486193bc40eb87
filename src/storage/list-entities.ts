import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';

export type StoredEntity = Record<string, unknown> & { etag?: string };

/** The entities matching `filter` (at most `limit`), each mapped; a storage failure is ARGUS_STORAGE_UNAVAILABLE. */
export async function listEntitiesWhere<T>(table: TableClient, filter: string, map: (entity: StoredEntity) => T, limit = Infinity): Promise<T[]> {
  const out: T[] = [];
  try {
    for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      out.push(map(entity));
      if (out.length >= limit) break;
    }
  } catch (err) {
    throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
  }
  return out;
}
