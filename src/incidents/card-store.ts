import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { decodeKey, encodeKey, statusOf } from '../storage/keys';

export interface CardRecord {
  incidentName: string;
  conversationId: string;
  /** posting: claimed, the Bot Connector call may be under way; posted: activityId is known. */
  state: 'posting' | 'posted';
  activityId?: string;
  claimedAt: string;
  lastReplyAt?: string;
  etag: string;
}

function storageError(err: unknown): ArgusError {
  return new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
}

/**
 * One card per incident per conversation (table ArgusCards, PartitionKey = incident). Creating the
 * row in state `posting` before calling the Bot Connector is the create-once lock: whoever creates
 * it posts the card; everyone else updates it.
 */
export class CardStore {
  constructor(private readonly table: TableClient) {}

  async list(incidentName: string): Promise<CardRecord[]> {
    const out: CardRecord[] = [];
    try {
      const filter = `PartitionKey eq '${encodeKey(incidentName).replace(/'/g, "''")}'`;
      for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) out.push(this.fromEntity(e));
    } catch (err) {
      throw storageError(err);
    }
    return out;
  }

  /** Claims the right to post; undefined when a record already exists. */
  async claim(incidentName: string, conversationId: string, now = new Date()): Promise<CardRecord | undefined> {
    const entity = {
      partitionKey: encodeKey(incidentName),
      rowKey: encodeKey(conversationId),
      state: 'posting',
      claimedAt: now.toISOString(),
    };
    try {
      const res = await this.table.createEntity(entity);
      return { incidentName, conversationId, state: 'posting', claimedAt: entity.claimedAt, etag: res.etag ?? '' };
    } catch (err) {
      if (statusOf(err) === 409) return undefined;
      throw storageError(err);
    }
  }

  /** Re-claims a `posting` record left behind (a crash between claim and post). */
  async reclaim(record: CardRecord, now = new Date()): Promise<CardRecord | undefined> {
    return this.merge(record, { state: 'posting', claimedAt: now.toISOString() });
  }

  async markPosted(record: CardRecord, activityId: string): Promise<CardRecord | undefined> {
    return this.merge(record, { state: 'posted', activityId });
  }

  async markReplied(record: CardRecord, at: string): Promise<CardRecord | undefined> {
    return this.merge(record, { lastReplyAt: at });
  }

  /** Drops a claim whose post failed, so a later attempt can post. */
  async release(record: CardRecord): Promise<void> {
    try {
      await this.table.deleteEntity(encodeKey(record.incidentName), encodeKey(record.conversationId), { etag: record.etag });
    } catch (err) {
      if (statusOf(err) !== 404 && statusOf(err) !== 412) throw storageError(err);
    }
  }

  private async merge(record: CardRecord, changes: Partial<Pick<CardRecord, 'state' | 'activityId' | 'claimedAt' | 'lastReplyAt'>>): Promise<CardRecord | undefined> {
    try {
      const res = await this.table.updateEntity(
        { partitionKey: encodeKey(record.incidentName), rowKey: encodeKey(record.conversationId), ...changes },
        'Merge',
        { etag: record.etag },
      );
      return { ...record, ...changes, etag: res.etag ?? '' };
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) return undefined;
      throw storageError(err);
    }
  }

  private fromEntity(e: Record<string, unknown> & { etag?: string }): CardRecord {
    return {
      incidentName: decodeKey(String(e.partitionKey)),
      conversationId: decodeKey(String(e.rowKey)),
      state: e.state === 'posted' ? 'posted' : 'posting',
      activityId: typeof e.activityId === 'string' ? e.activityId : undefined,
      claimedAt: String(e.claimedAt ?? ''),
      lastReplyAt: typeof e.lastReplyAt === 'string' ? e.lastReplyAt : undefined,
      etag: String(e.etag ?? ''),
    };
  }
}
