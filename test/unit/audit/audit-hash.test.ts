import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildRow, detailText, genesisHash, hashRow, maxDetailChars, type AuditRow } from '../../../src/audit/audit-record';
import { canonicalJson } from '../../../src/audit/canonical-json';
import { resolveRange } from '../../../src/audit/date-range';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';

test('canonicalJson sorts keys at every depth and is independent of insertion order', () => {
  const a = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, skip: undefined };
  const b = { a: { c: 'x', d: [3, { y: null, z: true }] }, b: 1 };
  assert.equal(canonicalJson(a), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(canonicalJson({ 'é': 'ü', 'a"b': '\n' }), '{"a\\"b":"\\n","é":"ü"}');
  assert.throws(() => canonicalJson({ n: Number.NaN }), TypeError);
  assert.throws(() => canonicalJson({ n: 1n }), TypeError);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => canonicalJson(cyclic), TypeError);
  const shared = { x: 1 };
  assert.equal(canonicalJson([shared, shared]), '[{"x":1},{"x":1}]', 'a repeated object is not a cycle');
});

test('the row hash is SHA-256 over the documented canonical text', () => {
  const row = buildRow(
    { action: 'card.assign', outcome: 'allowed', actorId: 'u1', roles: ['admin', 'responder'], detail: { z: 1, a: 'b' } },
    { seq: 1, at: '2025-03-01T12:00:00.000Z', prevHash: genesisHash },
  );
  // Written out by hand: keys sorted, values as stored, absent fields ''.
  const text =
    'argus-audit-v1\n{"action":"card.assign","actorId":"u1","actorName":"","actorTenantId":"","at":"2025-03-01T12:00:00.000Z",' +
    `"correlationId":"","detail":"{\\"a\\":\\"b\\",\\"z\\":1}","outcome":"allowed","prevHash":"${genesisHash}",` +
    '"roles":"admin,responder","seq":1,"target":""}';
  assert.equal(row.hash, createHash('sha256').update(text, 'utf8').digest('hex'));
  assert.equal(row.detail, '{"a":"b","z":1}');
  assert.equal(row.roles, 'admin,responder');
});

test('changing any stored field changes the hash', () => {
  const row = buildRow({ action: 'x', outcome: 'denied' }, { seq: 3, at: '2025-03-01T00:00:00.000Z', prevHash: 'a'.repeat(64) });
  const fields = Object.keys(row).filter((k) => k !== 'hash') as (keyof Omit<AuditRow, 'hash'>)[];
  assert.equal(fields.length, 12);
  for (const key of fields) {
    const changed = { ...row, [key]: key === 'seq' ? 4 : `${String(row[key])} ` };
    assert.notEqual(hashRow(changed), row.hash, key);
  }
  assert.equal(hashRow({ ...row }), row.hash);
});

test('an oversized detail is stored as a marker, not lost', () => {
  const text = detailText({ blob: 'x'.repeat(maxDetailChars) });
  assert.ok(text.length < maxDetailChars);
  const parsed = JSON.parse(text) as { truncated: boolean; originalLength: number };
  assert.equal(parsed.truncated, true);
  assert.ok(parsed.originalLength > maxDetailChars);
});

test('date ranges: whole days, inclusive ends, bad input refused', () => {
  assert.deepEqual(resolveRange({ from: '2025-03-02', to: '2025-03-03' }), {
    from: '2025-03-02T00:00:00.000Z',
    toExclusive: '2025-03-04T00:00:00.000Z',
  });
  assert.deepEqual(resolveRange({ to: '2025-03-03T10:00:00Z' }), { from: undefined, toExclusive: '2025-03-03T10:00:00.001Z' });
  for (const bad of ['2025-02-30', '03/02/2025', 'yesterday', '2025-3-2']) {
    assert.throws(() => resolveRange({ from: bad }), { code: 'ARGUS_BAD_REQUEST' }, bad);
  }
  assert.throws(() => resolveRange({ from: '2025-03-05', to: '2025-03-01' }), { code: 'ARGUS_BAD_REQUEST' });
});

test('MemoryAuditLog chains, queries and verifies like the table log', async () => {
  let t = Date.UTC(2025, 2, 1);
  const log = new MemoryAuditLog({ now: () => new Date((t += 3_600_000)) });
  for (let i = 0; i < 5; i += 1) {
    await log.append({ action: 'card.ack', outcome: 'allowed', target: `inc-${i % 2}`, detail: { i } });
  }
  const records = log.records;
  assert.deepEqual(records.map((r) => r.seq), [1, 2, 3, 4, 5]);
  assert.equal(records[0]?.prevHash, genesisHash);
  assert.equal(records[3]?.prevHash, records[2]?.hash);
  assert.deepEqual((await log.query({ target: 'inc-1' })).map((r) => r.seq), [2, 4]);
  assert.deepEqual(log.verify(), { ok: true, checked: 5, firstSeq: 1, lastSeq: 5 });
  await assert.rejects(log.append({ action: 'x', outcome: 'maybe' as never }), { code: 'ARGUS_BAD_REQUEST' });
  assert.equal(log.records.length, 5);

  const row = log.rows[2];
  assert.ok(row);
  row.outcome = 'denied';
  const result = log.verify();
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.firstBadSeq, 3);
  log.rows.splice(2, 1);
  const gap = log.verify();
  assert.equal(!gap.ok && gap.firstBadSeq, 3);
  assert.match(!gap.ok ? gap.reason : '', /removed/);
});
