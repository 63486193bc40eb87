import type { TableEntity } from '@azure/data-tables';
import { z } from 'zod';
import { padSeq } from '../storage/keys';
import type { AuditRow } from './audit-record';

/*
 * Layout of table ArgusAudit. The chain is cut into segments of `segmentRows` rows, one partition
 * each, so that appending rows and moving that segment's head is one entity-group transaction
 * (transactions never span partitions) while no partition grows without bound:
 *   PartitionKey 'chain' (seq 1…S), 'chain-00000001' (seq S+1…2S), …  RowKey = seq zero-padded
 *   to 12 digits — one row per action
 *   RowKey 'head' in each of them — { seq, hash, at } of the segment's last row
 * Digits sort before 'head' and segment partitions sort in chain order, so listing the
 * PartitionKey range 'chain' … 'chain.' yields the rows in chain order (and each segment's head
 * after its rows). A segment is started only when the one before is full, so the chain's head is
 * the head of the last segment that has one.
 */
export const chainPartition = 'chain';
export const headRowKey = 'head';
export const seqDigits = 12;
export const rowKeyPattern = /^\d{12}$/;
/** Rows per segment (partition) of the chain. */
export const defaultSegmentRows = 1000;
/** The PartitionKey range of every segment of the chain. */
export const allChainPartitions = { ge: chainPartition, lt: `${chainPartition}.` } as const;

export const segmentPartition = (segment: number): string =>
  segment === 0 ? chainPartition : `${chainPartition}-${String(segment).padStart(8, '0')}`;
export const segmentOf = (seq: number, segmentRows: number): number => Math.max(0, Math.floor((seq - 1) / segmentRows));

export const rowKeyOf = (seq: number): string => padSeq(seq, seqDigits);

export interface ChainHead {
  seq: number;
  hash: string;
  at: string;
  etag?: string;
  /** The segment whose head row this is (0 for an empty chain). */
  segment?: number;
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

export function entityFromRow(row: AuditRow, segmentRows = defaultSegmentRows): TableEntity<AuditRow> {
  return { partitionKey: segmentPartition(segmentOf(row.seq, segmentRows)), rowKey: rowKeyOf(row.seq), ...row };
}

export function headEntity(head: ChainHead, segment: number): TableEntity<Omit<ChainHead, 'etag' | 'segment'>> {
  return { partitionKey: segmentPartition(segment), rowKey: headRowKey, seq: head.seq, hash: head.hash, at: head.at };
}

/** The row an entity holds, or undefined when its properties are missing or mistyped. */
export function rowFromEntity(entity: Record<string, unknown>): AuditRow | undefined {
  const parsed = rowSchema.safeParse(entity);
  return parsed.success ? parsed.data : undefined;
}

export function headFromEntity(entity: Record<string, unknown> & { etag?: string }): ChainHead | undefined {
  const parsed = headSchema.safeParse(entity);
  return parsed.success ? { ...parsed.data, etag: entity.etag } : undefined;
}
