import { createHash, randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { and, asEntityTable, eq, le, storageUnavailable, type EntityQuery, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { decodeKey, encodeKey } from '../storage/keys';
import { packJson, unpackJson } from '../storage/packed-json';
import type { ArgusEvent, EventName } from './event-map';

export const eventStatuses = ['pending', 'done', 'dead'] as const;
export type EventStatus = (typeof eventStatuses)[number];

export interface StoredEvent {
  event: ArgusEvent;
  status: EventStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  /** Seq of the audit row recording the event's receipt, once it is in the chain. */
  auditSeq?: number;
  /** When the intake's sweep last sent a pointer to the event (so another delivery may have run it). */
  sweptAt?: string;
  etag: string;
  partitionKey: string;
  rowKey: string;
}

/** A change of an event's status (and its bookkeeping). */
export interface EventChanges {
  status: EventStatus;
  attempts?: number;
  nextAttemptAt?: string;
  lastError?: string;
  auditSeq?: number;
  sweptAt?: string;
}

/** An event to store: Argus gives it its id, receipt time and (unless given) correlation id. */
export type NewEvent<N extends EventName = EventName> = Omit<ArgusEvent<N>, 'id' | 'receivedAt' | 'correlationId'> & { correlationId?: string };

/** The durable events of the intake (see TableEventStore for the layout). */
export interface EventStore {
  /** Stores a new event; when one with the same idempotency key exists, answers that one. */
  create<N extends EventName>(input: NewEvent<N>, now?: Date): Promise<{ created: true; stored: StoredEvent } | { created: false; existing: StoredEvent }>;
  /**
   * Stores several new events of one partition (see eventPartition) in one transaction (group
   * commit). Undefined when any of them already exists (then none was written): the caller
   * stores them one by one to tell the duplicates apart.
   */
  createMany(inputs: NewEvent[], now?: Date): Promise<StoredEvent[] | undefined>;
  get(partitionKey: string, rowKey: string): Promise<StoredEvent | undefined>;
  findById(eventId: string): Promise<StoredEvent | undefined>;
  /**
   * Pending events due before `before`. Called when the queue holds no message at all, these are
   * events whose message was never sent (a crash between storing and enqueueing, or a queue outage).
   */
  listOverdue(before: Date, limit?: number): Promise<StoredEvent[]>;
  listByStatus(status: EventStatus, limit?: number): Promise<StoredEvent[]>;
  /**
   * Moves an event to a new status with optimistic concurrency; returns the new etag, or undefined
   * when someone else changed it first.
   */
  transition(stored: Pick<StoredEvent, 'partitionKey' | 'rowKey' | 'etag'>, changes: EventChanges): Promise<string | undefined>;
}

/**
 * Partitions per source: spreads the events of a busy source over several partitions (each a unit
 * of throughput in Table Storage), yet few enough that events arriving together share a partition
 * and so a group commit. Rows are kept, so partitions grow with the history; Table Storage finds a
 * row by its keys whatever the partition holds, but the emulator (Azurite) scans the row's
 * partition (about 1 µs a row), so there every read and write of an event slows as the table
 * fills. 16 buckets quarter that, but cost about 15% of the acknowledgements per second (smaller
 * group commits) for a gain only the emulator sees.
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
 * same key finds it exists.
 */
export class TableEventStore implements EventStore {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async create<N extends EventName>(input: NewEvent<N>, now = new Date()): Promise<{ created: true; stored: StoredEvent } | { created: false; existing: StoredEvent }> {
    const event = this.newEvent(input, now);
    const entity = this.entityOf(event);
    const { partitionKey, rowKey } = entity;
    const res = await this.table.create(entity);
    if (res.created) return { created: true, stored: this.fresh(event, partitionKey, rowKey, res.etag) };
    const existing = await this.get(partitionKey, rowKey);
    if (!existing) throw storageUnavailable(new Error(`event row ${partitionKey}/${rowKey} exists but could not be read`));
    return { created: false, existing };
  }

  async createMany(inputs: NewEvent[], now = new Date()): Promise<StoredEvent[] | undefined> {
    const rows = inputs.map((input) => {
      const event = this.newEvent(input, now);
      return { event, entity: this.entityOf(event) };
    });
    const res = await this.table.submit(rows.map((r) => ({ op: 'create', entity: r.entity })));
    if (!res.ok) return undefined;
    return rows.map((r, i) => this.fresh(r.event, r.entity.partitionKey, r.entity.rowKey, res.etags[i] ?? ''));
  }

  private newEvent(input: NewEvent, now: Date): ArgusEvent {
    return { ...input, id: randomUUID(), receivedAt: now.toISOString(), correlationId: input.correlationId ?? randomUUID() } as ArgusEvent;
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
    const entity = await this.table.get(partitionKey, rowKey);
    return entity && this.fromEntity(entity);
  }

  async findById(eventId: string): Promise<StoredEvent | undefined> {
    return (await this.list({ where: eq('eventId', eventId) }, 1))[0];
  }

  async listOverdue(before: Date, limit = 500): Promise<StoredEvent[]> {
    return this.list({ where: and(eq('status', 'pending'), le('nextAttemptAt', before.toISOString())) }, limit);
  }

  async listByStatus(status: EventStatus, limit = 1000): Promise<StoredEvent[]> {
    return this.list({ where: eq('status', status) }, limit);
  }

  private async list(query: EntityQuery, limit: number): Promise<StoredEvent[]> {
    return (await this.table.list(query, limit)).map((e) => this.fromEntity(e));
  }

  async transition(stored: Pick<StoredEvent, 'partitionKey' | 'rowKey' | 'etag'>, changes: EventChanges): Promise<string | undefined> {
    return this.table.update({ partitionKey: stored.partitionKey, rowKey: stored.rowKey, ...changes }, { mode: 'merge', etag: stored.etag });
  }

  private fromEntity(entity: StoredEntity): StoredEvent {
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
      lastError: typeof entity.lastError === 'string' ? entity.lastError : undefined,
      auditSeq: typeof entity.auditSeq === 'number' ? entity.auditSeq : undefined,
      sweptAt: typeof entity.sweptAt === 'string' ? entity.sweptAt : undefined,
      etag: entity.etag,
      partitionKey: String(entity.partitionKey),
      rowKey: String(entity.rowKey),
    };
  }
}
