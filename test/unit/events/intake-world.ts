import type { ArgusEvent } from '../../../src/events/event-map';
import { DurableIntake, type IntakeOptions } from '../../../src/events/intake';
import { createLogger } from '../../../src/logging/logger';
import { memoryEventQueue, memoryEventStore } from '../../helpers/memory-events';

type Handler = (event: ArgusEvent, ctx: { attempt: number; correlationId: string }) => Promise<void>;

export const alert = (key: string, extra: { deliveredBy?: string } = {}) => ({
  name: 'alert.received' as const,
  source: 'alerts',
  idempotencyKey: key,
  payload: { alert: { title: key } },
  ...extra,
});

/**
 * An intake over the in-memory store and queue (or those of `shared`: a second instance on the
 * same storage), with fast settings; `handle` sets what its router runs, `runs` records each run.
 */
export function world(options: Partial<IntakeOptions> = {}, shared?: { events: ReturnType<typeof memoryEventStore>; queue: ReturnType<typeof memoryEventQueue> }) {
  const events = shared?.events ?? memoryEventStore();
  const queue = shared?.queue ?? memoryEventQueue();
  const outcomes: Array<[string, string]> = [];
  const runs: Array<{ key: string; attempt: number; at: number }> = [];
  let handler: Handler = async () => undefined;
  const intake = new DurableIntake({
    store: events.store,
    queue: queue.queue,
    logger: createLogger({ level: 'silent' }),
    maxAttempts: 3,
    baseDelayMs: 40,
    maxDelayMs: 1_000,
    visibilityTimeoutSeconds: 5,
    concurrency: 4,
    sweepIntervalMs: 60_000,
    maxPollIntervalMs: 20,
    onProcessed: (event, outcome) => outcomes.push([event.idempotencyKey, outcome]),
    ...options,
  });
  const router = {
    async dispatch(event: ArgusEvent, ctx: { attempt: number; correlationId: string }) {
      runs.push({ key: event.idempotencyKey, attempt: ctx.attempt, at: Date.now() });
      await handler(event, ctx);
    },
  };
  return {
    events,
    queue,
    intake,
    outcomes,
    runs,
    handle(h: Handler) {
      handler = h;
    },
    start: () => intake.start(router),
  };
}
