import type { Logger } from '../logging/logger';
import type { ArgusEvent, ArgusEventMap, EventName } from './event-map';
import { EventStore, type StoredEvent } from './event-store';
import type { EventRouter } from './router';

export interface IntakeOptions {
  store: EventStore;
  router: EventRouter;
  logger: Logger;
  /** Attempts before an event is dead-lettered. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a claimed event is ours before another instance may take it over. */
  leaseMs?: number;
  /** How often stored events are scanned for due retries and abandoned work. */
  pollIntervalMs?: number;
  onProcessed?: (event: ArgusEvent, outcome: 'done' | 'retry' | 'dead', error?: unknown) => void;
}

export interface AcceptInput<N extends EventName> {
  name: N;
  source: string;
  idempotencyKey: string;
  correlationId?: string;
  payload: ArgusEventMap[N];
}

export type AcceptResult = { eventId: string; duplicate: boolean; correlationId: string };

/**
 * Durable intake: persist → acknowledge → dispatch. An event is stored (idempotency key) before
 * its sender gets a 2xx; processing runs from the stored event with retries, exponential backoff
 * with jitter, a dead letter after `maxAttempts`, and resumes after a restart.
 */
export class DurableIntake {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private poller?: NodeJS.Timeout;
  private stopping = false;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly leaseMs: number;

  constructor(private readonly options: IntakeOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
  }

  /** Stores the event (or recognises a redelivery). Throws ARGUS_STORAGE_UNAVAILABLE when it cannot. */
  async accept<N extends EventName>(input: AcceptInput<N>): Promise<AcceptResult> {
    const result = await this.options.store.create(input);
    if (!result.created)
      return { eventId: result.existing.event.id, duplicate: true, correlationId: result.existing.event.correlationId };
    const { event } = result.stored;
    if (!this.stopping) this.track(this.process(result.stored));
    return { eventId: event.id, duplicate: false, correlationId: event.correlationId };
  }

  /** Resumes whatever is due now and keeps polling for retries and abandoned leases. */
  start(): void {
    const interval = this.options.pollIntervalMs ?? 5_000;
    const tick = () => {
      if (this.stopping) return;
      this.track(this.resumeDue());
    };
    tick();
    this.poller = setInterval(tick, interval);
    this.poller.unref();
  }

  /** Stops taking new work and waits for what is running. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.poller) clearInterval(this.poller);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Waits until nothing is being processed (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async listDead(): Promise<StoredEvent[]> {
    return this.options.store.listByStatus('dead');
  }

  /** Puts a dead (or finished) event back in the queue with a fresh attempt budget. */
  async replay(eventId: string): Promise<boolean> {
    const stored = await this.options.store.findById(eventId);
    if (!stored) return false;
    const etag = await this.options.store.transition(stored, { status: 'pending', attempts: 0, nextAttemptAt: new Date().toISOString() });
    if (!etag) return false;
    this.track(this.process({ ...stored, status: 'pending', attempts: 0, etag }));
    return true;
  }

  private track(work: Promise<void>): void {
    const p = work.catch((err: unknown) => this.options.logger.error({ err }, 'event processing failed unexpectedly'));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async resumeDue(): Promise<void> {
    let due: StoredEvent[];
    try {
      due = await this.options.store.listDue();
    } catch (err) {
      this.options.logger.warn({ err }, 'cannot scan stored events (storage unavailable?)');
      return;
    }
    for (const stored of due) if (!this.stopping) this.track(this.process(stored));
  }

  private async process(stored: StoredEvent): Promise<void> {
    const { event } = stored;
    const log = this.options.logger.child({ eventId: event.id, event: event.name, correlationId: event.correlationId });
    const leaseUntil = new Date(Date.now() + this.leaseMs).toISOString();
    const etag = await this.options.store.transition(stored, { status: 'processing', leaseUntil });
    if (!etag) return; // another worker claimed it first
    const attempt = stored.attempts;
    try {
      await this.options.router.dispatch(event, { log, correlationId: event.correlationId, attempt });
      await this.options.store.transition({ ...stored, etag }, { status: 'done', attempts: attempt + 1, lastError: '' });
      this.options.onProcessed?.(event, 'done');
    } catch (err) {
      const attempts = attempt + 1;
      const message = describe(err);
      if (attempts >= this.maxAttempts) {
        log.error({ err, attempts }, 'event dead-lettered');
        await this.options.store.transition({ ...stored, etag }, { status: 'dead', attempts, lastError: message });
        this.options.onProcessed?.(event, 'dead', err);
        return;
      }
      const delay = this.backoff(attempts);
      log.warn({ err, attempts, retryInMs: delay }, 'event processing failed; will retry');
      const nextAttemptAt = new Date(Date.now() + delay).toISOString();
      const nextEtag = await this.options.store.transition(
        { ...stored, etag },
        { status: 'pending', attempts, nextAttemptAt, lastError: message },
      );
      this.options.onProcessed?.(event, 'retry', err);
      if (nextEtag && !this.stopping) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!this.stopping) this.track(this.process({ ...stored, status: 'pending', attempts, etag: nextEtag }));
        }, delay);
        timer.unref();
        this.timers.add(timer);
      }
    }
  }

  /** Exponential backoff with full jitter. */
  private backoff(attempts: number): number {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempts - 1));
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  }
}

function describe(err: unknown): string {
  if (err instanceof AggregateError) return err.errors.map(describe).join('; ').slice(0, 2000);
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 2000);
}
