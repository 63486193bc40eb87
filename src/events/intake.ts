import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import type { ArgusEvent, ArgusEventMap, EventName } from './event-map';
import type { EventQueue, QueuedEvent, QueuedItem } from './event-queue';
import { EventStore, eventPartition, type EventChanges, type StoredEvent } from './event-store';
import type { ReceiptAudit } from './receipt-audit';
import type { EventRouter } from './router';

export interface IntakeOptions {
  store: EventStore;
  queue: EventQueue;
  router: EventRouter;
  logger: Logger;
  /** Appends the audit row of each event that came in through a webhook (see ReceiptAudit). */
  receipts?: ReceiptAudit;
  /** Attempts before an event is dead-lettered. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a received message (and the claim on its event) is ours. */
  visibilityTimeoutSeconds?: number;
  /** Events processed at once by this instance. */
  concurrency?: number;
  /** How often stored events are scanned for work whose queue message was lost. */
  sweepIntervalMs?: number;
  /** Longest wait between two looks at an empty queue. */
  maxPollIntervalMs?: number;
  onProcessed?: (event: ArgusEvent, outcome: 'done' | 'retry' | 'dead', error?: unknown) => void;
  /**
   * True while acknowledging webhooks is busy: processing then runs at `busyConcurrency`, so a
   * burst is stored and acknowledged first and worked off right after (the backlog shows in
   * /metrics and the log), instead of both competing for storage.
   */
  intakeBusy?: () => boolean;
  busyConcurrency?: number;
}

/**
 * Group commits in flight at once (each one transaction on one partition). Few, so that what
 * arrives meanwhile makes the next transactions full: a transaction of two rows costs storage
 * about as much as two single inserts, one of ten about a third per row.
 */
const maxConcurrentCommits = 2;
/** After this long waiting, an event's partition is committed next whatever else is waiting. */
const maxGroupWaitMs = 20;

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

/**
 * Durable intake: persist → enqueue → acknowledge; processing runs from the stored event.
 * The event row (idempotency key) is written before the sender's 2xx; a message on an Azure
 * Storage queue points at it, so the instances sharing the account share the work. A failure
 * hides the message for the backoff (exponential, with jitter); after `maxAttempts` the event is
 * dead-lettered (status `dead` + the poison queue) until replayed. A crash mid-way loses nothing:
 * the message comes back when its visibility timeout ends, and a sweep re-enqueues stored events
 * whose message was never sent.
 */
export class DurableIntake {
  private inFlight = 0;
  private readonly accepting: Array<{ input: AcceptInput<EventName>; partition: string; at: number; resolve: (r: AcceptResult) => void; reject: (e: unknown) => void }> = [];
  /** Group commits in flight. */
  private commits = 0;
  private readonly toEnqueue: StoredEvent[] = [];
  private enqueuing = false;
  private running = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private sweeper?: NodeJS.Timeout;
  private stopping = false;
  private readonly o: Required<Omit<IntakeOptions, 'onProcessed' | 'intakeBusy' | 'receipts'>> & Pick<IntakeOptions, 'onProcessed' | 'intakeBusy' | 'receipts'>;

  constructor(options: IntakeOptions) {
    this.o = {
      maxAttempts: 8,
      baseDelayMs: 500,
      maxDelayMs: 5 * 60_000,
      visibilityTimeoutSeconds: 120,
      concurrency: 16,
      sweepIntervalMs: Math.min(30_000, (options.visibilityTimeoutSeconds ?? 120) * 1000),
      maxPollIntervalMs: 1_000,
      busyConcurrency: 2,
      ...options,
    };
  }

