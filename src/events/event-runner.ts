import type { Logger } from '../logging/logger';
import type { EventQueue, QueuedEvent, QueuedItem } from './event-queue';
import { failEvent, settleEvent, type FailureDeps } from './event-outcomes';
import type { EventStore, StoredEvent } from './event-store';
import type { RunHere } from './group-commit';
import { ProcessingSlots } from './processing-slots';
import type { ReceiptAudit } from './receipt-audit';
import type { EventRouter } from './router';

export interface EventRunnerOptions extends FailureDeps {
  store: EventStore;
  queue: EventQueue;
  logger: Logger;
  receipts?: ReceiptAudit;
  visibilityTimeoutSeconds: number;
  concurrency: number;
  busyConcurrency: number;
  intakeBusy?: () => boolean;
  /** Runs events on the instance that stored them at once (see `reserve`); otherwise every event waits for a queue poll. */
  fastPath: boolean;
}

const refKey = (e: { partitionKey: string; rowKey: string }) => `${e.partitionKey}\n${e.rowKey}`;

/**
 * What a delivery knows of the event's earlier runs. `run`: none, and the message carries the
 * event as stored (run it without reading the row). `delivery`: the first delivery of the event
 * (the fast path's run, or the first read of its fresh message): no run before it, unless the
 * sweep pointed at the event (its row says so).
 */
type First = { run: boolean; delivery: boolean };

/**
 * Runs events for the intake, from a received queue message or — the fast path — right after this
 * instance stored them. Both go one way: a slot, a receipt, the handler table, an outcome written
 * with the row's etag, then the message deleted.
 */
export class EventRunner {
  /** Events taken on and not finished (received, or reserved for the fast path). */
  inFlight = 0;
  readonly slots: ProcessingSlots;
  /** Events running here, by row: a second delivery waits for the first. */
  private readonly active = new Map<string, Promise<void>>();
  private router?: Pick<EventRouter, 'dispatch'>;
  private stopping = false;

  /** `onFinished`: called when events finished (or reserved slots were given back): slots are free again. */
  constructor(
    private readonly o: EventRunnerOptions,
    private readonly onFinished: () => void,
  ) {
    this.slots = new ProcessingSlots({ concurrency: o.concurrency, busyConcurrency: o.busyConcurrency, busy: o.intakeBusy });
  }

  start(router: Pick<EventRouter, 'dispatch'>): void {
    this.router = router;
  }

  /** No more fast runs (stored events go to the queue for any instance). */
  stop(): void {
    this.stopping = true;
  }

  /** Resolves when what runs here now has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.active.values());
  }

  isRunning(ref: { partitionKey: string; rowKey: string }): boolean {
    return this.active.has(refKey(ref));
  }

  /** The group commit's side of the fast path (RunHere): only once started, never when stopping, never beyond a free slot. */
  get runHere(): RunHere | undefined {
    if (!this.o.fastPath) return undefined;
    return { holdSeconds: this.o.visibilityTimeoutSeconds, reserve: (count) => this.reserve(count) };
  }

  /** Runs the events of a received message, then completes it. */
  received(msg: QueuedEvent): void {
    const readAt = Date.now();
    // The first read of a fresh message is the event's first delivery. It is its first run too
    // (run from the message, the row unread) unless it came a visibility timeout or more after the
    // event was stored: the sweep may have sent a pointer by then, so the row is read (see handle).
    const firstDelivery = (item: QueuedItem) => msg.dequeueCount === 1 && item.fresh === true;
    const firstRun = (item: QueuedItem) =>
      firstDelivery(item) && readAt - Date.parse(item.event?.receivedAt ?? '') < this.o.visibilityTimeoutSeconds * 1000;
    this.inFlight += msg.items.length;
    this.track(msg.items.length, this.handleMessage(msg, (item) => ({ run: firstRun(item), delivery: firstDelivery(item) })));
  }

  /**
   * Takes up to `count` free slots now. The items handed to `run` are run at once with them (their
   * events were just stored: their first run, from the event and etag in memory), while their
   * messages are sent; each message sent is completed once its events are settled. Slots not used
   * are given back.
   */
  private reserve(count: number): { count: number; run(items: QueuedItem[], messages: Promise<QueuedEvent[]>): void } {
    const held: Array<() => void> = [];
    while (this.router && !this.stopping && held.length < count) {
      const slot = this.slots.tryTake();
      if (!slot) break;
      held.push(slot);
    }
    this.inFlight += held.length;
    const run = (items: QueuedItem[], messages: Promise<QueuedEvent[]>) => {
      const slots = held.splice(0, items.length);
      this.inFlight -= held.length;
      for (const slot of held.splice(0)) slot();
      if (items.length > 0) this.track(items.length, this.handleStored(items, messages, slots));
      this.onFinished();
    };
    return { count: held.length, run };
  }

  /** Runs events just stored here, then completes the messages sent for them (see reserve). */
  private async handleStored(items: QueuedItem[], messages: Promise<QueuedEvent[]>, slots: Array<() => void>): Promise<void> {
    await Promise.all(items.map((item, i) => this.handleOnce(item, { run: true, delivery: true }, slots[i])));
    await Promise.all((await messages).map((msg) => this.o.queue.complete(msg)));
  }

  private track(items: number, work: Promise<void>): void {
    void work
      .catch((err: unknown) => this.o.logger.error({ err }, 'event processing failed unexpectedly'))
      .finally(() => {
        this.inFlight -= items;
        this.onFinished();
      });
  }

  /**
   * Processes every event a message points at; the message is completed when all are settled.
   * An event that must be retried gets a message of its own, delayed by its backoff.
   */
  private async handleMessage(msg: QueuedEvent, first: (item: QueuedItem) => First): Promise<void> {
    await Promise.all(msg.items.map((item) => this.handleOnce(item, first(item))));
    await this.o.queue.complete(msg);
  }

  /**
   * Runs an event here unless this instance is running it already (its message reappeared, or the
   * sweep's pointer came): then it waits for that run and reads the row, so the receipt is looked
   * for after the other run appended it, never beside it. `slot`: one taken already.
   */
  private async handleOnce(item: QueuedItem, first: First, slot?: () => void): Promise<void> {
    const key = refKey(item);
    const earlier = this.active.get(key);
    const run = (async () => {
      if (earlier) await earlier.catch(() => undefined);
      const release = slot ?? (await this.slots.take());
      try {
        await this.handle(item, earlier ? { run: false, delivery: false } : first);
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
   * handler runs, once: only a delivery that may follow an interrupted run looks for it in the
   * chain first — not the first delivery of an event that no sweep pointed at, however late.
   */
  private async handle(item: QueuedItem, first: First): Promise<void> {
    let stored: StoredEvent | undefined;
    // The first run of a fresh message carries the event as stored; anything else reads the row.
    if (item.event && first.run) {
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
        const unrun = first.delivery && attempt === 0 && stored.sweptAt === undefined;
        const found = unrun ? undefined : await this.o.receipts.find(event);
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
}
