/**
 * The measured phases of `npm run bench` (see run-bench.ts and docs/benchmarks.md): ingest, the
 * emulator's raw insert rate, webhook → card at a steady rate, and the storm.
 */
import { gzipSync } from 'node:zlib';
import { TableClient } from '@azure/data-tables';
import type { FakeBotConnector, ConnectorCall } from '../helpers/fake-bot-connector';
import { maxCallsInWindow, pool, stormIncident } from '../helpers/storm';
import { threadCpu } from '../helpers/thread-cpu';

export interface BenchTarget {
  /** Signed Sentinel webhook; resolves with the HTTP status. */
  post(payload: unknown): Promise<number>;
  connector: FakeBotConnector;
  /** Processes whose threads' CPU is counted: Argus, and the emulator when it runs apart. */
  pids: Record<string, number>;
  /** Resolves once Argus has worked off what it acknowledged (false: not within 10 minutes). */
  drained(): Promise<boolean>;
  /** Storage connection string (the emulator Argus uses). */
  connection: string;
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) * 10) / 10;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function incident(index: number, version: number, label: string, title = `Bench incident ${index}`) {
  const i = stormIncident(index, version);
  i.properties.title = title;
  i.properties.labels = [{ labelName: label, labelType: 'User' }, { labelName: `v${version}`, labelType: 'User' }];
  return i;
}

type CpuMark = { threads: Map<string, number>; self: NodeJS.CpuUsage };

/** CPU seconds so far of every thread of the target's processes (and of this process). */
export function cpuMark(pids: Record<string, number>): CpuMark {
  const threads = new Map<string, number>();
  for (const [proc, pid] of Object.entries(pids))
    for (const [tid, t] of threadCpu(pid)) threads.set(`${proc === 'argus' ? '' : `${proc}:`}${t.name}#${t.main ? 'main' : tid}`, t.seconds);
  return { threads, self: process.cpuUsage() };
}

/** CPU milliseconds per item of each busy thread since `before`, plus this process's own. */
export function cpuPerItem(before: CpuMark, pids: Record<string, number>, items: number): Record<string, number> {
  const after = cpuMark(pids);
  const self = process.cpuUsage(before.self);
  const out: Record<string, number> = {};
  for (const [name, seconds] of after.threads) {
    const used = seconds - (before.threads.get(name) ?? 0);
    if (used >= 0.05) out[name] = Math.round((used * 1000 * 1000) / items) / 1000;
  }
  out['bench-client'] = Math.round(((self.user + self.system) / items) * 1000) / 1e6;
  return out;
}

let next = 0;
const unrouted = (count: number) => Array.from({ length: count }, () => incident(100_000 + next++, 0, 'none'));

/** Ingest of incidents no channel gets: 1,000 warm-up webhooks (worked off), then `count` measured at concurrency 32. */
export async function ingestPhase(t: BenchTarget, count: number, onClock?: (from: bigint, to: bigint) => void) {
  await pool(unrouted(1000), 32, async (p) => void (await t.post(p)));
  await t.drained();
  const latencies: number[] = [];
  const cpu0 = cpuMark(t.pids);
  const clock0 = process.hrtime.bigint();
  const t0 = performance.now();
  await pool(unrouted(count), 32, async (p) => {
    const s = performance.now();
    const status = await t.post(p);
    latencies.push(performance.now() - s);
    if (status !== 202) throw new Error(`ingest answered ${status}`);
  });
  const rps = Math.round(count / ((performance.now() - t0) / 1000));
  onClock?.(clock0, process.hrtime.bigint());
  const cpu = cpuPerItem(cpu0, t.pids, count);
  const drain0 = cpuMark(t.pids);
  const d0 = performance.now();
  await t.drained();
  // How long the backlog left by the burst took to work off, and its CPU cost per event.
  const backlog = { drainedMs: Math.round(performance.now() - d0), cpuMsPerEvent: cpuPerItem(drain0, t.pids, count) };
  return { ingest: { rps, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }, cpu, backlog };
}

