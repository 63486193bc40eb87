import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArgusError } from '../../errors/catalog';
import { playgroundConfigYaml } from './mock-tenant';

/** The Microsoft 365 Agents Playground (dev dependency) as a child process, pointed at a bot endpoint. */
export interface PlaygroundProcess {
  /** Where the chat UI is served (the port the playground really took). */
  url: string;
  port: number;
  pid: number;
  /** The playground's own output so far (for error reports). */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL) and removes its work folder. Idempotent. */
  stop(): Promise<void>;
}

export interface PlaygroundProcessOptions {
  /** Argus's /api/messages URL. */
  botEndpoint: string;
  /** Preferred port; the playground silently takes a random one when it is busy. 0: random. */
  port?: number;
  env: Record<string, string | undefined>;
  startTimeoutMs?: number;
}

export const defaultPlaygroundPort = 56150;

/** What the child needs of our environment: nothing of Argus's (secrets stay with Argus). */
const inheritedNames = ['PATH', 'HOME', 'USERPROFILE', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'SystemRoot', 'APPDATA', 'LOCALAPPDATA'];

function inherited(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(inheritedNames.filter((n) => env[n] !== undefined).map((n) => [n, env[n]]));
}

function playgroundInstalled(): boolean {
  try {
    require.resolve('@microsoft/m365agentsplayground/cli.js');
    return true;
  } catch {
    return false;
  }
}

export async function startPlaygroundProcess(options: PlaygroundProcessOptions): Promise<PlaygroundProcess> {
  if (!playgroundInstalled())
    throw new ArgusError(
      'ARGUS_DEPENDENCY_FAILED',
      'the Microsoft 365 Agents Playground is not installed: it is a development dependency, so run `npm ci` (not --omit=dev)',
    );
  const workDir = mkdtempSync(path.join(tmpdir(), 'argus-playground-'));
  const configPath = path.join(workDir, '.m365agentsplayground.yml');
  writeFileSync(configPath, playgroundConfigYaml());

  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(__dirname, 'playground-child.js'),
      'start',
      '--app-endpoint',
      options.botEndpoint,
      '--channel-id',
      'msteams',
      '--port',
      String(options.port ?? defaultPlaygroundPort),
      '--disable-telemetry',
    ],
    {
      cwd: workDir,
      env: {
        ...inherited(options.env),
        // Never try to open a browser (headless machines, containers); Argus prints the URL instead.
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath,
        M365_AGENTS_PLAYGROUND_LOGFILE: path.join(workDir, 'playground.log'),
        // --disable-telemetry stops its events; these stop the Application Insights SDK's own beacons.
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL: 'true',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Last resort when the parent exits without stopping us (the child also watches its stdin).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      child.stdin?.destroy();
      rmSync(workDir, { recursive: true, force: true });
    })());

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('did not start listening in time')), options.startTimeoutMs ?? 30_000);
      const onData = () => {
        // It prints the port it really took: the preferred one may have been busy.
        const m = /Listening on (\d+)/.exec(output);
        if (!m) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(Number(m[1]));
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code}`));
      });
    });
    return { url: `http://127.0.0.1:${port}`, port, pid: child.pid ?? 0, output: () => output, stop };
  } catch (err) {
    await stop();
    throw new ArgusError('ARGUS_DEPENDENCY_FAILED', `the Agents Playground failed to start: ${(err as Error).message}\n${output.slice(-2000)}`, { cause: err });
  }
}
