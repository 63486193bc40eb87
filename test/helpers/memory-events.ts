import { randomUUID } from 'node:crypto';
import { ArgusError } from '../../src/errors/catalog';
import type { ArgusEvent } from '../../src/events/event-map';
import type { EventQueue, EventRef, QueuedEvent, QueuedItem } from '../../src/events/event-queue';
import { eventPartition, type EventChanges, type EventStore, type StoredEvent } from '../../src/events/event-store';
import { encodeKey } from '../../src/storage/keys';

type NewEvent = Parameters<EventStore['createMany']>[0][number];

/**
 * A switch for a fake's storage calls: `down` makes them fail as storage does
 * (ARGUS_STORAGE_UNAVAILABLE); `hold()` parks them until the returned release is called.
 */
class Outage {
  down = false;
  private gate?: Promise<void>;

  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  async pass(): Promise<void> {
    while (this.gate) await this.gate;
    if (this.down) throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'storage is down (test)');
  }
}

const copy = <T>(value: T): T => structuredClone(value);

/**
 * EventStore in memory, with the table's semantics: the idempotency key is the row (a second
 * create answers the existing event), createMany writes all or nothing, and `transition` is
 * guarded by the etag (undefined when the row changed or is gone).
 */
export function memoryEventStore() {
  const rows = new Map<string, StoredEvent>();
  const outage = new Outage();
  /** Every create and createMany, in order, with the idempotency keys asked for and when; and the count of transitions. */
  const calls = { writes: [] as Array<{ op: 'create' | 'createMany'; keys: string[]; at: number }>, transition: 0 };
  let version = 0;
  const key = (pk: string, rk: string) => `${pk}\u0000${rk}`;
  const etag = () => `W/"ev-${(version += 1)}"`;

  function row(input: NewEvent, now: Date): StoredEvent {
    const event = { ...input, id: randomUUID(), receivedAt: now.toISOString(), correlationId: input.correlationId ?? randomUUID() } as ArgusEvent;
    const partitionKey = eventPartition(event.source, event.idempotencyKey);
    return { event, status: 'pending', attempts: 0, nextAttemptAt: event.receivedAt, etag: etag(), partitionKey, rowKey: encodeKey(event.idempotencyKey) };
  }

  const store = {
    async create(input: NewEvent, now = new Date()) {
      calls.writes.push({ op: 'create', keys: [input.idempotencyKey], at: Date.now() });
      await outage.pass();
      const fresh = row(input, now);
      const existing = rows.get(key(fresh.partitionKey, fresh.rowKey));
      if (existing) return { created: false as const, existing: copy(existing) };
      rows.set(key(fresh.partitionKey, fresh.rowKey), fresh);
      return { created: true as const, stored: copy(fresh) };
    },
    async createMany(inputs: NewEvent[], now = new Date()) {
      calls.writes.push({ op: 'createMany', keys: inputs.map((i) => i.idempotencyKey), at: Date.now() });
      await outage.pass();
      const fresh = inputs.map((input) => row(input, now));
      const keys = new Set(fresh.map((r) => key(r.partitionKey, r.rowKey)));
      if (keys.size !== fresh.length || [...keys].some((k) => rows.has(k))) return undefined;
      for (const r of fresh) rows.set(key(r.partitionKey, r.rowKey), r);
      return fresh.map(copy);
    },
    async get(partitionKey: string, rowKey: string) {
      await outage.pass();
      const found = rows.get(key(partitionKey, rowKey));
      return found && copy(found);
    },
    async findById(eventId: string) {
      await outage.pass();
      const found = [...rows.values()].find((r) => r.event.id === eventId);
      return found && copy(found);
    },
    async listOverdue(before: Date, limit = 500) {
      await outage.pass();
      return [...rows.values()].filter((r) => r.status === 'pending' && r.nextAttemptAt <= before.toISOString()).slice(0, limit).map(copy);
    },
    async listByStatus(status: StoredEvent['status'], limit = 1000) {
      await outage.pass();
      return [...rows.values()].filter((r) => r.status === status).slice(0, limit).map(copy);
    },
    async transition(stored: Pick<StoredEvent, 'partitionKey' | 'rowKey' | 'etag'>, changes: EventChanges) {
      calls.transition += 1;
      await outage.pass();
      const current = rows.get(key(stored.partitionKey, stored.rowKey));
      if (!current || current.etag !== stored.etag) return undefined;
      const next = { ...current, ...changes, etag: etag() };
      rows.set(key(stored.partitionKey, stored.rowKey), next);
      return next.etag;
    },
  };
  return {
    /** Pass this where an EventStore is wanted. */
    store: store as unknown as EventStore,
    outage,
    calls,
    /** Every stored event, as stored now. */
    rows: () => [...rows.values()].map(copy),
    /** The stored event with this idempotency key. */
    byKey: (idempotencyKey: string) => [...rows.values()].map(copy).find((r) => r.event.idempotencyKey === idempotencyKey),
    /** Changes a row behind the intake's back (another instance's write): a new etag. */
    touch(ref: EventRef, changes: Partial<EventChanges> = {}) {
      const current = rows.get(key(ref.partitionKey, ref.rowKey));
      if (current) rows.set(key(ref.partitionKey, ref.rowKey), { ...current, ...changes, etag: etag() });
    },
    remove: (ref: EventRef) => rows.delete(key(ref.partitionKey, ref.rowKey)),
  };
}

