import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { hashRow, type AuditRow } from '../../src/audit/audit-record';
import { rowFromEntity } from '../../src/audit/audit-table';
import { checkpointEntity, checkpointPayload, type SignedCheckpoint } from '../../src/audit/checkpoint';
import { TableCheckpointStore } from '../../src/audit/checkpoint-store';
import { AuditCheckpointer } from '../../src/audit/checkpoint-writer';
import { localKeyId, localKeyFile, openLocalCheckpointSigner } from '../../src/audit/local-checkpoint-key';
import { TableAuditLog } from '../../src/audit/table-audit-log';
import { verifyAuditChain } from '../../src/audit/verify-chain';
import { checkAgainstCheckpoint, type CheckpointCheck, type CheckpointKeys } from '../../src/audit/verify-checkpoint';
import { createLogger, createMemoryLogStream } from '../../src/logging/logger';
import { startAzurite, type TestAzurite } from '../helpers/azurite';

let azurite: TestAzurite;
let dir: string;
let tables = 0;
const silent = createLogger({ level: 'silent' });

before(async () => {
  azurite = await startAzurite();
  dir = mkdtempSync(join(tmpdir(), 'argus-checkpoints-'));
});
after(async () => {
  await azurite.stop();
  rmSync(dir, { recursive: true, force: true });
});

const table = async (name: string): Promise<TableClient> => {
  const client = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
  await client.createTable();
  return client;
};

/** A chain of `rows` rows whose checkpointer signs every `everyRows` rows with a local key. */
async function chainWithCheckpoints(rows: number, everyRows = 10) {
  tables += 1;
  const client = await table(`AuditCp${tables}`);
  const signed = await table(`AuditCpSigned${tables}`);
  const store = new TableCheckpointStore(signed);
  const signer = openLocalCheckpointSigner({ dataDir: join(dir, `key-${tables}`), logger: silent });
  let now = Date.UTC(2025, 5, 1, 12, 0, 0);
  const clock = () => new Date(now);
  const log = new TableAuditLog({ client, now: clock });
  const logs = createMemoryLogStream();
  const checkpointer = new AuditCheckpointer({
    client,
    readHead: () => log.readHead(),
    store,
    signer,
    everyRows,
    intervalMs: 600_000,
    logger: createLogger({ level: 'info', destination: logs }),
    now: clock,
  });
  log.onCommitted((head) => checkpointer.noteHead(head));
  const append = async (n: number) => {
    for (let i = 0; i < n; i += 1) {
      now += 1000;
      await log.append({ action: 'card.assign', outcome: 'allowed', actorName: `User ${i % 3}`, target: `inc-${i}` });
      await checkpointer.idle();
    }
  };
  await append(rows);
  const keys: CheckpointKeys = { describe: 'the test key', resolve: async (kid) => (kid === localKeyId(signer.publicKey) ? signer.publicKey : undefined) };
  const check = async (): Promise<CheckpointCheck> => checkAgainstCheckpoint(client, await store.latest(), keys);
  return { client, signed, store, signer, log, checkpointer, logs, append, check, keys, advance: (ms: number) => (now += ms), dataDir: join(dir, `key-${tables}`) };
}

async function rows(client: TableClient): Promise<AuditRow[]> {
  const out: AuditRow[] = [];
  for await (const e of client.listEntities<Record<string, unknown>>()) {
    const row = e.rowKey === 'head' ? undefined : rowFromEntity(e);
    if (row) out.push(row);
  }
  return out.sort((a, b) => a.seq - b.seq);
}

const key = (seq: number) => String(seq).padStart(12, '0');

/** What someone with write access to the table can do: cut the chain after `seq` and move the head to it. */
async function truncateTo(client: TableClient, seq: number): Promise<void> {
  const all = await rows(client);
  for (const r of all.filter((x) => x.seq > seq)) await client.deleteEntity('chain', key(r.seq));
  const last = all.find((x) => x.seq === seq);
  if (last) await client.updateEntity({ partitionKey: 'chain', rowKey: 'head', seq: last.seq, hash: last.hash, at: last.at }, 'Replace');
  else await client.deleteEntity('chain', 'head');
}

/** …or edit a row and recompute every hash after it, so the chain alone verifies. */
async function editAndRehash(client: TableClient, seq: number, change: Partial<AuditRow>): Promise<void> {
  let prev = '';
  for (const r of await rows(client)) {
    if (r.seq < seq) {
      prev = r.hash;
      continue;
    }
    const edited = { ...r, ...(r.seq === seq ? change : {}), prevHash: prev };
    const hash = hashRow(edited);
    await client.updateEntity({ partitionKey: 'chain', rowKey: key(r.seq), ...edited, hash }, 'Replace');
    await client.updateEntity({ partitionKey: 'chain', rowKey: 'head', seq: r.seq, hash, at: r.at }, 'Replace');
    prev = hash;
  }
}

function assertFails(check: CheckpointCheck, problem: string, reason: RegExp): void {
  assert.equal(check.ok, false, `expected a failed check, got ${JSON.stringify(check)}`);
  if (check.ok) return;
  assert.equal(check.problem, problem);
  assert.match(check.reason, reason);
}

