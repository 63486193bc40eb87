import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { isConflict } from '../storage/keys';
import { checkpointEntity, checkpointFromEntity, checkpointPartition, checkpointRowKey, type SignedCheckpoint } from './checkpoint';

/** The newest stored checkpoint: none, one, or a row that is not a readable checkpoint. */
export type LatestCheckpoint =
  | { kind: 'none' }
  | { kind: 'checkpoint'; checkpoint: SignedCheckpoint }
  | { kind: 'malformed'; rowKey: string };

/** Table ArgusAuditCheckpoints (layout in checkpoint.ts). */
export class CheckpointStore {
  constructor(private readonly client: TableClient) {}

  /** The newest checkpoint; with `atOrBelow`, the newest covering at most that seq. */
  async latest(options: { atOrBelow?: number } = {}): Promise<LatestCheckpoint> {
    const below = options.atOrBelow === undefined ? '' : odata` and RowKey ge ${checkpointRowKey(options.atOrBelow)}`;
    for await (const entity of this.entities(1, below)) {
      const checkpoint = checkpointFromEntity(entity);
      return checkpoint ? { kind: 'checkpoint', checkpoint } : { kind: 'malformed', rowKey: entity.rowKey ?? '' };
    }
    return { kind: 'none' };
  }

  /** Newest first; rows that are not readable checkpoints are left out. */
  async list(limit: number): Promise<SignedCheckpoint[]> {
    const out: SignedCheckpoint[] = [];
    for await (const entity of this.entities(limit)) {
      const checkpoint = checkpointFromEntity(entity);
      if (checkpoint) out.push(checkpoint);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Stores a checkpoint; one of the same seq stored by another instance meanwhile is as good. */
  async put(checkpoint: SignedCheckpoint): Promise<void> {
    try {
      await this.client.createEntity(checkpointEntity(checkpoint));
    } catch (err) {
      if (isConflict(err)) return;
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not store an audit checkpoint', { cause: err });
    }
  }

  private async *entities(pageSize: number, andFilter = ''): AsyncGenerator<TableEntityResult<Record<string, unknown>>> {
    try {
      const pages = this.client
        .listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${checkpointPartition}` + andFilter } })
        .byPage({ maxPageSize: Math.min(1000, Math.max(1, pageSize)) });
      for await (const page of pages) for (const entity of page) yield entity;
    } catch (err) {
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not read the audit checkpoints', { cause: err });
    }
  }
}
