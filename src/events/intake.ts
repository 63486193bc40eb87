import type { Logger } from '../logging/logger';
import type { ArgusEvent, EventName } from './event-map';
import type { EventQueue, QueuedEvent, QueuedItem } from './event-queue';
import { failEvent, settleEvent } from './event-outcomes';
import type { EventStore, StoredEvent } from './event-store';
import { GroupCommit, type AcceptInput, type AcceptResult } from './group-commit';
import { ProcessingSlots } from './processing-slots';
import type { ReceiptAudit } from './receipt-audit';
import type { EventRouter } from './router';

export interface IntakeOptions {
  store: EventStore;
  queue: EventQueue;
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

export type { AcceptInput, AcceptResult } from './group-commit';

/** The queue dates messages to the whole second, on its own clock: that much, and then some, earlier. */
const queueClockSlackMs = 5_000;

const refKey = (e: { partitionKey: string; rowKey: string }) => `${e.partitionKey}\n${e.rowKey}`;

/**
 * Durable intake: persist → acknowledge → enqueue; processing runs from the stored event.
 * The event row (idempotency key) is written before the sender's 2xx; a message on an Azure
 * Storage queue points at it, so the instances sharing the account share the work. A failure
 * hides the message for the backoff (exponential, with jitter); after `maxAttempts` the event is
 * dead-lettered (status `dead` + the poison queue) until replayed. A crash mid-way loses nothing:
 * the message comes back when its visibility timeout ends, and a sweep re-enqueues stored events
 * whose message was never sent, busy queue or not.
 */
export class DurableIntake {
  private inFlight = 0;
  private readonly commit: GroupCommit;
  private readonly slots: ProcessingSlots;
  /** Events running here, by row: a second delivery waits for the first. */
  private readonly active = new Map<string, Promise<void>>();
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private sweeper?: NodeJS.Timeout;
  private stopping = false;
  private router?: Pick<EventRouter, 'dispatch'>;
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
    this.commit = new GroupCommit({ store: this.o.store, queue: this.o.queue, logger: this.o.logger, onEnqueued: () => this.wakeAll() });
    this.slots = new ProcessingSlots({ concurrency: this.o.concurrency, busyConcurrency: this.o.busyConcurrency, busy: this.o.intakeBusy });
  }

  /** Stores the event (or recognises a redelivery), then its queue message (GroupCommit); ARGUS_STORAGE_UNAVAILABLE when it cannot. */
  accept<N extends EventName>(input: AcceptInput<N>): Promise<AcceptResult> {
    return this.commit.accept(input);
  }

  /** Starts processing with the handler table's router (events may be accepted before). */
  start(router: Pick<EventRouter, 'dispatch'>): void {
    this.router = router;
    for (let i = 0; i < Math.max(1, Math.ceil(this.o.concurrency / 8)); i += 1) this.loops.push(this.pollLoop());
    const sweep = () => void this.sweep().catch((err: unknown) => this.o.logger.warn({ err }, 'event sweep failed'));
    sweep();
    this.sweeper = setInterval(sweep, this.o.sweepIntervalMs);
    this.sweeper.unref();
  }