/** The emulator's raw single-entity insert rate: warm, concurrency 32, entities of the size Argus stores per event. */
export async function rawInsertPhase(t: BenchTarget, count: number) {
  const client = TableClient.fromConnectionString(t.connection, 'BenchRawInserts', { allowInsecureConnection: true });
  await client.createTable();
  const sample = incident(1, 0, 'none');
  const entity = (i: number) => ({
    partitionKey: 'sentinel',
    rowKey: `raw-${i}`,
    eventId: sample.name,
    name: 'sentinel.incident.created',
    correlationId: sample.name,
    receivedAt: new Date().toISOString(),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: new Date().toISOString(),
    payloadParts: 1,
    payload0: new Uint8Array(gzipSync(JSON.stringify(sample))),
  });
  let i = 0;
  await pool(Array.from({ length: 1000 }, () => i++), 32, async (k) => void (await client.createEntity(entity(k))));
  const cpu0 = cpuMark(t.pids);
  const t0 = performance.now();
  await pool(Array.from({ length: count }, () => i++), 32, async (k) => void (await client.createEntity(entity(k))));
  return { rps: Math.round(count / ((performance.now() - t0) / 1000)), cpu: cpuPerItem(cpu0, t.pids, count) };
}

/**
 * Webhook → card posted, at a steady `rate` of new incidents per second for `seconds`, routed
 * round-robin to `channels` channels (labels route-<k>). Titles carry `tag` and a number.
 */
export async function e2ePhase(t: BenchTarget, o: { rate: number; seconds: number; channels: number; firstIndex: number; tag: string }) {
  const total = Math.round(o.rate * o.seconds);
  const sentAt: number[] = [];
  const ackMs: number[] = [];
  const postedAt: number[] = [];
  const interval = 1000 / o.rate;
  const from = t.connector.calls.length;
  const cpu0 = cpuMark(t.pids);
  const e0 = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < total; i += 1) {
    const wait = e0 + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt[i] = Date.now();
    inflight.push(t.post(incident(o.firstIndex + i, 0, `route-${i % o.channels}`, `${o.tag} incident ${i}`)).then(() => ackMs.push(Date.now() - sentAt[i]!)));
  }
  await Promise.all(inflight);
  // Looks only at calls not seen yet (a full scan of every card each time would load the client).
  const pattern = new RegExp(`${o.tag} incident (\\d+)`);
  let scanned = from;
  let seen = 0;
  const deadline = Date.now() + 120_000 + (total / 50) * 1000;
  while (seen < total && Date.now() < deadline) {
    for (; scanned < t.connector.calls.length; scanned += 1) {
      const c = t.connector.calls[scanned]!;
      if (c.kind !== 'send') continue;
      const m = pattern.exec(JSON.stringify(c.activity));
      const i = m ? Number(m[1]) : -1;
      if (i >= 0 && postedAt[i] === undefined) {
        postedAt[i] = c.at;
        seen += 1;
      }
    }
    await sleep(100);
  }
  const cpuMsPerIncident = cpuPerItem(cpu0, t.pids, total);
  const latency = sentAt.flatMap((s, i) => (postedAt[i] === undefined ? [] : [postedAt[i]! - s]));
  const posted = postedAt.filter((x) => x !== undefined);
  const spanS = posted.length > 1 ? (Math.max(...posted) - Math.min(...sentAt)) / 1000 : 0;
  return {
    rate: o.rate,
    p50Ms: percentile(latency, 50),
    p99Ms: percentile(latency, 99),
    maxMs: percentile(latency, 100),
    // Of which the acknowledgement (webhook → 202).
    ackP50Ms: percentile(ackMs, 50),
    ackP99Ms: percentile(ackMs, 99),
    measured: latency.length,
    sent: total,
    // Cards posted per second, first webhook to last card.
    cardsPerSecond: spanS > 0 ? Math.round((posted.length / spanS) * 10) / 10 : 0,
    // CPU of each process per incident (until its card was seen; the client's includes the wait loop).
    cpuMsPerIncident,
    // p99 of the incidents sent in each second of the phase: a slow start (or a queue that
    // never drains) shows here, where one p99 over the phase hides when it happened.
    p99BySecondMs: Array.from({ length: Math.ceil(o.seconds) }, (_, s) =>
      percentile(
        sentAt.flatMap((at, i) => (postedAt[i] !== undefined && Math.floor(i / o.rate) === s ? [postedAt[i]! - at] : [])),
        99,
      ),
    ),
  };
}

