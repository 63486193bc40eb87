import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { backoffMs } from '../net/retry';
import type { ArgusEvent } from './event-map';
import type { EventQueue } from './event-queue';
import type { EventChanges, EventStore, StoredEvent } from './event-store';

/** What writing a failed attempt's outcome needs (the intake's settings). */
export interface FailureDeps {
  store: EventStore;
  queue: EventQueue;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  onProcessed?: (event: ArgusEvent, outcome: 'done' | 'retry' | 'dead', error?: unknown) => void;
}

/**
 * Records a failed attempt: the event is retried after its backoff (a message of its own, delayed)
 * or, after `maxAttempts`, dead-lettered (status `dead` + the poison queue) until replayed.
 */
export async function failEvent(deps: FailureDeps, stored: StoredEvent, err: unknown, log: Logger, auditSeq?: number): Promise<void> {
  const lastError = describe(err);
  const ref = { partitionKey: stored.partitionKey, rowKey: stored.rowKey };
  let attempts = 0;
  let delayMs = 0;
  const applied = await settleEvent(deps.store, stored, (row) => {
    // Finished by another instance meanwhile, or already dead-lettered: nothing to retry.
    if (row.status === 'done' || row.status === 'dead') return undefined;
    attempts = row.attempts + 1;
    const receipt = auditSeq === undefined ? {} : { auditSeq };
    if (attempts >= deps.maxAttempts) return { status: 'dead', attempts, lastError, ...receipt };
    delayMs = backoff(deps, attempts);
    return { status: 'pending', attempts, nextAttemptAt: new Date(Date.now() + delayMs).toISOString(), lastError, ...receipt };
  });
  if (!applied) return;
  if (applied.status === 'dead') {
    log.error({ err, attempts }, 'event dead-lettered');
    await deps.queue.deadLetter(ref);
    deps.onProcessed?.(stored.event, 'dead', err);
    return;
  }
  log.warn({ err, attempts, retryInMs: delayMs }, 'event processing failed; will retry');
  await deps.queue.send([ref], delayMs / 1000);
  deps.onProcessed?.(stored.event, 'retry', err);
}

/**
 * Writes an event's outcome with the row's etag, never `*`: another instance may settle the
 * same event (a message that reappeared). On 412 the row is read again and `decide` runs on what
 * is stored now; it answers undefined when nothing should change. Resolves to what was written.
 */
export async function settleEvent(store: EventStore, stored: StoredEvent, decide: (row: StoredEvent) => EventChanges | undefined): Promise<EventChanges | undefined> {
  let row: StoredEvent | undefined = stored;
  for (let round = 0; round < 5 && row; round += 1) {
    const changes = decide(row);
    if (!changes) return undefined;
    if (row.etag && (await store.transition(row, changes))) return changes;
    row = await store.get(stored.partitionKey, stored.rowKey);
  }
  if (!row) return undefined; // the row is gone: nothing to settle
  throw new ArgusError('ARGUS_CONFLICT', `event ${stored.event.id} kept changing while its outcome was written`);
}

/** Exponential backoff with jitter, in whole milliseconds. */
function backoff(o: Pick<FailureDeps, 'baseDelayMs' | 'maxDelayMs'>, attempts: number): number {
  return Math.round(backoffMs(attempts, o));
}

function describe(err: unknown): string {
  if (err instanceof AggregateError) return err.errors.map(describe).join('; ').slice(0, 2000);
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 2000);
}
