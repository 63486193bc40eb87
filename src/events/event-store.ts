import { createHash, randomUUID } from 'node:crypto';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { decodeKey, encodeKey, statusOf } from '../storage/keys';
import { packJson, unpackJson } from '../storage/packed-json';
import { listEntitiesWhere } from '../storage/list-entities';
import type { ArgusEvent, EventName } from './event-map';

export const eventStatuses = ['pending', 'processing', 'done', 'dead'] as const;
export type EventStatus = (typeof eventStatuses)[number];

export interface StoredEvent {
  event: ArgusEvent;
  status: EventStatus;
  attempts: number;
  nextAttemptAt: string;
  leaseUntil?: string;
  lastError?: string;
  /** Seq of the audit row recording the event's receipt, once it is in the chain. */
  auditSeq?: number;
  etag: string;
  partitionKey: string;
  rowKey: string;
}

type EventEntity = TableEntityResult<Record<string, unknown>>;

/** A change of an event's status (and its bookkeeping). */
export interface EventChanges {
  status: EventStatus;
  attempts?: number;
  nextAttemptAt?: string;
  leaseUntil?: string;
  lastError?: string;
  auditSeq?: number;
}

function storageDown(err: unknown): ArgusError {
  return new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
}

/**
 * Partitions per source: spreads the events of a busy source over several partitions (each a unit
 * of throughput in Table Storage, and a smaller one to search in Azurite), yet few enough that
 * events arriving together share a partition and so a group commit.
 */
const buckets = 4;

/**
 * The partition of an event: its source and a bucket derived from the idempotency key, so a
 * redelivery lands on the same row (the idempotency lock) while one source's events spread over
 * `buckets` partitions (a partition is a unit of throughput in Table Storage).
 */
export function eventPartition(source: string, idempotencyKey: string): string {
  const bucket = createHash('sha256').update(idempotencyKey).digest()[0]! % buckets;
  return `${encodeKey(source)}-${bucket.toString(16)}`;
}

/**
 * Stored events (table ArgusEvents): PartitionKey = `<source>-<bucket>` (see eventPartition),
 * RowKey = the idempotency key. Creating the row is the idempotency lock: a second create of the
 * same key answers 409.
 */
export class EventStore {
  constructor(private readonly table: TableClient) {}

  /** Stores a new event; returns undefined when one with the same key exists (and that one). */
  async create<N extends EventName>(
    input: Omit<ArgusEvent<N>, 'id' | 'receivedAt' | 'correlationId'> & { correlationId?: string },
    now = new Date(),
  ): Promise<{ created: true; stored: StoredEvent } | { created: false; existing: StoredEvent }> {
    const event = {
      ...input,
      id: randomUUID(),
      receivedAt: now.toISOString(),
      correlationId: input.correlationId ?? randomUUID(),
    } as ArgusEvent<N>;
    const entity = this.entityOf(event as ArgusEvent);
    const { partitionKey, rowKey } = entity;
    try {
      const res = await this.table.createEntity(entity);
      return { created: true, stored: this.fresh(event as ArgusEvent, partitionKey, rowKey, res.etag ?? '') };
    } catch (err) {
      if (statusOf(err) === 409) {
        const existing = await this.get(partitionKey, rowKey);
        if (existing) return { created: false, existing };
      }
      throw storageDown(err);
    }
  }

  /**
   * Stores several new events of one partition (see eventPartition) in one entity-group
   * transaction (group commit).
   * Resolves undefined when any of them already exists (the transaction then wrote nothing):
   * the caller stores them one by one to tell the duplicates apart.
   */
  async createMany(inputs: Array<Omit<ArgusEvent, 'id' | 'receivedAt' | 'correlationId'> & { correlationId?: string }>, now = new Date()): Promise<StoredEvent[] | undefined> {
    const rows = inputs.map((input) => {
      const event = { ...input, id: randomUUID(), receivedAt: now.toISOString(), correlationId: input.correlationId ?? randomUUID() } as ArgusEvent;
      return { event, entity: this.entityOf(event) };
    });
    try {
      const res = await this.table.submitTransaction(rows.map((r) => ['create', r.entity]));
      // Sub-responses come in the order of the actions.
      return rows.map((r, i) => this.fresh(r.event, r.entity.partitionKey, r.entity.rowKey, res.subResponses[i]?.etag ?? ''));
    } catch (err) {
      const status = statusOf(err);
      if (status === 409 || status === 400) return undefined;
      throw storageDown(err);
    }
  }

