import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TableClient } from '@azure/data-tables';
import type { AuditEntry, VerifyResult } from '../../src/audit/audit-log';
import { hashRow, type AuditRow } from '../../src/audit/audit-record';
import { TableAuditLog } from '../../src/audit/table-audit-log';
import { verifyAuditChain } from '../../src/audit/verify-chain';
import { createLogger, createMemoryLogStream } from '../../src/logging/logger';
import { startAzurite, type TestAzurite } from '../helpers/azurite';

let azurite: TestAzurite;
let tableCount = 0;

before(async () => {
  azurite = await startAzurite();
});
after(() => azurite.stop());

/** A fresh table per test; each TableClient is its own connection, like a separate process. */
async function freshTable(): Promise<{ name: string; client: () => TableClient }> {
  tableCount += 1;
  const name = `AuditTest${tableCount}`;
  const client = () => TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
  await client().createTable();
  return { name, client };
}

const entry = (i: number): AuditEntry => ({
  action: i % 2 ? 'card.acknowledge' : 'card.assign',
  outcome: i % 5 === 0 ? 'denied' : 'allowed',
  actorId: `user-${i % 3}`,
  actorName: `User ${i % 3}`,
  actorTenantId: 'tenant-1',
  roles: ['responder'],
  target: `incident-${i % 4}`,
  correlationId: `corr-${i}`,
  detail: { i, note: 'ünïcødé ok' },
});

/** A chain of n rows, one per day from 2025-03-01 at noon, two per day when perDay is 2. */
async function chainOf(n: number, perDay = 1): Promise<{ client: TableClient; log: TableAuditLog }> {
  const { client } = await freshTable();
  let i = 0;
  const log = new TableAuditLog({
    client: client(),
    now: () => new Date(Date.UTC(2025, 2, 1 + Math.floor(i / perDay), 12, 0, i % perDay)),
  });
  for (; i < n; i += 1) await log.append(entry(i));
  return { client: client(), log };
}

function assertBroken(result: VerifyResult, seq: number, reason: RegExp): void {
  assert.equal(result.ok, false, `expected a broken chain, got ${JSON.stringify(result)}`);
  if (result.ok) return;
  assert.equal(result.firstBadSeq, seq, JSON.stringify(result));
  assert.match(result.reason, reason);
}

test('two writers appending concurrently extend one unforked chain', async () => {
  const { client } = await freshTable();
  const logs = createMemoryLogStream();
  const logger = createLogger({ level: 'debug', destination: logs });
  const a = new TableAuditLog({ client: client(), logger });
  const b = new TableAuditLog({ client: client(), logger });
  const appended = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).append(entry(i))));
  const seqs = appended.map((r) => r.seq).sort((x, y) => x - y);
  assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => i + 1), 'every seq exactly once');
  assert.ok(logs.lines.some((l) => l.msg === 'audit head moved meanwhile; retrying'), 'the writers really raced');

  const result = await verifyAuditChain(client());
  assert.deepEqual(result, { ok: true, checked: 50, firstSeq: 1, lastSeq: 50 });
  const head = await a.readHead();
  assert.equal(head.seq, 50);
  const stored = await a.query();
  assert.equal(stored.length, 50);
  for (let i = 1; i < stored.length; i += 1) assert.equal(stored[i]?.prevHash, stored[i - 1]?.hash);
  assert.ok(stored.every((r, i) => i === 0 || r.at >= (stored[i - 1]?.at ?? '')), 'at never goes backwards');
});