interface Message {
  id: string;
  items: QueuedItem[];
  sentAt: number;
  visibleAt: number;
  dequeueCount: number;
  popReceipt: string;
}

/**
 * EventQueue in memory, with the queue's semantics: a received message hides for its visibility
 * timeout and comes back unless completed with its latest pop receipt; a delayed send stays hidden
 * for the delay (kept exact here, where Azure rounds up to whole seconds); the oldest message is
 * handed out first. `sends` records every send with its delay, `held` every sendHeld.
 */
export function memoryEventQueue() {
  const messages: Message[] = [];
  const outage = new Outage();
  const sends: Array<{ items: QueuedItem[]; delayMs: number }> = [];
  /** Every sendHeld, apart from `sends`: messages of events their sender runs itself. */
  const held: Array<{ items: QueuedItem[]; holdMs: number }> = [];
  const poison: EventRef[] = [];
  /** The dequeue count of every message handed out (above 1: a message that came back). */
  const deliveries: number[] = [];
  let n = 0;
  const visible = (now: number) => messages.filter((m) => m.visibleAt <= now).sort((a, b) => a.sentAt - b.sentAt || Number(a.id) - Number(b.id));

  const queue = {
    async send(items: QueuedItem[], delaySeconds = 0) {
      await outage.pass();
      const delayMs = Math.max(0, delaySeconds * 1000);
      sends.push({ items: copy(items), delayMs });
      const now = Date.now();
      messages.push({ id: String((n += 1)), items: copy(items), sentAt: now, visibleAt: now + delayMs, dequeueCount: 0, popReceipt: '' });
    },
    /** One message of pointers, hidden for `holdSeconds`, answered with its pop receipt (the fast path's send). */
    async sendHeld(items: QueuedItem[], holdSeconds: number): Promise<QueuedEvent[]> {
      await outage.pass();
      const pointers = items.map((i) => ({ partitionKey: i.partitionKey, rowKey: i.rowKey }));
      held.push({ items: copy(pointers), holdMs: holdSeconds * 1000 });
      const now = Date.now();
      const message = { id: String((n += 1)), items: pointers, sentAt: now, visibleAt: now + holdSeconds * 1000, dequeueCount: 0, popReceipt: randomUUID() };
      messages.push(message);
      return [{ items, messageId: message.id, popReceipt: message.popReceipt, dequeueCount: 0 }];
    },
    async receive(max: number, visibilityTimeoutSeconds: number): Promise<QueuedEvent[]> {
      await outage.pass();
      const now = Date.now();
      return visible(now)
        .slice(0, Math.min(32, max))
        .map((m) => {
          m.dequeueCount += 1;
          m.popReceipt = randomUUID();
          m.visibleAt = now + visibilityTimeoutSeconds * 1000;
          deliveries.push(m.dequeueCount);
          return { items: copy(m.items), messageId: m.id, popReceipt: m.popReceipt, dequeueCount: m.dequeueCount };
        });
    },
    async complete(msg: QueuedEvent) {
      const i = messages.findIndex((m) => m.id === msg.messageId && m.popReceipt === msg.popReceipt);
      if (i >= 0) messages.splice(i, 1);
    },
    async deadLetter(ref: EventRef) {
      poison.push({ partitionKey: ref.partitionKey, rowKey: ref.rowKey });
    },
    async oldestAgeMs(now = Date.now()) {
      const first = visible(now)[0];
      return first ? now - first.sentAt : 0;
    },
    /** The earliest receipt time of the events the visible messages carry (the send time for bare pointers). */
    async oldestWaitingAt() {
      const times = visible(Date.now()).flatMap((m) => m.items.map((i) => (i.event ? Date.parse(i.event.receivedAt) : m.sentAt)));
      return times.length ? new Date(Math.min(...times)) : undefined;
    },
    async depth() {
      return messages.length;
    },
  };
  return {
    /** Pass this where an EventQueue is wanted. */
    queue: queue as unknown as EventQueue,
    outage,
    sends,
    held,
    poison,
    deliveries,
    /** Messages in the queue, visible or not. */
    size: () => messages.length,
  };
}
