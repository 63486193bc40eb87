import type { BackgroundTask } from '../app/feature';
import type { Logger } from '../logging/logger';
import { deadlineSweeper } from '../playbooks/deadline-sweeper';
import { retryOwedCards, type CardRetries } from './card-retry';
import { createDailyDigest, type DigestLedger } from './daily-digest';
import { countQueued, type QueueDepth } from './queue-depth';
import type { TriageService } from './triage-service';
import type { TriageStore } from './triage-store';

/**
 * Triage's housekeeping in the background, each on its own timer (never two runs of one at once):
 * posting owed cards, the daily digest, and counting the lookups waiting for quota.
 */

export interface TriageUpkeepOptions {
  /** How often owed cards are tried (default 15 s). */
  cardRetryIntervalMs?: number;
  /** The daily digest (needs `triage.conversationId`). */
  digest?: { ledger: DigestLedger; instance: string; intervalMs?: number };
  /** Where the queue depth goes (argus_intel_queue_depth), counted every intervalMs (default 15 s). */
  queueDepth?: { set(depth: QueueDepth): void; intervalMs?: number };
}

export interface UpkeepDeps {
  service: Pick<TriageService, 'postCard' | 'update'>;
  store: Pick<TriageStore, 'get' | 'list'>;
  cardRetries?: CardRetries;
  conversationId?: string;
  delivery: Parameters<typeof createDailyDigest>[0]['delivery'];
  upkeep?: TriageUpkeepOptions;
  logger: Logger;
  now: () => Date;
}

function every(intervalMs: number, what: string, run: () => Promise<unknown>, logger: Logger): BackgroundTask {
  const sweep = () => run().then(
    () => undefined,
    (err: unknown) => logger.warn({ err }, `${what} failed; will try again`),
  );
  return deadlineSweeper({ intervalMs, sweep, logger });
}

export function upkeepTasks(deps: UpkeepDeps): BackgroundTask[] {
  const { logger, now, upkeep } = deps;
  const tasks: BackgroundTask[] = [];
  const retries = deps.cardRetries;
  if (retries) {
    tasks.push(every(upkeep?.cardRetryIntervalMs ?? 15_000, 'posting owed alert cards', () => retryOwedCards({ service: deps.service, store: deps.store, retries, log: logger, now }), logger));
  }
  const digest = upkeep?.digest;
  if (digest && deps.conversationId) {
    const daily = createDailyDigest({ store: deps.store, ledger: digest.ledger, delivery: deps.delivery, conversationId: deps.conversationId, instance: digest.instance, log: logger, now });
    tasks.push(every(digest.intervalMs ?? 60_000, 'the daily triage digest', () => daily.tick(), logger));
  } else if (digest) {
    logger.info('no daily triage digest: triage.conversationId is not set');
  }
  const depth = upkeep?.queueDepth;
  if (depth) tasks.push(every(depth.intervalMs ?? 15_000, 'counting queued intel lookups', async () => depth.set(await countQueued(deps.store)), logger));
  return tasks;
}