test('append returns the stored record and query filters', async () => {
  const { log } = await chainOf(6);
  const got = await log.query({ target: 'incident-1' });
  assert.deepEqual(got.map((r) => r.seq), [2, 6]);
  assert.deepEqual(got[0]?.roles, ['responder']);
  assert.deepEqual(got[0]?.detail, { i: 1, note: 'ünïcødé ok' });
  assert.deepEqual((await log.query({ correlationId: 'corr-3' })).map((r) => r.seq), [4]);
  assert.deepEqual((await log.query({ action: 'card.assign', limit: 2 })).map((r) => r.seq), [1, 3]);
  assert.deepEqual((await log.query({ from: '2025-03-02', to: '2025-03-03' })).map((r) => r.seq), [2, 3]);
  assert.deepEqual((await log.tail(2)).map((r) => r.seq), [5, 6]);
  await assert.rejects(log.append({ action: '', outcome: 'allowed' }), { code: 'ARGUS_BAD_REQUEST' });
  assert.equal((await log.readHead()).seq, 6, 'a bad entry writes nothing');
});

test('a changed property is found at that seq', async () => {
  const { client } = await chainOf(8);
  await client.updateEntity({ partitionKey: 'chain', rowKey: '000000000005', outcome: 'allowed', target: 'someone-else' }, 'Merge');
  assertBroken(await verifyAuditChain(client), 5, /changed/);
});

test('a row rewritten with a recomputed hash breaks the next link', async () => {
  const { client } = await chainOf(8);
  const row = await client.getEntity<AuditRow>('chain', '000000000004');
  const forged = { ...row, target: 'someone-else', hash: '' };
  forged.hash = hashRow(forged);
  await client.updateEntity({ partitionKey: 'chain', rowKey: '000000000004', target: forged.target, hash: forged.hash }, 'Merge');
  assertBroken(await verifyAuditChain(client), 5, /broken link/);
});

test('a removed middle row is found', async () => {
  const { client } = await chainOf(8);
  await client.deleteEntity('chain', '000000000003');
  const result = await verifyAuditChain(client);
  assertBroken(result, 3, /removed/);
  assert.equal(result.ok === false && result.firstBadRowKey, '000000000003');
});

test('a removed last row is found through the head', async () => {
  const { client } = await chainOf(8);
  await client.deleteEntity('chain', '000000000008');
  assertBroken(await verifyAuditChain(client), 8, /removed/);
});

test('forged rows are found: one beyond the head, one between two rows', async () => {
  const { client, log } = await chainOf(6);
  const last = (await log.tail(1))[0];
  assert.ok(last);
  const forged: Omit<AuditRow, 'hash'> = {
    ...last, seq: 7, roles: 'admin', detail: '{}', prevHash: last.hash, at: '2025-03-07T12:00:00.000Z',
  };
  await client.createEntity({ partitionKey: 'chain', rowKey: '000000000007', ...forged, hash: hashRow(forged) });
  assertBroken(await verifyAuditChain(client), 7, /inserted/);

  const other = await chainOf(6);
  const middle = await other.client.getEntity<AuditRow>('chain', '000000000003');
  await other.client.createEntity({ ...middle, partitionKey: 'chain', rowKey: '000000000003x' });
  assertBroken(await verifyAuditChain(other.client), 4, /inserted/);
});

test('--from/--to verify only that date range, anchored at the row before it', async () => {
  // Two rows a day: 03-01 → seq 1-2, 03-02 → 3-4, 03-03 → 5-6, 03-04 → 7-8, 03-05 → 9-10.
  const { client } = await chainOf(10, 2);
  assert.deepEqual(await verifyAuditChain(client, { from: '2025-03-02', to: '2025-03-03' }), {
    ok: true, checked: 4, firstSeq: 3, lastSeq: 6,
  });
  assert.deepEqual(await verifyAuditChain(client, { from: '2025-03-04' }), { ok: true, checked: 4, firstSeq: 7, lastSeq: 10 });
  assert.deepEqual(await verifyAuditChain(client, { from: '2030-01-01' }), { ok: true, checked: 0, firstSeq: 0, lastSeq: 0 });

  // Outside the range: not this range's business.
  await client.updateEntity({ partitionKey: 'chain', rowKey: '000000000001', target: 'x' }, 'Merge');
  assert.equal((await verifyAuditChain(client, { from: '2025-03-02', to: '2025-03-03' })).ok, true);
  assertBroken(await verifyAuditChain(client), 1, /changed/);

  // Inside it, and the edges: the anchor row and the range's last row.
  await client.updateEntity({ partitionKey: 'chain', rowKey: '000000000003', target: 'x' }, 'Merge');
  assertBroken(await verifyAuditChain(client, { from: '2025-03-02', to: '2025-03-03' }), 3, /changed/);
  await client.deleteEntity('chain', '000000000006');
  assertBroken(await verifyAuditChain(client, { from: '2025-03-03', to: '2025-03-03' }), 6, /removed/);
  await client.deleteEntity('chain', '000000000008');
  assertBroken(await verifyAuditChain(client, { from: '2025-03-05' }), 8, /removed/);
  await assert.rejects(verifyAuditChain(client, { from: '2025-02-30' }), { code: 'ARGUS_BAD_REQUEST' });
});

