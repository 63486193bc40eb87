import type { BackgroundTask } from '../app/feature';
import type { Logger } from '../logging/logger';
import { deadlineSweeper } from '../playbooks/deadline-sweeper';
import type { SweepLease } from './sweep-lease';

export interface SweepJob {
  name: string;
  /** Runs one pass; `holdLease` renews the lease as the pass goes on and says false once it is lost. */
  run(holdLease: () => Promise<boolean>): Promise<void>;
  /** Runs every this many ms at most (default: every tick). */
  everyMs?: number;
}

/**
 * The one timer behind compliance clocks and escalation: every `intervalMs` the instance holding
 * the lease runs the jobs (reminders due, escalation steps due…). What is due lives in storage,
 * never only in this timer, so a restart or another instance carries on where it stopped. Stopping
 * waits for the pass under way and lets the lease go.
 */
export function clockSweeper(options: { lease: SweepLease; intervalMs: number; leaseTtlMs: number; jobs: SweepJob[]; logger: Logger }): BackgroundTask {
  let stopped = false;
  const lastRun = new Map<string, number>();

  async function pass(): Promise<void> {
    let heldAt = Date.now();
    if (!(await options.lease.hold(heldAt))) return;
    const holdLease = async () => {
      if (stopped) return false;
      if (Date.now() - heldAt < options.leaseTtlMs / 3) return true;
      heldAt = Date.now();
      return options.lease.hold(heldAt);
    };
    for (const job of options.jobs) {
      const now = Date.now();
      if (job.everyMs && now - (lastRun.get(job.name) ?? 0) < job.everyMs) continue;
      lastRun.set(job.name, now);
      try {
        await job.run(holdLease);
      } catch (err) {
        options.logger.warn({ err, job: job.name }, 'a clock sweep failed; will try again');
      }
      if (stopped) return;
    }
  }

  const timer = deadlineSweeper({
    intervalMs: options.intervalMs,
    sweep: () => pass().catch((err: unknown) => options.logger.warn({ err }, 'the clock sweep could not take its lease; will try again')),
    logger: options.logger,
  });
  return {
    start: () => timer.start(),
    async stop() {
      stopped = true;
      await timer.stop();
      await options.lease.release().catch((err: unknown) => options.logger.warn({ err }, 'could not let the clock sweep lease go; it expires by itself'));
    },
  };
}
