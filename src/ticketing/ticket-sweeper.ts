import type { Logger } from '../logging/logger';
import type { TicketLinkStore } from './ticket-link-store';
import type { TicketScheduler } from './ticket-scheduler';

/**
 * Parked ticket work (the ITSM was down) lives on the link with its next try time; the sweeper
 * queues a try for each link whose time has come. Every instance sweeps; the idempotency key
 * (attempt count + due time) makes one event of each try.
 */
export class TicketSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly options: { links: TicketLinkStore; scheduler: TicketScheduler; intervalMs: number; logger: Logger },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running && !this.stopped) this.running = this.sweep().then(() => undefined, () => undefined).finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Queues every due try; answers how many. */
  async sweep(now = new Date()): Promise<number> {
    let due;
    try {
      due = await this.options.links.listDue(now);
    } catch (err) {
      this.options.logger.warn({ err }, 'cannot scan ticket links for parked work (storage unavailable?)');
      return 0;
    }
    let queued = 0;
    for (const link of due) {
      if (this.stopped) break;
      if (link.lease && Date.parse(link.lease.until) > now.getTime()) continue;
      try {
        await this.options.scheduler.enqueue(link.incidentName, 'retry', `ticket.work|${link.incidentName}|retry|${link.work.attempts}|${link.work.retryAt ?? ''}`);
        queued += 1;
      } catch (err) {
        this.options.logger.warn({ err, incident: link.incidentName }, 'could not queue parked ticket work');
      }
    }
    return queued;
  }
}
