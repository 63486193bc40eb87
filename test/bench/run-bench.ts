/**
 * `npm run bench`: Argus (`argus serve`, embedded storage, LOG_LEVEL=warn) against a recording Bot
 * Connector that enforces Teams' limits. Prints one JSON object:
 * { ingest: {rps, p50Ms, p99Ms}, azuriteInsertRps, ingestRatio, e2e: {p50Ms, p99Ms},
 *   storm: {updates, incidents, cardPosts, cardUpdates, maxCallsPerConversationPerSecond, http429, lost, convergedMs},
 *   peakRssMb }
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { signBody, signatureHeader } from '../../src/security/signature';
import { devAccountKey, devAccountName } from '../../src/storage/dev-account';
import { startFakeBotConnector, testUser, type ConnectorCall } from '../helpers/fake-bot-connector';
import { maxCallsInWindow, pool, stormIncident } from '../helpers/storm';
import { installActivity } from '../helpers/teams-activities';
import { threadCpu } from '../helpers/thread-cpu';

const secret = 'bench-webhook-secret';
const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const admin = testUser('Bench Admin', '10000000-0000-4000-8000-000000000001', home);
const e2eChannels = 50;
const args = new Map(
  process.argv.slice(2).map((a): [string, string] => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k!, v.join('=')];
  }),
);
const n = (name: string, d: number) => Number(args.get(name) ?? d);
// --phases=ingest,e2e,storm runs a subset (the raw insert rate runs with ingest).
const phases = new Set((args.get('phases') ?? 'ingest,e2e,storm').split(','));
const ingestCount = phases.has('ingest') ? n('ingest', 5000) : 0;
const stormIncidents = phases.has('storm') ? n('storm-incidents', 100) : 0;
const stormVersions = n('storm-versions', 100);
const e2eSeconds = phases.has('e2e') ? n('e2e-seconds', 20) : 0;
// Extra node flags for the Argus process, e.g. --argus-node-args=--cpu-prof (profiling); --argus-stderr shows its log.
const argusNodeArgs = (args.get('argus-node-args') ?? '').split(' ').filter(Boolean);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) * 10) / 10;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU milliseconds per item of each busy thread between two threadCpu snapshots, plus this process's own. */
function cpuPerItem(before: ReturnType<typeof threadCpu>, after: ReturnType<typeof threadCpu>, self: NodeJS.CpuUsage, items: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [tid, t] of after) {
    const used = t.seconds - (before.get(tid)?.seconds ?? 0);
    if (used >= 0.05) out[`${t.name}#${t.main ? 'main' : tid}`] = Math.round((used * 1000 * 1000) / items) / 1000;
  }
  out['bench-client'] = Math.round(((self.user + self.system) / items) * 1000) / 1e6;
  return out;
}

