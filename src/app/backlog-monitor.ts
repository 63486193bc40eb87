import type { DurableIntake } from '../events/intake';
import type { ArgusMetrics } from '../observability/metrics';
import type { Logger } from '../logging/logger';

export interface Backlog {
  queueDepth: number;
  oldestPendingSeconds: number;
  deadLettered: number;
  processing: number;
}

/**
 * Samples the durable intake every few seconds for /metrics (queue depth, oldest pending age,
 * dead letters, work in progress) and says in the log when Argus is falling behind.
 */
export function startBacklogMonitor(options: {
  intake: DurableIntake;
  metrics: ArgusMetrics;
  logger: Logger;
  intervalMs?: number;
  /** Oldest pending age above which Argus logs that it is behind. */
  behindAfterSeconds?: number;
}): { stop(): void; current(): Backlog } {
  const backlog: Backlog = { queueDepth: 0, oldestPendingSeconds: 0, deadLettered: 0, processing: 0 };
  const { registry } = options.metrics;
  registry.gauge('argus_events_queue_depth', 'Stored events waiting in the queue (approximate)', () => backlog.queueDepth);
  registry.gauge('argus_events_oldest_pending_seconds', 'Age of the oldest event waiting to be processed', () => backlog.oldestPendingSeconds);
  registry.gauge('argus_events_dead_lettered', 'Events that failed every attempt (argus events dead)', () => backlog.deadLettered);
  registry.gauge('argus_events_processing', 'Events being processed by this instance', () => options.intake.processing);
  let behind = false;
  let ticks = 0;
  const sample = async () => {
    try {
      backlog.queueDepth = await options.intake.depth();
      backlog.oldestPendingSeconds = Math.round((await options.intake.oldestAgeMs()) / 1000);
      if (ticks++ % 6 === 0) backlog.deadLettered = (await options.intake.listDead()).length;
    } catch (err) {
      options.logger.warn({ err }, 'cannot sample the event backlog (storage unavailable?)');
      return;
    }
    const limit = options.behindAfterSeconds ?? 60;
    if (backlog.oldestPendingSeconds > limit && !behind) {
      behind = true;
      options.logger.warn({ ...backlog }, `Argus is behind: the oldest event has waited ${backlog.oldestPendingSeconds} s`);
    } else if (behind && backlog.oldestPendingSeconds <= limit) {
      behind = false;
      options.logger.info({ ...backlog }, 'Argus has caught up');
    }
  };
  const timer = setInterval(() => void sample(), options.intervalMs ?? 5_000);
  timer.unref();
  void sample();
  return { stop: () => clearInterval(timer), current: () => ({ ...backlog }) };
}
