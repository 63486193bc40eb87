import type { Logger } from '../logging/logger';
import type { AuditEntry, AuditLog } from './audit-log';
import { callerSource, RejectionSampler, type RejectionSummary } from './rejection-sampler';

export interface RejectionAuditOptions {
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
  /** Rejections per route and caller per minute audited one by one (default 20). */
  perSourcePerMinute?: number;
  /** Distinct (route, caller) pairs tracked per minute (default 1000). */
  maxSources?: number;
  now?: () => number;
  /** How often ended minutes are looked for (default 5 s). */
  sweepIntervalMs?: number;
}

export interface RejectedRequest {
  /** The route's path, e.g. /api/webhooks/sentinel. */
  route: string;
  /** The connection's remote address. */
  address?: string;
  reason: string;
  /** The row to write when this rejection is audited on its own. */
  entry: AuditEntry;
}

/** The action of a summary row: how many rejections of one route and caller in one minute were only counted. */
export const rejectionSummaryAction = 'webhook.rejected.summary';

/**
 * Audits rejected, unauthenticated requests through a RejectionSampler: the first ones of each
 * route and caller per minute as their own rows, then one summary row per route and caller when
 * the minute ends (written by a sweep, and for the minute in progress at stop()).
 */
export class RejectionAudit {
  private readonly sampler: RejectionSampler;
  private readonly audit: Pick<AuditLog, 'append'>;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly sweepIntervalMs: number;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(options: RejectionAuditOptions) {
    this.sampler = new RejectionSampler({ perSourcePerMinute: options.perSourcePerMinute ?? 20, maxSources: options.maxSources ?? 1000 });
    this.audit = options.audit;
    this.log = options.logger.child({ component: 'rejection-audit' });
    this.now = options.now ?? Date.now;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 5_000;
  }

  /** Audits the rejection on its own row, or only counts it; 'counted' says which. */
  async record(request: RejectedRequest): Promise<'audited' | 'counted'> {
    const source = callerSource(request.address);
    const target = request.entry.target ?? '';
    if (!this.sampler.admit({ route: request.route, target, source, reason: request.reason }, this.now())) return 'counted';
    await this.audit.append({ ...request.entry, detail: { ...request.entry.detail, caller: source } });
    return 'audited';
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.sweepIntervalMs);
    this.timer.unref();
  }

  /** Writes the summaries of the minutes that have ended. */
  flush(): Promise<void> {
    return this.enqueue(() => this.sampler.takeClosed(this.now()));
  }

  /** Stops the sweep and writes every summary, the current minute's so far included. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.enqueue(() => this.sampler.drain());
  }

  // One write at a time: a slow audit log holds summaries back rather than piling up appends.
  private enqueue(take: () => RejectionSummary[]): Promise<void> {
    this.writing = this.writing.then(() => this.write(take()));
    return this.writing;
  }

  private async write(summaries: RejectionSummary[]): Promise<void> {
    const dropped = this.sampler.takeDropped();
    if (dropped > 0) this.log.error({ dropped }, 'summaries of rejected webhooks were dropped: the audit log took none for minutes');
    for (const s of summaries) {
      try {
        await this.audit.append({
          action: rejectionSummaryAction,
          outcome: 'rejected',
          target: s.target,
          detail: { route: s.route, caller: s.source, from: s.from, to: s.to, count: s.suppressed, auditedRows: s.audited, reasons: s.reasons },
        });
      } catch (err) {
        // The count stays in /metrics (argus_webhook_rejected_total); the lost row is logged loudly.
        this.log.error({ err, route: s.route, caller: s.source, count: s.suppressed }, 'could not audit a summary of rejected webhooks');
      }
    }
  }
}