function incident(index: number, version: number, label: string, title = `Bench incident ${index}`) {
  const i = stormIncident(index, version);
  i.properties.title = title;
  i.properties.labels = [{ labelName: label, labelType: 'User' }, { labelName: `v${version}`, labelType: 'User' }];
  return i;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'argus-bench-'));
  const connector = await startFakeBotConnector({ enforceLimits: true });
  const port = 30000 + Math.floor(Math.random() * 20000);
  const rules = [
    `    - { match: { labels: [storm] }, conversationId: "19:storm@thread.tacv2" }`,
    ...Array.from({ length: e2eChannels }, (_, k) => `    - { match: { labels: [route-${k}] }, conversationId: "19:e2e-${k}@thread.tacv2" }`),
  ];
  writeFileSync(join(dir, 'argus.config.yaml'), `tenantId: ${home}\nrouting:\n  rules:\n${rules.join('\n')}\n`);
  const env = {
    PATH: process.env.PATH,
    PORT: String(port),
    ARGUS_DATA_DIR: join(dir, 'data'),
    ARGUS_CONFIG: join(dir, 'argus.config.yaml'),
    ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: secret,
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, [...argusNodeArgs, resolve(__dirname, '../../bin/argus.js'), 'serve'], { env, cwd: dir, stdio: ['ignore', 'ignore', args.has('argus-stderr') ? 'inherit' : 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i += 1) {
      if (i > 300) throw new Error(`argus did not start: ${stderr}`);
      const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(100);
    }
    // A lean client (node:http, kept-alive sockets): it shares the machine's cores with Argus.
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const post = (payload: unknown): Promise<number> =>
      new Promise((done, fail) => {
        const body = JSON.stringify(payload);
        const req = request(
          `${url}/api/webhooks/sentinel`,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [signatureHeader]: signBody(secret, body) } },
          (res) => {
            res.resume();
            res.on('end', () => done(res.statusCode ?? 0));
            res.on('error', fail);
          },
        );
        req.on('error', fail);
        req.end(body);
      });
    for (const conv of ['19:storm@thread.tacv2', ...Array.from({ length: e2eChannels }, (_, k) => `19:e2e-${k}@thread.tacv2`)]) {
      const spot = { serviceUrl: connector.url, conversationId: conv, teamId: conv, tenantId: home };
      await fetch(`${url}/api/messages`, { method: 'POST', body: JSON.stringify(installActivity(spot, admin)), headers: { 'content-type': 'application/json' } });
    }

    // Let Argus work off what it acknowledged, so that each measurement starts
    // on an idle system (the warm-up's backlog is worked off before the measured burst).
    const drained = async () => {
      for (let i = 0; i < 1200; i += 1) {
        const text = await (await fetch(`${url}/metrics`)).text();
        if (/^argus_events_queue_depth 0$/m.test(text) && /^argus_events_processing 0$/m.test(text)) return;
        await sleep(500);
      }
    };
    // (a) ingest, incidents no channel gets: warm-up discarded, then measured at concurrency 32.
    let next = 0;
    const unrouted = (count: number) => Array.from({ length: count }, () => incident(100_000 + next++, 0, 'none'));
    await pool(unrouted(ingestCount > 0 ? 1000 : 0), 32, async (p) => void (await post(p)));
    await drained();
    const latencies: number[] = [];
    const ingestCpu0 = threadCpu(child.pid!);
    const ingestSelf0 = process.cpuUsage();
    const ingestClock0 = process.hrtime.bigint();
    const t0 = performance.now();
    await pool(unrouted(ingestCount), 32, async (p) => {
      const s = performance.now();
      const status = await post(p);
      latencies.push(performance.now() - s);
      if (status !== 202) throw new Error(`ingest answered ${status}`);
    });
    const ingestRps = Math.round(ingestCount / ((performance.now() - t0) / 1000));
    // Monotonic clock, as in --cpu-prof profiles: lets a profile be cut to this phase.
    if (argusNodeArgs.length) console.error(`phase ingest: ${ingestClock0 / 1000n}..${process.hrtime.bigint() / 1000n} µs`);
    const ingestCpuMs = cpuPerItem(ingestCpu0, threadCpu(child.pid!), process.cpuUsage(ingestSelf0), ingestCount);
    const drainCpu0 = threadCpu(child.pid!);
    const drainSelf0 = process.cpuUsage();
    const d0 = performance.now();
    await drained();
    // How long the backlog left by the burst took to work off, and its CPU cost per event.
    const backlog = { drainedMs: Math.round(performance.now() - d0), cpuMsPerEvent: cpuPerItem(drainCpu0, threadCpu(child.pid!), process.cpuUsage(drainSelf0), ingestCount) };

    // (b) raw Azurite single-entity inserts on the same emulator: warm, concurrency 32, same size.
    const owner = JSON.parse(readFileSync(join(dir, 'data', 'azurite.json'), 'utf8')) as { tableEndpoint: string };
    const connection = `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};TableEndpoint=${owner.tableEndpoint};`;
    const rawClient = TableClient.fromConnectionString(connection, 'BenchRawInserts', { allowInsecureConnection: true });
    await rawClient.createTable();
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
    let rawNext = 0;
    await pool(Array.from({ length: ingestCount > 0 ? 1000 : 0 }, () => rawNext++), 32, async (i) => void (await rawClient.createEntity(entity(i))));
    const rawCpu0 = threadCpu(child.pid!);
    const rawSelf0 = process.cpuUsage();
    const r0 = performance.now();
    await pool(Array.from({ length: ingestCount }, () => rawNext++), 32, async (i) => void (await rawClient.createEntity(entity(i))));
    const azuriteInsertRps = Math.round(ingestCount / ((performance.now() - r0) / 1000));
    const rawCpuMs = cpuPerItem(rawCpu0, threadCpu(child.pid!), process.cpuUsage(rawSelf0), ingestCount);

    // (c) end to end, webhook → card posted, at a steady 50 events/s spread over 50 channels.
    const sentAt = new Map<string, number>();
    const e2eTotal = e2eSeconds * 50;
    const e0 = performance.now();
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < e2eTotal; i += 1) {
      const due = e0 + i * 20;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const title = `E2E incident ${i}`;
      sentAt.set(title, Date.now());
      inflight.push(post(incident(200_000 + i, 0, `route-${i % e2eChannels}`, title)));
    }
    await Promise.all(inflight);
    const e2eLatency: number[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const seen = new Map<string, number>();
      for (const c of connector.calls)
        if (c.kind === 'send') {
          const m = /E2E incident (\d+)/.exec(JSON.stringify(c.activity));
          if (m && !seen.has(`E2E incident ${m[1]}`)) seen.set(`E2E incident ${m[1]}`, c.at);
        }
      if (seen.size >= e2eTotal) {
        for (const [title, at] of seen) e2eLatency.push(at - (sentAt.get(title) ?? at));
        break;
      }
      await sleep(200);
    }

    await drained();
    // (d) a storm: `stormVersions` updates of each of `stormIncidents` incidents, as fast as accepted.
    const before = connector.calls.length;
    const throttledBefore = connector.throttled;
    const updates: ReturnType<typeof incident>[] = [];
    for (let v = 0; v < stormVersions; v += 1) for (let i = 0; i < stormIncidents; i += 1) updates.push(incident(300_000 + i, v, 'storm', `Storm incident ${i}`));
    let accepted = 0;
    await pool(updates, 32, async (u) => {
      const status = await post(u);
      if (status === 202 || status === 200) accepted += 1;
    });
    const stormAckedAt = Date.now();
    const finalLabel = `v${stormVersions - 1}`;
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
    const stormDeadline = Date.now() + 15 * 60_000;
    while (Date.now() < stormDeadline) {
      const last = lastCardOf(stormCalls());
      if (last.size === stormIncidents && [...last.values()].every((t) => t.includes(finalLabel))) {
        convergedMs = Date.now() - stormAckedAt;
        break;
      }
      await sleep(250);
    }
    const last = lastCardOf(stormCalls());
    const events = TableClient.fromConnectionString(connection, 'ArgusEvents', { allowInsecureConnection: true });
    let notDone = 0;
    for await (const _ of events.listEntities({ queryOptions: { filter: `status ne 'done'` } })) notDone += 1;
    const lost = notDone + (stormIncidents - [...last.values()].filter((t) => t.includes(finalLabel)).length) + (updates.length - accepted);
    const calls = stormCalls();

    const peakRssMb = Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
    const result = {
      ingest: { rps: ingestRps, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) },
      azuriteInsertRps,
      ingestRatio: Math.round((ingestRps / azuriteInsertRps) * 100) / 100,
      e2e: { p50Ms: percentile(e2eLatency, 50), p99Ms: percentile(e2eLatency, 99), measured: e2eLatency.length, sent: e2eTotal },
      storm: {
        updates: updates.length,
        incidents: stormIncidents,
        cardPosts: calls.filter((c) => c.kind === 'send' && /Storm incident/.test(JSON.stringify(c.activity))).length,
        cardUpdates: calls.filter((c) => c.kind === 'update').length,
        maxCallsPerConversationPerSecond: maxCallsInWindow(connector.calls.slice(before), 1_000),
        maxCallsPerConversationPer2s: maxCallsInWindow(connector.calls.slice(before), 2_000),
        maxCallsPerConversationPer30s: maxCallsInWindow(connector.calls.slice(before), 30_000),
        threadReplies: calls.filter((c) => c.kind === 'reply').length,
        http429: connector.throttled - throttledBefore,
        lost,
        convergedMs,
      },
      peakRssMb,
      // CPU milliseconds per acknowledged event / per raw insert, by thread (where the time goes).
      cpuMsPerItem: { ingest: ingestCpuMs, rawInsert: rawCpuMs },
      // After the burst: time until the queue was empty (events processed meanwhile are counted in cpuMsPerEvent's divisor).
      backlog,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await connector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
