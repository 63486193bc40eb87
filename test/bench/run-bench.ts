/**
 * `npm run bench`: `argus serve` (LOG_LEVEL=warn) on storage that runs as a process of its own
 * (Azurite), against a recording Bot Connector that enforces Teams' limits. Prints one JSON object
 * (see docs/benchmarks.md): ingest vs the emulator's raw insert rate, webhook → card at steady
 * rates, the storm, peak memory of Argus and of the emulator per phase, and cold starts.
 *
 * Options: --phases=ingest,e2e,storm,cold-start  --storage=external|embedded  --storage-in-memory  --start=compiled|tsx
 * --ingest=5000  --e2e-rates=30,40,50,200  --e2e-seconds=20  --storm-incidents=100  --storm-versions=100
 * --cold-starts=3  --argus-node-args="…"  --argus-stderr  --heap-snapshot-dir=DIR  --memory-log=FILE
 * --allocation-profile=FILE  --storage-debug-log=FILE (the emulator logs every request: what each event costs in storage calls)
 * --storage-node-args='--cpu-prof --cpu-prof-dir=DIR' (node flags for the emulator's process, e.g. to profile it)
 */
import { Agent, request } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signBody, signatureHeader } from '../../src/security/signature';
import { devAccountKey, devAccountName } from '../../src/storage/dev-account';
import { startFakeBotConnector, testUser } from '../helpers/fake-bot-connector';
import { installActivity } from '../helpers/teams-activities';
import { e2ePhase, ingestPhase, rawInsertPhase, stormPhase, type BenchTarget } from './bench-phases';
import { buildDist, launchers, memoryProbe, MemoryWatch, probePeak, startArgusProcess, startStorageProcess, type ArgusProcess, type Launcher, type StorageProcess } from './bench-processes';

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
const phases = new Set((args.get('phases') ?? 'ingest,e2e,storm,cold-start').split(','));
const external = (args.get('storage') ?? 'external') === 'external';
const launcher = (args.get('start') ?? 'compiled') as Launcher;
const ingestCount = phases.has('ingest') ? n('ingest', 5000) : 0;
const e2eRates = phases.has('e2e') ? (args.get('e2e-rates') ?? '30,40,50,200').split(',').map(Number) : [];
const e2eSeconds = n('e2e-seconds', 20);
const stormIncidents = phases.has('storm') ? n('storm-incidents', 100) : 0;
const stormVersions = n('storm-versions', 100);
const coldStarts = phases.has('cold-start') ? n('cold-starts', 3) : 0;
const snapshotDir = args.get('heap-snapshot-dir');
// Extra node flags for the Argus process, e.g. --argus-node-args=--cpu-prof (profiling); --argus-stderr shows its log.
const argusNodeArgs = [
  '--require', memoryProbe.preload,
  ...(snapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : []),
  ...(args.get('argus-node-args') ?? '').split(' ').filter(Boolean),
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  if (!launchers.includes(launcher)) throw new Error(`--start=${launcher}: compiled or tsx`);
  if (launcher === 'compiled' || coldStarts > 0) buildDist();
  const dir = mkdtempSync(join(tmpdir(), 'argus-bench-'));
  if (snapshotDir) mkdirSync(snapshotDir, { recursive: true });
  // The probe's samples (200 ms apart): kept with --memory-log=FILE, else deleted with the run's folder.
  const memoryLog = args.get('memory-log') ?? join(dir, 'memory.jsonl');
  const connector = await startFakeBotConnector({ enforceLimits: true });
  const rules = [
    `    - { match: { labels: [storm] }, conversationId: "19:storm@thread.tacv2" }`,
    ...Array.from({ length: e2eChannels }, (_, k) => `    - { match: { labels: [route-${k}] }, conversationId: "19:e2e-${k}@thread.tacv2" }`),
  ];
  writeFileSync(join(dir, 'argus.config.yaml'), `tenantId: ${home}\nrouting:\n  rules:\n${rules.join('\n')}\n`);
  let storage: StorageProcess | undefined;
  let argus: ArgusProcess | undefined;
  let watch: MemoryWatch | undefined;
  const env = (port: number, probe = true) => ({
    PATH: process.env.PATH,
    PORT: String(port),
    ARGUS_DATA_DIR: join(dir, 'data'),
    ARGUS_CONFIG: join(dir, 'argus.config.yaml'),
    ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: secret,
    LOG_LEVEL: 'warn',
    ...(storage ? { ARGUS_STORAGE_CONNECTION_STRING: storage.connectionString } : {}),
    ...(probe ? { [memoryProbe.envName]: memoryLog } : {}),
    // --allocation-profile=FILE: every allocation sampled, written at exit (see memory-probe.cjs).
    ...(probe && args.has('allocation-profile') ? { BENCH_ALLOCATION_PROFILE: args.get('allocation-profile') } : {}),
  });
  const port = () => 30000 + Math.floor(Math.random() * 20000);
  try {
    if (external) {
      mkdirSync(join(dir, 'azurite'));
      storage = await startStorageProcess(join(dir, 'azurite'), args.has('storage-in-memory'), args.get('storage-debug-log'), (args.get('storage-node-args') ?? '').split(' ').filter(Boolean));
    }
    argus = await startArgusProcess({ launcher, env: env(port()), cwd: dir, nodeArgs: argusNodeArgs, showStderr: args.has('argus-stderr') });
    const { url } = argus;
    const firstStartMs = argus.readyMs;
    const pids: Record<string, number> = { argus: argus.child.pid!, ...(storage ? { storage: storage.pid } : {}) };
    watch = new MemoryWatch(pids);
    // A lean client (node:http, kept-alive sockets): it shares the machine's cores with Argus.
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    // A kept-alive socket the server closes as it is reused fails with ECONNRESET before anything
    // was sent: that one request is sent again (Node's documented remedy, `req.reusedSocket`).
    const post = (payload: unknown, retried = false): Promise<number> =>
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
        req.on('error', (err: NodeJS.ErrnoException) =>
          req.reusedSocket && err.code === 'ECONNRESET' && !retried ? post(payload, true).then(done, fail) : fail(err),
        );
        req.end(body);
      });
    for (const conv of ['19:storm@thread.tacv2', ...Array.from({ length: e2eChannels }, (_, k) => `19:e2e-${k}@thread.tacv2`)]) {
      const spot = { serviceUrl: connector.url, conversationId: conv, teamId: conv, tenantId: home };
      await fetch(`${url}/api/messages`, { method: 'POST', body: JSON.stringify(installActivity(spot, admin)), headers: { 'content-type': 'application/json' } });
    }
    // Between phases Argus works off what it acknowledged, so that each phase starts on an idle system.
    const drained = async () => {
      for (let i = 0; i < 1200; i += 1) {
        const text = await (await fetch(`${url}/metrics`)).text();
        if (/^argus_events_queue_depth 0$/m.test(text) && /^argus_events_processing 0$/m.test(text)) return true;
        await sleep(500);
      }
      return false;
    };
    const connection = storage?.connectionString ?? (() => {
      const owner = JSON.parse(readFileSync(join(dir, 'data', 'azurite.json'), 'utf8')) as { tableEndpoint: string };
      return `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};TableEndpoint=${owner.tableEndpoint};`;
    })();
    const target: BenchTarget = { post, connector, pids, drained, connection };
    const result: Record<string, unknown> = { setup: { storage: external ? `external${args.has('storage-in-memory') ? ' (in memory)' : ''}` : 'embedded', start: launcher, node: process.version, firstStartMs } };

    if (ingestCount > 0) {
      watch.begin('ingest');
      // Monotonic clock, as in --cpu-prof profiles: lets a profile be cut to this phase.
      const onClock = (a: bigint, b: bigint) => Boolean(args.get('argus-node-args')) && console.error(`phase ingest: ${a / 1000n}..${b / 1000n} µs`);
      const ingest = await ingestPhase(target, ingestCount, onClock);
      watch.end();
      const raw = await rawInsertPhase(target, ingestCount);
      Object.assign(result, {
        ingest: ingest.ingest,
        azuriteInsertRps: raw.rps,
        ingestRatio: Math.round((ingest.ingest.rps / raw.rps) * 100) / 100,
        // CPU milliseconds per acknowledged event / per raw insert, by thread (where the time goes).
        cpuMsPerItem: { ingest: ingest.cpu, rawInsert: raw.cpu },
        // After the burst: time until the queue was empty (events processed meanwhile are counted in cpuMsPerEvent's divisor).
        backlog: ingest.backlog,
      });
    }

    const e2e: Record<string, unknown> = {};
    let firstIndex = 200_000;
    for (const rate of e2eRates) {
      await drained();
      watch.begin(`e2e${rate}`);
      e2e[String(rate)] = await e2ePhase(target, { rate, seconds: e2eSeconds, channels: e2eChannels, firstIndex, tag: `E2E${rate}` });
      watch.end();
      firstIndex += Math.round(rate * e2eSeconds);
    }
    if (e2eRates.length) result.e2e = e2e;

    if (stormIncidents > 0) {
      await drained();
      // With --heap-snapshot-dir: a heap snapshot when the last update is acknowledged, then every 30 s.
      let snapshots: NodeJS.Timeout | undefined;
      const snapshot = () => {
        if (!snapshotDir) return;
        argus?.child.kill('SIGUSR2');
        snapshots = setInterval(() => argus?.child.kill('SIGUSR2'), 30_000);
      };
      const from = Date.now();
      watch.begin('storm');
      result.storm = await stormPhase(target, { incidents: stormIncidents, versions: stormVersions, onAcked: snapshot });
      clearInterval(snapshots);
      watch.end();
      // The probe's sample at the storm's largest RSS: what of it is V8 heap, buffers, the rest.
      result.stormMemoryAtPeak = probePeak(memoryLog, from, Date.now());
    }
    watch.stop();
    const memory = watch.report();
    result.peakRssMb = Math.max(0, ...Object.values(memory).map((m) => m.argus ?? 0));
    result.memoryPeakMb = memory;
    await argus.stop();

    if (coldStarts > 0) {
      // Process start → /readyz 200 on storage that already holds the tables (as on a restart).
      const cold: Record<string, unknown> = { storage: external ? 'external' : 'embedded' };
      for (const l of launchers) {
        const runs: number[] = [];
        for (let i = 0; i < coldStarts; i += 1) {
          const a = await startArgusProcess({ launcher: l, env: env(port(), false), cwd: dir });
          runs.push(a.readyMs);
          await a.stop();
        }
        cold[l] = { medianMs: median(runs), runsMs: runs };
      }
      result.coldStart = cold;
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    watch?.stop();
    await argus?.stop();
    await storage?.stop();
    await connector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