  private entityOf(event: ArgusEvent) {
    return {
      partitionKey: eventPartition(event.source, event.idempotencyKey),
      rowKey: encodeKey(event.idempotencyKey),
      source: event.source,
      eventId: event.id,
      name: event.name,
      correlationId: event.correlationId,
      receivedAt: event.receivedAt,
      ...(event.deliveredBy ? { deliveredBy: event.deliveredBy } : {}),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: event.receivedAt,
      ...packJson(event.payload, 'payload'),
    };
  }

  private fresh(event: ArgusEvent, partitionKey: string, rowKey: string, etag: string): StoredEvent {
    return { event, status: 'pending', attempts: 0, nextAttemptAt: event.receivedAt, etag, partitionKey, rowKey };
  }

  async get(partitionKey: string, rowKey: string): Promise<StoredEvent | undefined> {
    try {
      return this.fromEntity(await this.table.getEntity<Record<string, unknown>>(partitionKey, rowKey));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storageDown(err);
    }
  }

  async findById(eventId: string): Promise<StoredEvent | undefined> {
    const filter = `eventId eq '${eventId.replace(/'/g, "''")}'`;
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      return this.fromEntity(entity as EventEntity);
    }
    return undefined;
  }

  /**
   * Pending events due before `before`. Called when the queue holds no message at all, these are
   * events whose message was never sent (a crash between storing and enqueueing, or a queue outage).
   */
  async listOverdue(before: Date, limit = 500): Promise<StoredEvent[]> {
    return this.list(`status eq 'pending' and nextAttemptAt le '${before.toISOString()}'`, limit);
  }

  async listByStatus(status: EventStatus, limit = 1000): Promise<StoredEvent[]> {
    return this.list(`status eq '${status}'`, limit);
  }

  private list(filter: string, limit: number): Promise<StoredEvent[]> {
    return listEntitiesWhere(this.table, filter, (e) => this.fromEntity(e as EventEntity), limit);
  }


  /**
   * Moves an event to a new status with optimistic concurrency; returns the new etag, or undefined
   * when someone else changed it first (412).
   */
  async transition(
    stored: Pick<StoredEvent, 'partitionKey' | 'rowKey' | 'etag'>,
    changes: EventChanges,
  ): Promise<string | undefined> {
    try {
      const res = await this.table.updateEntity(
        { partitionKey: stored.partitionKey, rowKey: stored.rowKey, ...changes },
        'Merge',
        { etag: stored.etag },
      );
      return res.etag;
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) return undefined;
      throw storageDown(err);
    }
  }

  private fromEntity(entity: EventEntity): StoredEvent {
    const event: ArgusEvent = {
      id: String(entity.eventId),
      name: String(entity.name) as EventName,
      idempotencyKey: decodeKey(String(entity.rowKey)),
      source: typeof entity.source === 'string' ? entity.source : decodeKey(String(entity.partitionKey)),
      receivedAt: String(entity.receivedAt),
      correlationId: String(entity.correlationId),
      ...(typeof entity.deliveredBy === 'string' ? { deliveredBy: entity.deliveredBy } : {}),
      payload: unpackJson(entity, 'payload'),
    };
    return {
      event,
      status: String(entity.status) as EventStatus,
      attempts: Number(entity.attempts ?? 0),
      nextAttemptAt: String(entity.nextAttemptAt ?? event.receivedAt),
      leaseUntil: typeof entity.leaseUntil === 'string' ? entity.leaseUntil : undefined,
      lastError: typeof entity.lastError === 'string' ? entity.lastError : undefined,
      auditSeq: typeof entity.auditSeq === 'number' ? entity.auditSeq : undefined,
      etag: entity.etag,
      partitionKey: String(entity.partitionKey),
      rowKey: String(entity.rowKey),
    };
  }
}