  /**
   * Stops taking new messages and waits for what is running, at most a visibility timeout (by then
   * another instance may have the message anyway); unfinished work stays queued.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.wakeAll();
    await Promise.allSettled(this.loops);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((r) => (timer = setTimeout(r, this.o.visibilityTimeoutSeconds * 1000)));
    await Promise.race([Promise.allSettled(this.active.values()), grace]).finally(() => clearTimeout(timer));
  }

  /** Resolves when nothing is running and the queue was last seen empty (tests and benchmarks). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.wakeAll();
      const quiet = () => this.inFlight === 0 && !this.commit.busy;
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
      const limit = this.slots.limit;
      const room = this.inFlight < limit ? Math.max(1, Math.ceil((limit - this.inFlight) / 8)) : 0;
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
    const readAt = Date.now();
    // The first read of a fresh message is the event's first run, unless it came a visibility
    // timeout or more after the event was stored: the sweep may have sent a pointer by then.
    const firstRun = (item: QueuedItem) =>
      msg.dequeueCount === 1 && item.fresh === true && readAt - Date.parse(item.event?.receivedAt ?? '') < this.o.visibilityTimeoutSeconds * 1000;
    await Promise.all(msg.items.map((item) => this.handleOnce(item, firstRun(item))));
    await this.o.queue.complete(msg);
  }

  /**
   * Runs an event here unless this instance is running it already (its message reappeared, or the
   * sweep's pointer came): then it waits for that run and reads the row, so the receipt is looked
   * for after the other run appended it, never beside it.
   */
  private async handleOnce(item: QueuedItem, first: boolean): Promise<void> {
    const key = refKey(item);
    const earlier = this.active.get(key);
    const run = (async () => {
      if (earlier) await earlier.catch(() => undefined);
      const release = await this.slots.take();
      try {
        await this.handle(item, first && !earlier);
      } finally {
        release();
      }
    })();
    this.active.set(key, run);
    try {
      await run;
    } finally {
      if (this.active.get(key) === run) this.active.delete(key);
    }
  }

  /**
   * Handlers are idempotent (incident versions are compared, write-backs carry stable ids), so an
   * event delivered twice — a message that reappeared, the sweep's pointer — does no
   * harm twice; there is no claim round trip on the hot path. The outcome is written with the
   * row's etag (see settleEvent). A webhook's receipt is appended to the audit chain before its
   * handler runs, once.
   */
  private async handle(item: QueuedItem, first: boolean): Promise<void> {
    let stored: StoredEvent | undefined;
    // The first run of a fresh message carries the event as stored; anything else reads the row.
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
      if (!this.router) throw new Error('intake not started');
      await this.router.dispatch(event, { log, correlationId: event.correlationId, attempt });
    } catch (err) {
      await failEvent(this.o, stored, err, log, auditSeq);
      return;
    }
    const receipt = auditSeq === undefined ? {} : { auditSeq };
    await settleEvent(this.o.store, stored, (row) => (row.status === 'done' ? undefined : { status: 'done', attempts: Math.max(row.attempts, attempt) + 1, lastError: '', ...receipt }));
    this.o.onProcessed?.(event, 'done');
  }

  /**
   * Enqueues stored events whose message never went out: the instance died between acknowledging
   * and sending (or before it could answer: the sender's retry is a duplicate, which sends
   * nothing), or the queue was down. A pending event overdue by a visibility timeout and stored
   * before every message still waiting to be read has no message (the queue hands out its oldest
   * messages first), or one hidden by an instance that holds it: run twice, it does no harm twice.
   * Hidden messages — taken, or a retry waiting for its backoff — never hold the sweep back, and a
   * backlog only delays it until the backlog has reached the event's time: however busy the queue,
   * nothing acknowledged waits for a quiet moment. Its re-sent message carries only the pointer,
   * so the event's row is read first and an event finished meanwhile is not run twice.
   */
  private async sweep(): Promise<void> {
    const waiting = await this.o.queue.oldestVisibleSentAt();
    let before = Date.now() - this.o.visibilityTimeoutSeconds * 1000;
    if (waiting) before = Math.min(before, waiting.getTime() - queueClockSlackMs);
    const listed = await this.o.store.listOverdue(new Date(before));
    // Not what runs here now, nor what finished since it was listed.
    const candidates = listed.filter((e) => !this.active.has(refKey(e)));
    const rows = await Promise.all(candidates.map((e) => this.o.store.get(e.partitionKey, e.rowKey)));
    const overdue = candidates.filter((e, i) => rows[i]?.status === 'pending' && rows[i]?.etag === e.etag && !this.active.has(refKey(e)));
    if (overdue.length === 0) return;
    await this.o.queue.send(overdue.map((e) => ({ partitionKey: e.partitionKey, rowKey: e.rowKey })));
    this.o.logger.info({ count: overdue.length }, 'stored events that were never enqueued are enqueued now');
  }
}
