import type { Logger } from '../logging/logger';
import type { ArgusEvent, EventName } from './event-map';
import type { EventQueue, QueuedEvent } from './event-queue';
import { EventRunner } from './event-runner';
import type { EventStore, StoredEvent } from './event-store';
import { GroupCommit, type AcceptInput, type AcceptResult } from './group-commit';
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
  /**
   * The fast path (default on): an event this instance stored runs here at once, in a free slot,
   * its queue message held back meanwhile as the fallback (see GroupCommit's RunHere); off, every
   * event waits for a queue poll.
   */
  fastPath?: boolean;
}

export type { AcceptInput, AcceptResult } from './group-commit';

/** The queue dates messages to the whole second, on its own clock: that much, and then some, earlier. */
const queueClockSlackMs = 5_000;

/**
 * Durable intake: persist → acknowledge → enqueue; processing runs from the stored event.
 * The event row (idempotency key) is written before the sender's 2xx; a message on an Azure
 * Storage queue points at it, so the instances sharing the account share the work. A failure
 * hides the message for the backoff (exponential, with jitter); after `maxAttempts` the event is
 * dead-lettered (status `dead` + the poison queue) until replayed. A crash mid-way loses nothing:
 * the message comes back when its visibility timeout ends, and a sweep re-enqueues stored events
 * whose message was never sent, busy queue or not. The fast path (EventRunner) runs what this
 * instance stored at once when a slot is free, its message held back as the fallback; the poll
 * loops take the rest, and what other instances or a restart leave.
 */
export class DurableIntake {
  private readonly commit: GroupCommit;
  private readonly runner: EventRunner;
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private sweeper?: NodeJS.Timeout;
  private stopping = false;
  /** The poll loops last found every slot taken. */
  private starved = false;
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
      fastPath: true,
      ...options,
    };
    // A finished event frees a slot: worth a look at the queue only if the loops had no room.
    this.runner = new EventRunner(this.o, () => this.starved && this.wakeAll());
    this.commit = new GroupCommit({ store: this.o.store, queue: this.o.queue, logger: this.o.logger, onEnqueued: () => this.wakeAll(), runHere: this.runner.runHere });
  }

  /** Stores the event (or recognises a redelivery), then its queue message (GroupCommit); ARGUS_STORAGE_UNAVAILABLE when it cannot. */
  accept<N extends EventName>(input: AcceptInput<N>): Promise<AcceptResult> {
    return this.commit.accept(input);
  }

  /** Starts processing with the handler table's router (events may be accepted before). */
  start(router: Pick<EventRouter, 'dispatch'>): void {
    this.runner.start(router);
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
    this.runner.stop();
    if (this.sweeper) clearInterval(this.sweeper);
    this.wakeAll();
    await Promise.allSettled(this.loops);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise((r) => (timer = setTimeout(r, this.o.visibilityTimeoutSeconds * 1000)));
    await Promise.race([this.runner.settled(), grace]).finally(() => clearTimeout(timer));
  }

  /** Resolves when nothing is running and the queue was last seen empty (tests and benchmarks). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.wakeAll();
      const quiet = () => this.runner.inFlight === 0 && !this.commit.busy;
      if (quiet() && (await this.o.queue.depth()) === 0 && quiet()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`intake not idle after ${timeoutMs} ms`);
  }

  get processing(): number {
    return this.runner.inFlight;
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
      const limit = this.runner.slots.limit;
      const { inFlight } = this.runner;
      const room = inFlight < limit ? Math.max(1, Math.ceil((limit - inFlight) / 8)) : 0;
      this.starved = room === 0;
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
      for (const msg of messages) this.runner.received(msg);
    }
  }

  /**
   * Enqueues stored events whose message never went out: the instance died between acknowledging
   * and sending (or before it could answer: the sender's retry is a duplicate, which sends
   * nothing), or the queue was down. A pending event overdue by a visibility timeout and stored
   * before every event still waiting in a visible message has no message (messages go out in the
   * order their events were stored, and the queue hands out its oldest first), or one hidden by an
   * instance that holds it: run twice, it does no harm twice.
   * Hidden messages — taken, or a retry waiting for its backoff — never hold the sweep back, and a
   * backlog only delays it until the backlog has reached the event's time: however busy the queue,
   * nothing acknowledged waits for a quiet moment. Its re-sent message carries only the pointer,
   * so the event's row is read first and an event finished meanwhile is not run twice. Before the
   * pointer goes, the row is marked swept (with the etag it was listed with: an event that changed
   * since is left alone): a late first delivery of the event's own message then knows whether
   * another delivery may have run it (see EventRunner).
   */
  private async sweep(): Promise<void> {
    const waiting = await this.o.queue.oldestWaitingAt();
    let before = Date.now() - this.o.visibilityTimeoutSeconds * 1000;
    if (waiting) before = Math.min(before, waiting.getTime() - queueClockSlackMs);
    const listed = await this.o.store.listOverdue(new Date(before));
    // Not what runs here now, nor what changed (or finished) since it was listed.
    const sweptAt = new Date().toISOString();
    const candidates = listed.filter((e) => !this.runner.isRunning(e));
    const marked = await Promise.all(candidates.map((e) => this.o.store.transition(e, { status: 'pending', sweptAt })));
    const overdue = candidates.filter((e, i) => marked[i] !== undefined && !this.runner.isRunning(e));
    if (overdue.length === 0) return;
    await this.o.queue.send(overdue.map((e) => ({ partitionKey: e.partitionKey, rowKey: e.rowKey })));
    this.o.logger.info({ count: overdue.length }, 'stored events that were never enqueued are enqueued now');
  }
}
