import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../../src/cli/main';
import { tableNames, type TableStore } from '../../src/storage/table-store';
import { openSeededAuditStore } from '../helpers/seeded-audit';
import { startAzurite, type TestAzurite } from '../helpers/azurite';

let azurite: TestAzurite;
let store: TableStore;
let dir: string;
let env: Record<string, string>;

before(async () => {
  azurite = await startAzurite();
  dir = await mkdtemp(join(tmpdir(), 'argus-audit-cli-'));
  const configPath = join(dir, 'argus.config.yaml');
  await writeFile(configPath, '');
  // Only what the command needs: the storage, an empty config, no ambient ARGUS_* settings.
  env = { PATH: process.env.PATH ?? '', HOME: dir, ARGUS_CONFIG: configPath, ARGUS_DATA_DIR: join(dir, 'data'), ...azurite.env };
  store = await openSeededAuditStore(azurite.connectionString);
});
after(async () => {
  await store.close();
  await azurite.stop();
  await rm(dir, { recursive: true, force: true });
});

function argus(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, cwd: process.cwd() }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function collector(into: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(chunk.toString());
      done();
    },
  });
}

/** The same command in-process (usage paths that never reach storage). */
async function argusInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = collector(out);
  const stderr = collector(err);
  const code = await runCli(args, { stdout, stderr, stdin: new PassThrough(), env, cwd: dir });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

test('argus audit verify: exit 0 on an intact chain, 1 naming the row after tampering', async () => {
  const intact = await argus('audit', 'verify');
  assert.equal(intact.code, 0, intact.stderr);
  assert.deepEqual(intact.stdout.trim().split('\n'), [
    'audit chain intact: 3 rows (seq 1..3)',
    'not anchored: no signed checkpoint yet, so removing rows from the end would go unnoticed',
  ]);

  const table = store.client(tableNames.audit);
  await table.updateEntity({ partitionKey: 'chain', rowKey: '000000000002', actorName: 'Someone Else' }, 'Merge');
  const broken = await argus('audit', 'verify');
  assert.equal(broken.code, 1, broken.stderr);
  assert.match(broken.stdout, /audit chain BROKEN at seq 2 \(RowKey 000000000002\): changed/);
});

test('argus audit verify: usage errors exit 2', async () => {
  for (const args of [['verify', '--from', 'yesterday'], ['verify', '--since', '2025-01-01'], ['verify', 'extra'], ['frobnicate'], []]) {
    const r = await argusInProcess('audit', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /usage: argus audit verify/);
  }
});

test('argus audit tail prints the newest rows', async () => {
  const r = await argusInProcess('audit', 'tail', '--limit', '2');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^2\t\S+\tallowed\tcard\.assign\tactor=[^\t]+\ttarget=inc-1$/);
  assert.match(lines[1] ?? '', /^3\t/);
});