test('a row whose time was moved cannot slip out of a range check', async () => {
  const pushed = await chainOf(10, 2);
  await pushed.client.updateEntity({ partitionKey: 'chain', rowKey: '000000000006', at: '2099-01-01T00:00:00.000Z' }, 'Merge');
  assertBroken(await verifyAuditChain(pushed.client, { from: '2025-03-02', to: '2025-03-03' }), 6, /changed/);

  const pulled = await chainOf(10, 2);
  await pulled.client.updateEntity({ partitionKey: 'chain', rowKey: '000000000003', at: '2000-01-01T00:00:00.000Z' }, 'Merge');
  assertBroken(await verifyAuditChain(pulled.client, { from: '2025-03-02', to: '2025-03-03' }), 3, /changed/);
});

test('verifying while appends land reports an intact chain', async () => {
  const { client } = await freshTable();
  const log = new TableAuditLog({ client: client() });
  await log.append(entry(0));
  const writing = Promise.all(Array.from({ length: 20 }, (_, i) => log.append(entry(i + 1))));
  const results = await Promise.all([verifyAuditChain(client()), verifyAuditChain(client())]);
  await writing;
  for (const r of results) assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual(await verifyAuditChain(client()), { ok: true, checked: 21, firstSeq: 1, lastSeq: 21 });
});

test('an empty chain verifies', async () => {
  const { client } = await freshTable();
  assert.deepEqual(await verifyAuditChain(client()), { ok: true, checked: 0, firstSeq: 0, lastSeq: 0 });
});