test('a checkpoint is signed every N rows (and after the interval), stored, and verifies; the key file is 0600', async () => {
  const c = await chainWithCheckpoints(9);
  assert.equal((await c.store.latest()).kind, 'none', 'not yet at 9 rows');
  await c.append(1);
  const first = await c.store.latest();
  assert.equal(first.kind === 'checkpoint' && first.checkpoint.seq, 10);
  await c.append(14);
  const list = await c.store.list(10);
  assert.deepEqual(list.map((x) => x.seq), [20, 10], 'newest first');
  const head = await c.log.readHead();
  assert.deepEqual({ seq: list[0]?.seq, hash: list[0]?.hash, at: list[0]?.at }, { seq: 20, hash: (await rows(c.client))[19]?.hash, at: (await rows(c.client))[19]?.at });
  assert.equal(head.seq, 24);
  assert.deepEqual(await c.check(), { ok: true, checkpoint: list[0] });
  const logged = c.logs.lines.filter((l) => l.msg === 'audit checkpoint signed').map((l) => l.checkpoint);
  assert.deepEqual(logged, [list[1], list[0]], 'each checkpoint is logged whole (a copy for Log Analytics)');
  assert.equal(statSync(join(c.dataDir, localKeyFile)).mode & 0o777, 0o600);

  // Fewer than N new rows: nothing is due until the interval has passed since the last checkpoint.
  assert.equal(await c.checkpointer.checkpointIfDue(), undefined);
  c.advance(600_000);
  assert.equal((await c.checkpointer.checkpointIfDue())?.seq, 24);
  assert.equal(await c.checkpointer.checkpointIfDue(), undefined, 'the chain has not grown since');
});

test('rows after the newest checkpoint can be cut unnoticed; cutting below it is reported as truncation', async () => {
  const c = await chainWithCheckpoints(25);
  await truncateTo(c.client, 21);
  assert.equal((await verifyAuditChain(c.client)).ok, true);
  assert.equal((await c.check()).ok, true, 'rows after the checkpoint are not covered (documented)');

  await truncateTo(c.client, 17);
  assert.deepEqual(await verifyAuditChain(c.client), { ok: true, checked: 17, firstSeq: 1, lastSeq: 17 }, 'the chain alone looks intact');
  assertFails(await c.check(), 'truncated', /^truncated: the chain ends at seq 17, before seq 20 that the checkpoint of \S+ signed$/);

  await truncateTo(c.client, 0);
  assert.deepEqual(await verifyAuditChain(c.client), { ok: true, checked: 0, firstSeq: 0, lastSeq: 0 }, 'an empty table verifies as a chain');
  assertFails(await c.check(), 'truncated', /the chain ends at seq 0, before seq 20/);
});

test('an edited row with every hash after it recomputed is reported, and no checkpoint is signed over it', async () => {
  const c = await chainWithCheckpoints(25);
  await editAndRehash(c.client, 5, { actorName: 'Someone Else' });
  assert.equal((await verifyAuditChain(c.client)).ok, true, 'the recomputed chain verifies on its own');
  assertFails(await c.check(), 'rewritten', /^rewritten: row seq 20 is not the row the checkpoint of \S+ signed .*hashes recomputed$/);

  // The checkpointer checks the rows since its last checkpoint before signing the head.
  c.advance(600_000);
  assert.equal(await c.checkpointer.checkpointIfDue(), undefined);
  assert.ok(c.logs.lines.some((l) => String(l.msg).startsWith('NOT signing an audit checkpoint') && l.seq === 21), JSON.stringify(c.logs.lines.at(-1)));
  assert.equal(((await c.store.latest()) as { checkpoint: SignedCheckpoint }).checkpoint.seq, 20);
});

test('forged checkpoints: another key, an edited field, or an unknown key id fail', async () => {
  const c = await chainWithCheckpoints(20);
  const genuine = ((await c.store.latest()) as { checkpoint: SignedCheckpoint }).checkpoint;
  await c.append(5);
  const head = await c.log.readHead();
  const tableClient = c.signed;

  // A checkpoint of the current head, claiming the genuine key id but signed with another key.
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const forged: SignedCheckpoint = { seq: head.seq, hash: head.hash, at: head.at, signedAt: genuine.signedAt, alg: 'ES256', kid: genuine.kid, signature: '' };
  forged.signature = sign('sha256', checkpointPayload(forged), { key: other.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  await tableClient.createEntity(checkpointEntity(forged));
  assertFails(await c.check(), 'bad-signature', /^bad signature: checkpoint seq 25 .* does not verify with local:/);

  // The genuine checkpoint with its hash edited (to match a recomputed chain).
  await tableClient.deleteEntity('checkpoint', checkpointEntity(forged).rowKey);
  await tableClient.updateEntity({ ...checkpointEntity(genuine), hash: head.hash }, 'Replace');
  assertFails(await c.check(), 'bad-signature', /checkpoint seq 20/);

  // Signed by the forger's own key, named by its own id: not a key the verifier trusts.
  const own = { ...forged, kid: localKeyId(other.publicKey) };
  await tableClient.createEntity(checkpointEntity(own));
  assertFails(await c.check(), 'untrusted-key', /names key local:\S+, which is not the test key/);
});
