import type { Logger } from '../logging/logger';
import type { ArgusEventMap, EventName } from './event-map';
import type { EventQueue, QueuedEvent, QueuedItem } from './event-queue';
import { EventStore, eventPartition, type StoredEvent } from './event-store';

export interface AcceptInput<N extends EventName> {
  name: N;
  source: string;
  idempotencyKey: string;
  correlationId?: string;
  /** The authenticated sender of a webhook: its receipt is audited when the event is processed. */
  deliveredBy?: string;
  payload: ArgusEventMap[N];
}

export type AcceptResult = { eventId: string; duplicate: boolean; correlationId: string };

export interface GroupCommitOptions {
  store: EventStore;
  queue: EventQueue;
  logger: Logger;
  /** Called whenever messages were sent for any instance to take (wakes the poll loops). */
  onEnqueued: () => void;
  /** The intake's fast path: runs stored events here, at once (see RunHere). */
  runHere?: RunHere;
}

/**
 * Running events on the instance that stored them, as soon as they are stored: as many as it has
 * room for now (never a queue in memory). They run while their messages are being sent, hidden for
 * `holdSeconds`, so that no other instance takes them unless the run never ends (a crash); each
 * message is deleted once its events are settled and it was sent. An event whose message could
 * not be sent runs all the same: its row is what the sweep goes by (a row still pending when due
 * is sent again), so a crash or a queue outage loses nothing. The rest are sent as usual, for any
 * instance.
 */
export interface RunHere {
  /**
   * Room to run up to `count` events here now: how many it took, and what runs them at once
   * (`items`, with the messages being sent for them) and gives back the room not used.
   */
  reserve(count: number): { count: number; run(items: QueuedItem[], messages: Promise<QueuedEvent[]>): void };
  holdSeconds: number;
}

/**
 * Group commits in flight at once (each one transaction on one partition). Few, so that what
 * arrives meanwhile makes the next transactions full: a transaction of two rows costs storage
 * about as much as two single inserts, one of ten about a third per row.
 */
const maxConcurrentCommits = 2;
/** After this long waiting, an event's partition is committed next whatever else is waiting. */
const maxGroupWaitMs = 20;

type Waiting = { input: AcceptInput<EventName>; partition: string; at: number; resolve: (r: AcceptResult) => void; reject: (e: unknown) => void };

/**
 * The accepting half of the durable intake. Concurrent accepts are group-committed: one
 * transaction for the events of one partition that arrived while earlier groups were being
 * written (several groups at once), acknowledged once stored; what was stored meanwhile then goes
 * out in as few queue messages as fit. An instance that dies between the two leaves stored events
 * without a message: the intake's sweep sends them.
 */
export class GroupCommit {
  private readonly accepting: Waiting[] = [];
  private commits = 0;
  private readonly toEnqueue: StoredEvent[] = [];
  private enqueuing = false;

  constructor(private readonly o: GroupCommitOptions) {}

  /** True while an accept is being stored or its message sent. */
  get busy(): boolean {
    return this.commits > 0 || this.accepting.length > 0 || this.enqueuing;
  }

  /** Stores the event (or recognises a redelivery); throws ARGUS_STORAGE_UNAVAILABLE when it cannot. */
  accept<N extends EventName>(input: AcceptInput<N>): Promise<AcceptResult> {
    return new Promise<AcceptResult>((resolve, reject) => {
      const partition = eventPartition(input.source, input.idempotencyKey);
      this.accepting.push({ input: input as AcceptInput<EventName>, partition, at: Date.now(), resolve, reject });
      this.pump();
    });
  }

  /** Starts group commits while there is room: several at once, each for one partition. */
  private pump(): void {
    while (this.accepting.length > 0 && this.commits < maxConcurrentCommits) {
      const group = this.takeGroup();
      this.commits += 1;
      void this.commit(group)
        .catch((err: unknown) => group.forEach((g) => g.reject(err)))
        .finally(() => {
          this.commits -= 1;
          this.pump();
        });
    }
  }

