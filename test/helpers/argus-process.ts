import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from './wait-for';

export interface ArgusProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string | null>;
  stop(): Promise<void>;
}

/** `argus serve` as a real child process, waited on until /readyz answers. */
export async function spawnArgus(env: Record<string, string | undefined>, cwd: string, timeoutMs = 30_000): Promise<ArgusProcess> {
  const port = Number(env.PORT);
  const child = spawn(process.execPath, [resolve(__dirname, '../../bin/argus.js'), 'serve'], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  child.stderr?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  const exited = new Promise<number | string | null>((r) => child.on('exit', (code, signal) => r(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  const ready = async () => {
    if (child.exitCode !== null) throw new Error(`argus exited early: ${out}`);
    return fetch(`${url}/readyz`).then((r) => r.ok, () => false);
  };
  await waitFor(ready, { what: `${url}/readyz`, timeoutMs, intervalMs: 100 }).catch((err: Error) => {
    if (child.exitCode !== null) throw err;
    child.kill('SIGKILL');
    throw new Error(`argus did not become ready: ${out}`);
  });
  return {
    url,
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function freePort(): number {
  return 20_000 + Math.floor(Math.random() * 30_000);
}