/** A storm: `versions` updates of each of `incidents` incidents to one channel, as fast as accepted. */
export async function stormPhase(t: BenchTarget, o: { incidents: number; versions: number; onAcked?: () => void }) {
  const { connector } = t;
  const before = connector.calls.length;
  const throttledBefore = connector.throttled;
  const cpu0 = cpuMark(t.pids);
  const updates: ReturnType<typeof incident>[] = [];
  for (let v = 0; v < o.versions; v += 1) for (let i = 0; i < o.incidents; i += 1) updates.push(incident(300_000 + i, v, 'storm', `Storm incident ${i}`));
  let accepted = 0;
  await pool(updates, 32, async (u) => {
    const status = await t.post(u);
    if (status === 202 || status === 200) accepted += 1;
  });
  const ackedAt = Date.now();
  o.onAcked?.();
  // Until every acknowledged update is processed (cards keep changing until then).
  let processedMs = -1;
  void t.drained().then((done) => done && (processedMs = Date.now() - ackedAt));
  const finalLabel = `v${o.versions - 1}`;
  const stormCalls = () => connector.calls.slice(before).filter((c) => c.conversationId.startsWith('19:storm@thread.tacv2'));
  const lastCardOf = (calls: ConnectorCall[]) => {
    const last = new Map<string, string>();
    for (const c of calls) {
      if (c.kind === 'reply') continue;
      const text = JSON.stringify(c.activity);
      const m = /Storm incident (\d+)/.exec(text);
      if (m) last.set(m[1]!, text);
    }
    return last;
  };
  let convergedMs = -1;
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    const last = lastCardOf(stormCalls());
    if (last.size === o.incidents && [...last.values()].every((x) => x.includes(finalLabel))) {
      convergedMs = Date.now() - ackedAt;
      break;
    }
    await sleep(250);
  }
  // CPU per update by thread, from the first webhook until converged (or given up).
  const cpuMsPerUpdate = cpuPerItem(cpu0, t.pids, updates.length);
  const last = lastCardOf(stormCalls());
  const events = TableClient.fromConnectionString(t.connection, 'ArgusEvents', { allowInsecureConnection: true });
  let notDone = 0;
  for await (const _ of events.listEntities({ queryOptions: { filter: `status ne 'done'` } })) notDone += 1;
  const lost = notDone + (o.incidents - [...last.values()].filter((x) => x.includes(finalLabel)).length) + (updates.length - accepted);
  const calls = stormCalls();
  return {
    updates: updates.length,
    incidents: o.incidents,
    cardPosts: calls.filter((c) => c.kind === 'send' && /Storm incident/.test(JSON.stringify(c.activity))).length,
    cardUpdates: calls.filter((c) => c.kind === 'update').length,
    maxCallsPerConversationPerSecond: maxCallsInWindow(connector.calls.slice(before), 1_000),
    maxCallsPerConversationPer2s: maxCallsInWindow(connector.calls.slice(before), 2_000),
    maxCallsPerConversationPer30s: maxCallsInWindow(connector.calls.slice(before), 30_000),
    threadReplies: calls.filter((c) => c.kind === 'reply').length,
    http429: connector.throttled - throttledBefore,
    lost,
    processedMs,
    convergedMs,
    cpuMsPerUpdate,
  };
}
