import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { waitFor } from '../helpers/wait-for';

let azurite: TestAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => azurite.stop());

test('argus serve: a real process that signs its samples, answers /readyz, and stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-serve-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = { PATH: process.env.PATH, ...azurite.env, PORT: String(port), ARGUS_DATA_DIR: dir, ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: 'serve-test-secret', LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, [resolve(__dirname, '../../bin/argus.js'), 'serve'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    // A refused connection: not listening yet.
    await waitFor(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false), { what: `http://127.0.0.1:${port}/readyz`, timeoutMs: 30_000, intervalMs: 100 });
    const sample = spawn(process.execPath, [resolve(__dirname, '../../bin/argus.js'), 'send-sample', 'sentinel', '--url', `http://127.0.0.1:${port}`], { env, cwd: dir });
    let sampleOut = '';
    sample.stdout.on('data', (c: Buffer) => (sampleOut += c.toString()));
    assert.equal(await new Promise((r) => sample.on('exit', r)), 0, sampleOut);
    assert.match(sampleOut, /^202 /);
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000).unref())]);
    assert.equal(code, 0, out.slice(-2000));
    assert.match(out, /"msg":"stopped"/);
    assert.match(out, /incident version processed/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
