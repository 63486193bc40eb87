import type { TableClient } from '@azure/data-tables';
import { asEntityTable, type EntityTable } from '../storage/entity-table';
import { checkpointEntity, checkpointFromEntity, checkpointPartition, checkpointRowKey, type SignedCheckpoint } from './checkpoint';

/** The newest stored checkpoint: none, one, or a row that is not a readable checkpoint. */
export type LatestCheckpoint =
  | { kind: 'none' }
  | { kind: 'checkpoint'; checkpoint: SignedCheckpoint }
  | { kind: 'malformed'; rowKey: string };

/** Where signed audit checkpoints are kept. */
export interface CheckpointStore {
  /** The newest checkpoint; with `atOrBelow`, the newest covering at most that seq. */
  latest(options?: { atOrBelow?: number }): Promise<LatestCheckpoint>;
  /** Newest first; rows that are not readable checkpoints are left out. */
  list(limit: number): Promise<SignedCheckpoint[]>;
  /** Stores a checkpoint; one of the same seq stored by another instance meanwhile is as good. */
  put(checkpoint: SignedCheckpoint): Promise<void>;
}

/** Table ArgusAuditCheckpoints (layout in checkpoint.ts). */
export class TableCheckpointStore implements CheckpointStore {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async latest(options: { atOrBelow?: number } = {}): Promise<LatestCheckpoint> {
    const rowKey = options.atOrBelow === undefined ? undefined : { ge: checkpointRowKey(options.atOrBelow) };
    const [entity] = await this.table.list({ partitionKey: checkpointPartition, rowKey }, 1);
    if (!entity) return { kind: 'none' };
    const checkpoint = checkpointFromEntity(entity);
    return checkpoint ? { kind: 'checkpoint', checkpoint } : { kind: 'malformed', rowKey: entity.rowKey ?? '' };
  }

  async list(limit: number): Promise<SignedCheckpoint[]> {
    const out: SignedCheckpoint[] = [];
    for await (const entity of this.table.scan({ partitionKey: checkpointPartition }, { pageSize: limit })) {
      const checkpoint = checkpointFromEntity(entity);
      if (checkpoint) out.push(checkpoint);
      if (out.length >= limit) break;
    }
    return out;
  }

  async put(checkpoint: SignedCheckpoint): Promise<void> {
    await this.table.create({ ...checkpointEntity(checkpoint) });
  }
}