  /**
   * One group: one partition (a transaction never spans two), at most 100 events and about 2 MB.
   * The partition with the most events waiting goes first (fewer, fuller transactions), unless
   * the oldest waiting event has waited `maxGroupWaitMs`: then its partition goes, so a quiet
   * partition is never starved by busy ones.
   */
  private takeGroup(): Waiting[] {
    const oldest = this.accepting[0]!;
    let partition = oldest.partition;
    if (Date.now() - oldest.at < maxGroupWaitMs) {
      const counts = new Map<string, number>();
      let best = 0;
      for (const item of this.accepting) {
        const c = (counts.get(item.partition) ?? 0) + 1;
        counts.set(item.partition, c);
        if (c > best) {
          best = c;
          partition = item.partition;
        }
      }
    }
    const group: Waiting[] = [];
    const rest: Waiting[] = [];
    let bytes = 0;
    for (const item of this.accepting) {
      if (item.partition !== partition || group.length >= 100) {
        rest.push(item);
        continue;
      }
      const size = JSON.stringify(item.input.payload).length;
      if (group.length > 0 && bytes + size > 2_000_000) {
        rest.push(item);
        continue;
      }
      bytes += size;
      group.push(item);
    }
    this.accepting.splice(0, this.accepting.length, ...rest);
    return group;
  }

  private async commit(group: Waiting[]): Promise<void> {
    const many = group.length > 1 ? await this.o.store.createMany(group.map((g) => g.input)) : undefined;
    const stored: StoredEvent[] = [];
    if (many) {
      stored.push(...many);
      group.forEach((g, i) => g.resolve({ eventId: many[i]!.event.id, duplicate: false, correlationId: many[i]!.event.correlationId }));
    } else {
      // One at a time: a redelivery in the group, or a group of one.
      for (const g of group) {
        try {
          const result = await this.o.store.create(g.input);
          if (!result.created) {
            g.resolve({ eventId: result.existing.event.id, duplicate: true, correlationId: result.existing.event.correlationId });
            continue;
          }
          stored.push(result.stored);
          g.resolve({ eventId: result.stored.event.id, duplicate: false, correlationId: result.stored.event.correlationId });
        } catch (err) {
          g.reject(err);
        }
      }
    }
    if (stored.length === 0) return;
    // Enqueueing is a stage of its own: the next group is stored (and acknowledged) meanwhile.
    this.toEnqueue.push(...stored);
    if (!this.enqueuing) {
      this.enqueuing = true;
      void this.enqueueLoop();
    }
  }

  /**
   * Sends queue messages for stored events (whatever accumulated meanwhile, together): held ones
   * for the events run here (RunHere), visible ones for the rest.
   */
  private async enqueueLoop(): Promise<void> {
    while (this.toEnqueue.length > 0) {
      const batch = this.toEnqueue.splice(0, 500).map((e) => ({ partitionKey: e.partitionKey, rowKey: e.rowKey, event: e.event, etag: e.etag, fresh: true }));
      const runHere = this.o.runHere;
      const here = runHere?.reserve(batch.length);
      const held = batch.splice(0, here?.count ?? 0);
      const sendHeld = async () => {
        if (!runHere || !here) return;
        if (held.length === 0) return here.run([], Promise.resolve([]));
        const sending = this.o.queue.sendHeld(held, runHere.holdSeconds).catch((err: unknown): QueuedEvent[] => (this.notSent(err, held.length, true), []));
        here.run(held, sending); // at once: the send is not on the way to the card
        const sent = await sending;
        const unsent = held.length - sent.reduce((n, m) => n + m.items.length, 0);
        if (sent.length > 0 && unsent > 0) this.notSent(undefined, unsent, true);
      };
      const sendQueued = async () => {
        if (batch.length === 0) return;
        await this.o.queue.send(batch).catch((err: unknown) => this.notSent(err, batch.length));
        this.o.onEnqueued();
      };
      await Promise.all([sendHeld(), sendQueued()]);
    }
    this.enqueuing = false;
  }

  /** Stored is what the 2xx promises; the sweep enqueues them once the queue answers again (those run here, only if their run did not settle them). */
  private notSent(err: unknown, events: number, runHere = false): void {
    this.o.logger.warn(
      { err, events },
      runHere ? 'events stored and run here, but their messages were not sent; the sweep sends any left unsettled' : 'events stored but not enqueued; the sweep will enqueue them',
    );
  }
}