  /**
   * Stores the event (or recognises a redelivery). Throws ARGUS_STORAGE_UNAVAILABLE when it
   * cannot. Concurrent accepts are group-committed: one transaction for the events of one partition
   * that arrived while earlier groups were being written (several groups are written at once), and
   * one queue message for what was stored meanwhile.
   */
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
  private takeGroup(): typeof this.accepting {
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
    const group: typeof this.accepting = [];
    const rest: typeof this.accepting = [];
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

  private async commit(group: typeof this.accepting): Promise<void> {
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

  /** Sends queue messages for stored events (whatever accumulated meanwhile, together). */
  private async enqueueLoop(): Promise<void> {
    while (this.toEnqueue.length > 0) {
      const batch = this.toEnqueue.splice(0, 500);
      try {
        await this.o.queue.send(batch.map((e) => ({ partitionKey: e.partitionKey, rowKey: e.rowKey, event: e.event, etag: e.etag, fresh: true })));
      } catch (err) {
        // Stored is what the 2xx promises; the sweep enqueues them once the queue answers again.
        this.o.logger.warn({ err, events: batch.length }, 'events stored but not enqueued; the sweep will enqueue them');
      }
      this.wakeAll();
    }
    this.enqueuing = false;
  }

  start(): void {
    for (let i = 0; i < Math.max(1, Math.ceil(this.o.concurrency / 8)); i += 1) this.loops.push(this.pollLoop());
    const sweep = () => void this.sweep().catch((err: unknown) => this.o.logger.warn({ err }, 'event sweep failed'));
    sweep();
    this.sweeper = setInterval(sweep, this.o.sweepIntervalMs);
    this.sweeper.unref();
  }

  /** Stops taking new messages and waits for what is running; unfinished work stays queued. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.wakeAll();
    await Promise.allSettled(this.loops);
  }

  /** Resolves when nothing is running and the queue was last seen empty (tests and benchmarks). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.wakeAll();
      const quiet = () => this.inFlight === 0 && this.commits === 0 && this.accepting.length === 0 && !this.enqueuing;
      if (quiet() && (await this.o.queue.depth()) === 0 && quiet()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`intake not idle after ${timeoutMs} ms`);
  }

  get processing(): number {
    return this.inFlight;
  }

  async depth(): Promise<number> {
    return this.o.queue.depth();
  }

  async oldestAgeMs(): Promise<number> {
    return this.o.queue.oldestAgeMs();
  }

  async listDead(): Promise<StoredEvent[]> {
    return this.o.store.listByStatus('dead');
  }

  /** Puts a dead (or finished) event back in the queue with a fresh attempt budget. */
  async replay(eventId: string): Promise<boolean> {
    const stored = await this.o.store.findById(eventId);
    if (!stored) return false;
    const etag = await this.o.store.transition(stored, { status: 'pending', attempts: 0, nextAttemptAt: new Date().toISOString(), lastError: '' });
    if (!etag) return false;
    await this.o.queue.send([{ partitionKey: stored.partitionKey, rowKey: stored.rowKey }]);
    this.wakeAll();
    return true;
  }

  private wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }

  private async pollLoop(): Promise<void> {
    let pause = 20;
    while (!this.stopping) {
      // Fetch more only while there is room: messages waiting in memory would hide from other instances.
      const room = this.inFlight < this.limit ? Math.max(1, Math.ceil((this.limit - this.inFlight) / 8)) : 0;
      let messages: QueuedEvent[] = [];
      if (room > 0) {
        try {
          messages = await this.o.queue.receive(room, this.o.visibilityTimeoutSeconds);
        } catch (err) {
          this.o.logger.warn({ err }, 'cannot read the event queue (storage unavailable?)');
        }
      }
      if (messages.length === 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.wakers.delete(done);
            resolve();
          };
          const timer = setTimeout(done, pause);
          this.wakers.add(done);
        });
        pause = Math.min(this.o.maxPollIntervalMs, pause * 2);
        continue;
      }
      pause = 20;
      for (const msg of messages) {
        this.inFlight += msg.items.length;
        void this.handleMessage(msg)
          .catch((err: unknown) => this.o.logger.error({ err }, 'event processing failed unexpectedly'))
          .finally(() => {
            this.inFlight -= msg.items.length;
            this.wakeAll();
          });
      }
    }
  }

  /**
   * Processes every event a message points at; the message is completed when all are settled.
   * An event that must be retried gets a message of its own, delayed by its backoff.
   */
  private async handleMessage(msg: QueuedEvent): Promise<void> {
    await Promise.all(
      msg.items.map(async (item) => {
        const release = await this.slot();
        try {
          await this.handle(item, msg.dequeueCount);
        } finally {
          release();
        }
      }),
    );
    await this.o.queue.complete(msg);
  }

  private get limit(): number {
    return this.o.intakeBusy?.() ? Math.min(this.o.busyConcurrency, this.o.concurrency) : this.o.concurrency;
  }

  /** At most `limit` events are processed at once, however they were batched. */
  private async slot(): Promise<() => void> {
    // Re-checked every 50 ms as well: the limit rises again when the burst is over.
    while (this.running >= this.limit)
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.slotWaiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    this.running += 1;
    return () => {
      this.running -= 1;
      this.slotWaiters.shift()?.();
    };
  }

  /**
   * Handlers are idempotent (incident versions are compared, write-backs carry stable ids), so an
   * event delivered twice — a message that reappeared, a sweep — does no harm twice; there is no
   * claim round trip on the hot path. The outcome is written with the row's etag (see `settle`).
   * A webhook's receipt is appended to the audit chain before its handler runs, once.
   */
  private async handle(item: QueuedItem, dequeueCount: number): Promise<void> {
    let stored: StoredEvent | undefined;
    // The first delivery of a fresh message carries the event as stored; anything else reads the row.
    const first = item.fresh === true && dequeueCount === 1;
    if (item.event && first) {
      // The etag the row had when stored; without one, `settle` reads the row first.
      stored = { event: item.event, status: 'pending', attempts: 0, nextAttemptAt: item.event.receivedAt, etag: item.etag ?? '', partitionKey: item.partitionKey, rowKey: item.rowKey };
    } else {
      stored = await this.o.store.get(item.partitionKey, item.rowKey);
      if (!stored || stored.status === 'done' || stored.status === 'dead') return;
    }
    const { event } = stored;
    const log = this.o.logger.child({ eventId: event.id, event: event.name, correlationId: event.correlationId });
    const attempt = stored.attempts;
    let auditSeq: number | undefined;
    try {
      if (this.o.receipts && event.deliveredBy !== undefined && stored.auditSeq === undefined) {
        // Only a delivery that may follow an interrupted one can find its receipt already there.
        const found = first && attempt === 0 ? undefined : await this.o.receipts.find(event);
        auditSeq = found ?? (await this.o.receipts.record(event));
      }
      await this.o.router.dispatch(event, { log, correlationId: event.correlationId, attempt });
    } catch (err) {
      await this.fail(stored, err, log, auditSeq);
      return;
    }
    const receipt = auditSeq === undefined ? {} : { auditSeq };
    await this.settle(stored, (row) => (row.status === 'done' ? undefined : { status: 'done', attempts: Math.max(row.attempts, attempt) + 1, lastError: '', ...receipt }));
    this.o.onProcessed?.(event, 'done');
  }

  private async fail(stored: StoredEvent, err: unknown, log: Logger, auditSeq?: number): Promise<void> {
    const lastError = describe(err);
    const ref = { partitionKey: stored.partitionKey, rowKey: stored.rowKey };
    let attempts = 0;
    let delayMs = 0;
    const applied = await this.settle(stored, (row) => {
      // Finished by another instance meanwhile, or already dead-lettered: nothing to retry.
      if (row.status === 'done' || row.status === 'dead') return undefined;
      attempts = row.attempts + 1;
      const receipt = auditSeq === undefined ? {} : { auditSeq };
      if (attempts >= this.o.maxAttempts) return { status: 'dead', attempts, lastError, ...receipt };
      delayMs = this.backoff(attempts);
      return { status: 'pending', attempts, nextAttemptAt: new Date(Date.now() + delayMs).toISOString(), lastError, ...receipt };
    });
    if (!applied) return;
    if (applied.status === 'dead') {
      log.error({ err, attempts }, 'event dead-lettered');
      await this.o.queue.deadLetter(ref);
      this.o.onProcessed?.(stored.event, 'dead', err);
      return;
    }
    log.warn({ err, attempts, retryInMs: delayMs }, 'event processing failed; will retry');
    await this.o.queue.send([ref], delayMs / 1000);
    this.o.onProcessed?.(stored.event, 'retry', err);
  }

  /**
   * Writes an event's outcome with the row's etag, never `*`: another instance may settle the
   * same event (a message that reappeared). On 412 the row is read again and `decide` runs on what
   * is stored now; it answers undefined when nothing should change. Resolves to what was written.
   */
  private async settle(stored: StoredEvent, decide: (row: StoredEvent) => EventChanges | undefined): Promise<EventChanges | undefined> {
    let row: StoredEvent | undefined = stored;
    for (let round = 0; round < 5 && row; round += 1) {
      const changes = decide(row);
      if (!changes) return undefined;
      if (row.etag && (await this.o.store.transition(row, changes))) return changes;
      row = await this.o.store.get(stored.partitionKey, stored.rowKey);
    }
    if (!row) return undefined; // the row is gone: nothing to settle
    throw new ArgusError('ARGUS_CONFLICT', `event ${stored.event.id} kept changing while its outcome was written`);
  }

  /**
   * Enqueues stored events whose message never went out (the instance died between storing and
   * sending, or the queue was down). Only when the queue holds no message at all (its approximate
   * count is never lower than the real one, and counts hidden and delayed messages too): then a
   * pending event overdue by a visibility timeout has no message. Under a constant backlog such an
   * event waits for the first quiet moment; its re-sent message carries only the pointer, so the
   * event's row is read first and an event finished meanwhile is not run twice.
   */
  private async sweep(): Promise<void> {
    if ((await this.o.queue.depth()) > 0) return;
    const overdue = await this.o.store.listOverdue(new Date(Date.now() - this.o.visibilityTimeoutSeconds * 1000));
    if (overdue.length === 0) return;
    await this.o.queue.send(overdue.map((e) => ({ partitionKey: e.partitionKey, rowKey: e.rowKey })));
    this.o.logger.info({ count: overdue.length }, 'stored events that were never enqueued are enqueued now');
  }

  /** Exponential backoff with jitter. */
  private backoff(attempts: number): number {
    const cap = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempts - 1));
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  }
}

function describe(err: unknown): string {
  if (err instanceof AggregateError) return err.errors.map(describe).join('; ').slice(0, 2000);
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 2000);
}