test('a chain over several segments: two writers, cold head lookup, tail, ranges and tampering across segments', async () => {
  const { client } = await freshTable();
  let tick = 0;
  const now = () => new Date(Date.UTC(2025, 4, 1 + Math.floor(tick++ / 4), 12));
  // Five rows per segment (partition): 23 rows make segments 0–4.
  const a = new TableAuditLog({ client: client(), segmentRows: 5, now });
  const b = new TableAuditLog({ client: client(), segmentRows: 5, now });
  const appended = await Promise.all(Array.from({ length: 23 }, (_, i) => (i % 2 ? a : b).append(entry(i))));
  assert.deepEqual(appended.map((r) => r.seq).sort((x, y) => x - y), Array.from({ length: 23 }, (_, i) => i + 1));

  const partitions = new Map<string, string[]>();
  for await (const e of client().listEntities<Record<string, unknown>>())
    partitions.set(e.partitionKey!, [...(partitions.get(e.partitionKey!) ?? []), e.rowKey!]);
  assert.deepEqual([...partitions.keys()].sort(), ['chain', 'chain-00000001', 'chain-00000002', 'chain-00000003', 'chain-00000004']);
  assert.deepEqual(partitions.get('chain-00000002'), ['000000000011', '000000000012', '000000000013', '000000000014', '000000000015', 'head']);

  assert.deepEqual(await verifyAuditChain(client()), { ok: true, checked: 23, firstSeq: 1, lastSeq: 23 });
  const cold = new TableAuditLog({ client: client(), segmentRows: 5 });
  assert.equal((await cold.readHead()).seq, 23, 'a new writer finds the head in the last segment');
  assert.deepEqual((await cold.tail(7)).map((r) => r.seq), [17, 18, 19, 20, 21, 22, 23]);
  assert.equal((await cold.query()).length, 23);
  await cold.append(entry(99));
  assert.deepEqual(await verifyAuditChain(client()), { ok: true, checked: 24, firstSeq: 1, lastSeq: 24 });
  const inRange = (await cold.query()).filter((r) => r.at >= '2025-05-03' && r.at < '2025-05-05').map((r) => r.seq);
  assert.ok(inRange.length > 0 && inRange[0]! > 1);
  const ranged = await verifyAuditChain(client(), { from: '2025-05-03', to: '2025-05-04' });
  assert.deepEqual(ranged, { ok: true, checked: inRange.length, firstSeq: inRange[0], lastSeq: inRange.at(-1) }, 'a range, anchored at the row before it');

  // Tampering is found whichever segment it touches.
  const row12 = await client().getEntity<Record<string, unknown>>('chain-00000002', '000000000012');
  const key = { partitionKey: 'chain-00000002', rowKey: '000000000012' };
  await client().updateEntity({ ...key, target: 'incident-x' }, 'Merge');
  assertBroken(await verifyAuditChain(client()), 12, /changed/);
  await client().updateEntity({ ...key, target: row12.target as string }, 'Merge');
  assert.deepEqual(await verifyAuditChain(client()), { ok: true, checked: 24, firstSeq: 1, lastSeq: 24 }, 'restored');
  await client().deleteEntity('chain-00000004', '000000000024');
  assertBroken(await verifyAuditChain(client()), 24, /removed/);
});

test('a chain written in one partition (before segments) is continued in segments and still verifies', async () => {
  const { client } = await freshTable();
  const single = new TableAuditLog({ client: client(), segmentRows: 1_000_000 });
  for (let i = 0; i < 8; i += 1) await single.append(entry(i));
  const segmented = new TableAuditLog({ client: client(), segmentRows: 5 });
  for (let i = 8; i < 13; i += 1) await segmented.append(entry(i));
  const rowsIn = async (partition: string) => {
    const keys: string[] = [];
    for await (const e of client().listEntities({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })) keys.push(e.rowKey!);
    return keys;
  };
  assert.equal((await rowsIn('chain')).length, 9, 'rows 1–8 and their head stay where they were');
  assert.deepEqual(await rowsIn('chain-00000001'), ['000000000009', '000000000010', 'head']);
  assert.deepEqual(await rowsIn('chain-00000002'), ['000000000011', '000000000012', '000000000013', 'head']);
  assert.deepEqual(await verifyAuditChain(client()), { ok: true, checked: 13, firstSeq: 1, lastSeq: 13 });
  const cold = new TableAuditLog({ client: client(), segmentRows: 5 });
  assert.equal((await cold.readHead()).seq, 13);
  assert.deepEqual((await cold.tail(7)).map((r) => r.seq), [7, 8, 9, 10, 11, 12, 13]);
});

test('a sole writer keeps the head it wrote: consecutive appends read nothing back', async () => {
  const { client } = await freshTable();
  const table = client();
  let reads = 0;
  const getEntity = table.getEntity.bind(table);
  table.getEntity = ((...args: Parameters<TableClient['getEntity']>) => {
    reads += 1;
    return getEntity(...args);
  }) as TableClient['getEntity'];
  const log = new TableAuditLog({ client: table, segmentRows: 4 });
  await log.append(entry(0));
  const afterFirst = reads;
  // Rows 2…10 cross two segment boundaries: the head is updated in place and created anew.
  for (let i = 1; i < 10; i += 1) await log.append(entry(i));
  assert.equal(reads, afterFirst, 'the head etag from each transaction is reused, never re-read');
  assert.equal((await log.readHead()).seq, 10);
  const result = await verifyAuditChain(client());
  assert.ok(result.ok, JSON.stringify(result));
});
