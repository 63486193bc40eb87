import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { checkpointTableName } from '../../src/audit/checkpoint';
import { startAuditCheckpoints } from '../../src/audit/checkpoint-setup';
import type { AuditCheckpointer } from '../../src/audit/checkpoint-writer';
import { localPublicKeyFile } from '../../src/audit/local-checkpoint-key';
import { TableAuditLog } from '../../src/audit/table-audit-log';
import { runCli } from '../../src/cli/main';
import { loadConfig } from '../../src/config/load-config';
import { createLogger } from '../../src/logging/logger';
import { openTableStore, tableNames, type TableStore } from '../../src/storage/table-store';
import { startAzurite, type TestAzurite } from '../helpers/azurite';

let azurite: TestAzurite;
let store: TableStore;
let dir: string;
let env: Record<string, string>;
let checkpointer: AuditCheckpointer;

before(async () => {
  azurite = await startAzurite();
  dir = await mkdtemp(join(tmpdir(), 'argus-checkpoint-cli-'));
  await writeFile(join(dir, 'argus.config.yaml'), 'audit:\n  checkpoints: { everyRows: 5, interval: PT1H }\n');
  env = { PATH: process.env.PATH ?? '', HOME: dir, ARGUS_CONFIG: join(dir, 'argus.config.yaml'), ARGUS_DATA_DIR: join(dir, 'data'), ...azurite.env };
  const logger = createLogger({ level: 'silent' });
  ({ store } = await openTableStore({ kind: 'connectionString', connectionString: azurite.connectionString }, { logger }));
  const audit = await TableAuditLog.open(store);
  // The service's own wiring: local key under ARGUS_DATA_DIR, a checkpoint every 5 rows.
  checkpointer = await startAuditCheckpoints({
    config: loadConfig(env, { cwd: dir }),
    cwd: dir,
    credential: () => {
      throw new Error('no Azure credential in this test');
    },
    logger,
    store,
    audit,
    tickMs: 3_600_000,
  });
  for (let i = 0; i < 12; i += 1) {
    await audit.append({ action: 'card.assign', outcome: 'allowed', actorName: `User ${i}`, target: 'inc-1' });
    await checkpointer.idle();
  }
});
after(async () => {
  await checkpointer.stop();
  await store.close();
  await azurite.stop();
  await rm(dir, { recursive: true, force: true });
});

async function argus(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => new Writable({ write: (chunk: Buffer, _e, done) => (into.push(chunk.toString()), done()) });
  const code = await runCli(args, { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env, cwd: dir });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

async function truncateTo(seq: number): Promise<void> {
  const table = store.client(tableNames.audit);
  for (let s = seq + 1; s <= 12; s += 1) await table.deleteEntity('chain', String(s).padStart(12, '0'));
  const last = await table.getEntity<Record<string, unknown>>('chain', String(seq).padStart(12, '0'));
  await table.updateEntity({ partitionKey: 'chain', rowKey: 'head', seq, hash: last.hash, at: last.at }, 'Replace');
}

test('argus audit verify checks the newest signed checkpoint; checkpoints --json exports it; public-key prints the key', async () => {
  const ok = await argus('audit', 'verify');
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const [chain, anchor] = ok.stdout.trim().split('\n');
  assert.equal(chain, 'audit chain intact: 12 rows (seq 1..12)');
  assert.match(anchor ?? '', /^anchored: newest checkpoint seq 10 \(signed \S+ by local:\S+\) verifies; 2 newer rows are not covered yet$/);

  const listed = await argus('audit', 'checkpoints', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  const lines = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; signature: string });
  assert.deepEqual(lines.map((l) => l.seq), [10, 5]);
  await writeFile(join(dir, 'exported.json'), JSON.stringify(lines[0]));

  const key = await argus('audit', 'public-key');
  assert.equal(key.code, 0, key.stderr);
  assert.equal(key.stdout, await readFile(join(dir, 'data', localPublicKeyFile), 'utf8'));
  await writeFile(join(dir, 'exported-key.pem'), key.stdout);
  assert.equal((await argus('audit', 'verify', '--public-key', 'exported-key.pem', '--checkpoint', 'exported.json')).code, 0);

  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
  await writeFile(join(dir, 'other.pem'), otherKey);
  const wrongKey = await argus('audit', 'verify', '--public-key', 'other.pem');
  assert.equal(wrongKey.code, 1);
  assert.match(wrongKey.stdout, /^audit checkpoint check FAILED \(newest checkpoint, bad-signature\): bad signature: checkpoint seq 10/m);
});

test('truncation below the checkpoint fails verify; with the checkpoints deleted too, an exported checkpoint still catches it', async () => {
  await truncateTo(7);
  const cut = await argus('audit', 'verify');
  assert.equal(cut.code, 1, cut.stdout);
  assert.match(cut.stdout, /^audit chain intact: 7 rows \(seq 1\.\.7\)$/m);
  assert.match(cut.stdout, /^audit checkpoint check FAILED \(newest checkpoint, truncated\): truncated: the chain ends at seq 7, before seq 10 that the checkpoint of \S+ signed$/m);

  // Whoever can write the tables may also delete the checkpoints: then only an exported copy shows it.
  const signed = store.client(checkpointTableName);
  for await (const e of signed.listEntities()) await signed.deleteEntity(e.partitionKey ?? '', e.rowKey ?? '');
  const unanchored = await argus('audit', 'verify');
  assert.equal(unanchored.code, 0, unanchored.stdout);
  assert.match(unanchored.stdout, /^not anchored: no signed checkpoint yet/m);
  const exported = await argus('audit', 'verify', '--checkpoint', 'exported.json');
  assert.equal(exported.code, 1);
  assert.match(exported.stdout, /FAILED \(exported checkpoint exported\.json, truncated\): truncated: the chain ends at seq 7, before seq 10/);

  for (const args of [['--checkpoint', 'argus.config.yaml'], ['--public-key', 'no-such.pem'], ['--public-key', 'exported.json']]) {
    const usage = await argus('audit', 'verify', ...args);
    assert.equal(usage.code, 2, `${args.join(' ')}: ${usage.stderr}`);
    assert.match(usage.stderr, new RegExp(`argus audit: ${args[0]} ${args[1]?.replace('.', '\\.')}: `));
  }
});
