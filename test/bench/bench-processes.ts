/**
 * The processes of `npm run bench`: Azurite as a process of its own (external storage), Argus
 * started the way it is deployed (`bin/argus.js`) or through tsx, and the memory they use.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { answers } from '../../src/storage/embedded-azurite';
import { devConnectionString, devEndpoint } from '../../src/storage/dev-account';

const root = resolve(__dirname, '../..');

/** Children still running when the benchmark exits (a crash included) are killed with it. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});
function tracked(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How Argus is started: `compiled` is the `argus` command (`node bin/argus.js serve`, which runs
 * the build in dist/), `tsx` the TypeScript sources through tsx (`node --import tsx src/cli/main.ts serve`).
 */
export type Launcher = 'compiled' | 'tsx';
export const launchers: Launcher[] = ['compiled', 'tsx'];

/** Brings dist/ up to date as `npm run build` does (incremental), where the project has that step. */
export function buildDist(): void {
  const prepare = join(root, 'scripts/prepare.js');
  if (!existsSync(prepare)) return;
  const built = spawnSync(process.execPath, [prepare], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building dist/ failed (above)');
}

function launchArgs(launcher: Launcher): string[] {
  // tsx: `--import tsx`, resolved from the project (Argus runs in another folder).
  const tsx = pathToFileURL(require.resolve('tsx', { paths: [root] })).href;
  // Compiled: as `npm start` and the Docker image run the service (heap capped at 512 MB).
  return launcher === 'compiled' ? ['--max-old-space-size=512', join(root, 'bin/argus.js'), 'serve'] : ['--import', tsx, join(root, 'src/cli/main.ts'), 'serve'];
}

async function ephemeralPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

export interface StorageProcess {
  pid: number;
  connectionString: string;
  tableEndpoint: string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Azurite (Table, Queue and Blob, which the evidence store uses) as its own Node process, its database under
 * `location` (saved to disk every few seconds, as the embedded one) or, `inMemory`, never saved.
 */
export async function startStorageProcess(location: string, inMemory = false, debugLog?: string, nodeArgs: string[] = []): Promise<StorageProcess> {
  const [tablePort, queuePort, blobPort] = [await ephemeralPort(), await ephemeralPort(), await ephemeralPort()];
  const child = tracked(spawn(
    process.execPath,
    [...nodeArgs, join(root, 'node_modules/azurite/dist/src/azurite.js'), '--silent', '--skipApiVersionCheck', '--disableTelemetry',
      ...(inMemory ? ['--inMemoryPersistence'] : ['--location', location]),
      ...(debugLog ? ['--debug', debugLog] : []),
      '--tablePort', String(tablePort), '--queuePort', String(queuePort), '--blobPort', String(blobPort)],
    { cwd: location, stdio: ['ignore', 'ignore', 'pipe'] },
  ));
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const tableEndpoint = devEndpoint('127.0.0.1', tablePort);
  const queueEndpoint = devEndpoint('127.0.0.1', queuePort);
  const blobEndpoint = devEndpoint('127.0.0.1', blobPort);
  for (let i = 0; !((await answers(tableEndpoint)) && (await answers(queueEndpoint))); i += 1) {
    if (i > 300 || child.exitCode !== null) throw new Error(`azurite did not start: ${stderr}`);
    await sleep(100);
  }
  return { pid: child.pid!, connectionString: devConnectionString({ tableEndpoint, queueEndpoint, blobEndpoint }), tableEndpoint, stop: () => stopChild(child) };
}

export interface ArgusProcess {
  child: ChildProcess;
  url: string;
  /** Process start → first `/readyz` 200, in ms. */
  readyMs: number;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `argus serve` and waits for `/readyz` to answer 200 (polled every 10 ms). */
export async function startArgusProcess(o: { launcher: Launcher; env: Record<string, string | undefined>; cwd: string; nodeArgs?: string[]; showStderr?: boolean }): Promise<ArgusProcess> {
  const url = `http://127.0.0.1:${o.env.PORT}`;
  const t0 = performance.now();
  const child = tracked(
    spawn(process.execPath, [...(o.nodeArgs ?? []), ...launchArgs(o.launcher)], {
      env: o.env,
      cwd: o.cwd,
      stdio: ['ignore', 'ignore', o.showStderr ? 'inherit' : 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`argus exited (${child.exitCode}): ${stderr}`);
    if (performance.now() - t0 > 60_000) throw new Error(`argus did not become ready: ${stderr}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    await sleep(10);
  }
  return { child, url, readyMs: Math.round(performance.now() - t0), stderr: () => stderr, stop: () => stopChild(child) };
}

const statusKb = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // gone, or not Linux
  }
};
const mb = (kb: number) => Math.round(kb / 1024);

/**
 * Peak resident memory of some processes, per phase: the kernel's high-water mark (VmHWM, reset
 * at the start of a phase through /proc/<pid>/clear_refs) and, where that reset is refused, the
 * largest of samples taken every 100 ms.
 */
export class MemoryWatch {
  private readonly peaks = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private phase?: string;

  constructor(private readonly pids: Record<string, number>) {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }

  private sample(): void {
    if (!this.phase) return;
    for (const [name, pid] of Object.entries(this.pids)) {
      const key = `${this.phase}\n${name}`;
      this.peaks.set(key, Math.max(this.peaks.get(key) ?? 0, statusKb(pid, 'VmRSS')));
    }
  }

  begin(phase: string): void {
    this.end();
    for (const pid of Object.values(this.pids)) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // not allowed: the samples still bound it from below
      }
    }
    this.phase = phase;
    this.sample();
  }

  end(): void {
    if (!this.phase) return;
    this.sample();
    for (const [name, pid] of Object.entries(this.pids)) {
      const key = `${this.phase}\n${name}`;
      this.peaks.set(key, Math.max(this.peaks.get(key) ?? 0, statusKb(pid, 'VmHWM')));
    }
    this.phase = undefined;
  }

  /** Peak MB by phase, then by process name. */
  report(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, kb] of this.peaks) {
      const [phase, name] = key.split('\n') as [string, string];
      (out[phase] ??= {})[name] = mb(kb);
    }
    return out;
  }

  stop(): void {
    this.end();
    clearInterval(this.timer);
  }
}

/** Where the memory probe (memory-probe.cjs, preloaded into Argus) writes its samples. */
export const memoryProbe = { preload: join(__dirname, 'memory-probe.cjs'), envName: 'BENCH_MEMORY_LOG' } as const;

export interface ProbeSample {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** The probe's sample with the largest RSS between `from` and `to` (epoch ms), in MB. */
export function probePeak(file: string, from: number, to: number): Record<string, number> | undefined {
  if (!existsSync(file)) return undefined;
  let best: ProbeSample | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const s = JSON.parse(line) as ProbeSample;
    if (s.t >= from && s.t <= to && (!best || s.rss > best.rss)) best = s;
  }
  if (!best) return undefined;
  const m = (bytes: number) => Math.round(bytes / 1024 / 1024);
  return { rssMb: m(best.rss), heapUsedMb: m(best.heapUsed), heapTotalMb: m(best.heapTotal), externalMb: m(best.external), arrayBuffersMb: m(best.arrayBuffers) };
}
