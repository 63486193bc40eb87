import type { MetricsRegistry } from '../observability/metrics';
import type { TriageRecord } from './triage-record';
import type { TriageStore } from './triage-store';
import { intelSources, type IntelSource } from './types';

/**
 * The lookups waiting for quota: the durable queue is the set of alerts waiting for intel
 * (`pending-intel` records in ArgusAlerts, kept across restarts and shared by every instance),
 * each with the lookups the quota holds back. One lookup counts once per source however many
 * alerts wait for it (the first answer is cached for the rest). `argus intel quota` prints it as
 * `queued`; the gauge argus_intel_queue_depth{source} shows it as last counted.
 */

export type QueueDepth = Record<IntelSource, number>;

export function queuedLookups(records: Iterable<TriageRecord>): QueueDepth {
  const seen: Record<IntelSource, Set<string>> = { virustotal: new Set(), abuseipdb: new Set() };
  for (const r of records) {
    if (r.status !== 'pending-intel') continue;
    for (const w of r.pending?.waiting ?? []) seen[w.source]?.add(`${w.type}:${w.value}`);
  }
  return { virustotal: seen.virustotal.size, abuseipdb: seen.abuseipdb.size };
}

/** Counts the queue from the stored pending records. */
export async function countQueued(store: Pick<TriageStore, 'list'>): Promise<QueueDepth> {
  return queuedLookups(await store.list({ status: 'pending-intel' }));
}

/** argus_intel_queue_depth{source} for the configured sources; `set` records the last count. */
export function queueDepthGauge(registry: Pick<MetricsRegistry, 'gauge'>, sources: readonly IntelSource[]): { set(depth: QueueDepth): void } {
  let last: QueueDepth = { virustotal: 0, abuseipdb: 0 };
  registry.gauge('argus_intel_queue_depth', 'Intel lookups waiting for quota in the durable queue, by source, as last counted', () =>
    intelSources.filter((s) => sources.includes(s)).map((source) => ({ labels: { source }, value: last[source] })),
  );
  return { set: (depth) => void (last = depth) };
}
