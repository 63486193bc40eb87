import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { isNotFound } from '../storage/keys';
import { headRowKey, segmentPartition } from './audit-table';

type Entity = TableEntityResult<Record<string, unknown>>;

/** The head row of one segment, or undefined when the segment has none (not started). */
export async function segmentHeadEntity(client: TableClient, segment: number): Promise<Entity | undefined> {
  try {
    return await client.getEntity<Record<string, unknown>>(segmentPartition(segment), headRowKey);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The head row of the chain: that of the last segment that has one. Segments are started in
 * order, each only when the one before is full, so "has a head" holds for segments 0…last and
 * for none after: from `hint` (a segment known to have a head) the search doubles its step until
 * it finds none, then halves — a few reads however long the chain. Undefined for an empty chain.
 */
export async function findChainHead(client: TableClient, hint = 0): Promise<{ segment: number; entity: Entity } | undefined> {
  let low = hint;
  let lowEntity = await segmentHeadEntity(client, low);
  if (!lowEntity && low > 0) {
    low = 0;
    lowEntity = await segmentHeadEntity(client, 0);
  }
  if (!lowEntity) return undefined;
  let step = 1;
  let high = low + step;
  for (;;) {
    const entity = await segmentHeadEntity(client, high);
    if (!entity) break;
    low = high;
    lowEntity = entity;
    step *= 2;
    high = low + step;
  }
  // Segment `low` has a head, `high` has none: narrow down to the last one that has.
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const entity = await segmentHeadEntity(client, mid);
    if (entity) {
      low = mid;
      lowEntity = entity;
    } else {
      high = mid;
    }
  }
  return { segment: low, entity: lowEntity };
}
