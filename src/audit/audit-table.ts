import type { TableEntity, TableEntityResult } from '@azure/data-tables';
import { z } from 'zod';
import { padSeq } from '../storage/keys';
import type { AuditRow } from './audit-record';

/*
 * Layout of table ArgusAudit. The whole chain lives in one partition so that appending a row and
 * moving the head is one entity-group transaction (transactions never span partitions):
 *   PartitionKey 'chain', RowKey = seq zero-padded to 12 digits  — one row per action
 *   PartitionKey 'chain', RowKey 'head'                          — { seq, hash, at } of the last row
 * Digits sort before 'head', so listing the partition yields the rows in chain order, then the head.
 */
export const chainPartition = 'chain';
export const headRowKey = 'head';
export const seqDigits = 12;
export const rowKeyPattern = /^\d{12}$/;

export const rowKeyOf = (seq: number): string => padSeq(seq, seqDigits);

export interface ChainHead {
  seq: number;
  hash: string;
  at: string;
  etag?: string;
}

const int = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const rowSchema = z.object({
  seq: int,
  at: z.string(),
  action: z.string(),
  outcome: z.string(),
  actorId: z.string(),
  actorName: z.string(),
  actorTenantId: z.string(),
  roles: z.string(),
  target: z.string(),
  correlationId: z.string(),
  detail: z.string(),
  prevHash: z.string(),
  hash: z.string(),
});

const headSchema = z.object({ seq: int, hash: z.string(), at: z.string() });

export function entityFromRow(row: AuditRow): TableEntity<AuditRow> {
  return { partitionKey: chainPartition, rowKey: rowKeyOf(row.seq), ...row };
}

export function headEntity(head: ChainHead): TableEntity<Omit<ChainHead, 'etag'>> {
  return { partitionKey: chainPartition, rowKey: headRowKey, seq: head.seq, hash: head.hash, at: head.at };
}

/** The row an entity holds, or undefined when its properties are missing or mistyped. */
export function rowFromEntity(entity: Record<string, unknown>): AuditRow | undefined {
  const parsed = rowSchema.safeParse(entity);
  return parsed.success ? parsed.data : undefined;
}

export function headFromEntity(entity: TableEntityResult<Record<string, unknown>>): ChainHead | undefined {
  const parsed = headSchema.safeParse(entity);
  return parsed.success ? { ...parsed.data, etag: entity.etag } : undefined;
}
