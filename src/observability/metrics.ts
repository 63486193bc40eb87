/**
 * A small Prometheus registry: counters, gauges (read at scrape time) and histograms, rendered in
 * the text exposition format for GET /metrics.
 */
type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',');
}

interface Family {
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(name: string): string[];
}

export class Counter {
  private readonly values = new Map<string, number>();
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(name: string): string[] {
    return [...this.values].map(([k, v]) => `${name}${k ? `{${k}}` : ''} ${v}`);
  }
}

export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(private readonly buckets: number[]) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count += 1;
  }
  render(name: string): string[] {
    const lines: string[] = [];
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : '';
      this.buckets.forEach((b, i) => lines.push(`${name}_bucket{${sep}le="${b}"} ${s.counts[i] ?? 0}`));
      lines.push(`${name}_bucket{${sep}le="+Inf"} ${s.count}`, `${name}_sum${k ? `{${k}}` : ''} ${s.sum}`, `${name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines;
  }
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): Counter {
    const c = new Counter();
    this.families.set(name, { help, type: 'counter', render: (n) => c.render(n) });
    return c;
  }

  histogram(name: string, help: string, buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]): Histogram {
    const h = new Histogram(buckets);
    this.families.set(name, { help, type: 'histogram', render: (n) => h.render(n) });
    return h;
  }

  /** A gauge whose value is read when /metrics is scraped. */
  gauge(name: string, help: string, read: () => number | Array<{ labels: Labels; value: number }>): void {
    this.families.set(name, {
      help,
      type: 'gauge',
      render: (n) => {
        const v = read();
        return typeof v === 'number' ? [`${n} ${v}`] : v.map((x) => `${n}{${labelKey(x.labels)}} ${x.value}`);
      },
    });
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, f] of this.families) lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.render(name));
    return `${lines.join('\n')}\n`;
  }
}

/** The metrics Argus exports. */
export function createArgusMetrics(registry = new MetricsRegistry()) {
  const intelQuota = new Map<string, { labels: Labels; value: number }>();
  registry.gauge('argus_intel_quota_remaining', 'Intel lookups left, by source and window (minute, day), as last counted', () => [...intelQuota.values()]);
  return {
    registry,
    webhooks: registry.counter('argus_webhook_requests_total', 'Webhook requests by source and outcome'),
    // Every rejection, also those the audit log only summarizes (see src/audit/rejection-sampler.ts).
    webhookRejected: registry.counter('argus_webhook_rejected_total', 'Rejected webhook requests by route and reason'),
    auditCheckpoints: registry.counter('argus_audit_checkpoints_total', 'Signed audit checkpoints by outcome (written, failed)'),
    webhookLatency: registry.histogram('argus_webhook_ack_seconds', 'Time from request to acknowledgement, by source'),
    events: registry.counter('argus_events_processed_total', 'Stored events processed, by outcome (done, retry, dead)'),
    invokes: registry.counter('argus_card_actions_total', 'Card actions by verb and outcome'),
    teamsCalls: registry.counter('argus_teams_calls_total', 'Bot Connector calls by kind (send, update, reply) and status'),
    teamsRejected: registry.counter('argus_teams_rejected_total', 'POST /api/messages requests refused, by reason'),
    intelLookups: registry.counter('argus_intel_lookups_total', 'Intel lookups by source and result (a verdict, cached, skipped or waiting)'),
    intelQuotaRemaining: (source: string, window: string, value: number) => void intelQuota.set(`${source}|${window}`, { labels: { source, window }, value }),
    triageDecisions: registry.counter('argus_triage_decisions_total', 'Alerts decided by triage, by decision (auto-close, escalate, review)'),
  };
}

export type ArgusMetrics = ReturnType<typeof createArgusMetrics>;
