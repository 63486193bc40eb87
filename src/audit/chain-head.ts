import type { EntityTable, StoredEntity } from '../storage/entity-table';
import { allChainPartitions, headRowKey, segmentPartition } from './audit-table';

/** The head row of one segment, or undefined when the segment has none (not started). */
export function segmentHeadEntity(table: EntityTable, segment: number): Promise<StoredEntity | undefined> {
  return table.get(segmentPartition(segment), headRowKey);
}

/** A chain row by its RowKey, whichever segment (partition) holds it. */
export async function chainRow(table: EntityTable, rowKey: string): Promise<StoredEntity | undefined> {
  return (await table.list({ partitionKey: allChainPartitions, rowKey }, 1))[0];
}

/**
 * The head row of the chain: that of the last segment that has one. Segments are started in
 * order, each only when the one before is full, so "has a head" holds for segments 0…last and
 * for none after: from `hint` (a segment known to have a head) the search doubles its step until
 * it finds none, then halves — a few reads however long the chain. Undefined for an empty chain.
 */
export async function findChainHead(table: EntityTable, hint = 0): Promise<{ segment: number; entity: StoredEntity } | undefined> {
  let low = hint;
  let lowEntity = await segmentHeadEntity(table, low);
  if (!lowEntity && low > 0) {
    low = 0;
    lowEntity = await segmentHeadEntity(table, 0);
  }
  if (!lowEntity) return undefined;
  let step = 1;
  let high = low + step;
  for (;;) {
    const entity = await segmentHeadEntity(table, high);
    if (!entity) break;
    low = high;
    lowEntity = entity;
    step *= 2;
    high = low + step;
  }
  // Segment `low` has a head, `high` has none: narrow down to the last one that has.
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const entity = await segmentHeadEntity(table, mid);
    if (entity) {
      low = mid;
      lowEntity = entity;
    } else {
      high = mid;
    }
  }
  return { segment: low, entity: lowEntity };
}
