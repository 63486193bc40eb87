import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { EvidenceService, type EvidenceActor } from '../../../src/response/evidence-service';
import { EvidenceStore } from '../../../src/response/evidence-store';
import { verifyEvidence } from '../../../src/response/evidence-verify';
import { memoryContentStore } from '../../../src/storage/content-store';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';

const incident = { id: 'inc-ransom-1', number: 42 };
const alex: EvidenceActor = { name: 'Alex Analyst', id: 'aad-alex', via: 'teams' };
const sam: EvidenceActor = { name: 'Sam Other', id: 'aad-sam', via: 'teams' };
const admin: EvidenceActor = { name: 'Ada Admin', id: 'aad-ada', via: 'teams', admin: true };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function world() {
  const table = memoryEntityTable();
  const content = memoryContentStore();
  const audit = new MemoryAuditLog();
  const store = new EvidenceStore(table);
  let clock = Date.parse('2026-03-02T10:00:00Z');
  const service = new EvidenceService({ store, content, audit, now: () => new Date((clock += 60_000)) });
  const add = (text = 'memory.dmp bytes', more: Partial<Parameters<EvidenceService['register']>[0]> = {}) =>
    service.register({ incident, filename: 'memory.dmp', source: 'FIN-WS-042', purpose: 'ransomware triage', custodian: 'Alex Analyst', actor: alex, content: [Buffer.from(text)], maxBytes: 1024, ...more });
  return { table, content, audit, store, service, add, verify: (id?: string) => verifyEvidence(store, content, id) };
}

/** Content that must never be read (bad input is refused first). */
const unreadable: AsyncIterable<Uint8Array> = {
  [Symbol.asyncIterator]() {
    throw new Error('the content was read');
  },
};

test('registering hashes the content itself, anchors the ledger on it and audits who did it', async () => {
  const w = world();
  const chunks = [Buffer.from('memory.dmp '), Buffer.from('bytes')];
  const r = await w.add(undefined, { content: chunks });
  assert.deepEqual([r.sha256, r.size], [sha('memory.dmp bytes'), 16]);
  assert.equal(w.content.contents.get(r.evidenceId)?.toString(), 'memory.dmp bytes');
  const shown = await w.service.show(r.evidenceId);
  assert.equal(shown?.item.custodian, 'Alex Analyst');
  assert.deepEqual(
    shown?.custody.map((e) => [e.seq, e.action, e.by, e.prevHash === r.sha256, e.incident, e.filename, e.size, e.source]),
    [[1, 'registered', 'Alex Analyst', true, incident.id, 'memory.dmp', 16, 'FIN-WS-042']],
  );
  const [row] = await w.audit.query({ action: 'evidence.add' });
  assert.deepEqual([row?.outcome, row?.target, row?.actorId, row?.detail.sha256, row?.detail.via], ['succeeded', r.evidenceId, 'aad-alex', r.sha256, 'teams']);
  assert.deepEqual((await w.service.listFor(incident.id)).map((s) => s.evidenceId), [r.evidenceId]);
  assert.equal((await w.service.find(incident.id, r.evidenceId))?.sha256, r.sha256);
  assert.equal(await w.service.find('another-incident', r.evidenceId), undefined);
});

test('bad input is refused before the content is read; a refused upload and oversized content keep nothing', async () => {
  const w = world();
  await assert.rejects(w.add(undefined, { custodian: ' ', filename: '../etc/passwd', purpose: 'a\nb', content: unreadable }), (err: { code: string; details: { path: string }[] }) => {
    assert.equal(err.code, 'ARGUS_BAD_PAYLOAD');
    assert.deepEqual(err.details.map((d) => d.path).sort(), ['custodian', 'filename', 'purpose']);
    return true;
  });
  await assert.rejects(w.add(undefined, { beforeKeep: async () => Promise.reject(Object.assign(new Error('bad signature'), { code: 'ARGUS_BAD_SIGNATURE' })) }), /bad signature/);
  await assert.rejects(w.add('x'.repeat(2000)), { code: 'ARGUS_PAYLOAD_TOO_LARGE' });
  await assert.rejects(w.add(''), { code: 'ARGUS_BAD_PAYLOAD' });
  assert.equal(w.content.contents.size, 0);
  assert.deepEqual(await w.table.list({}), []);
});

test('only the custodian or an admin hands evidence over; every attempt is audited; released items stay released', async () => {
  const w = world();
  const { evidenceId } = await w.add();
  await assert.rejects(w.service.transfer(evidenceId, { to: 'Sam Other', reason: 'taking it', actor: sam }), { code: 'ARGUS_FORBIDDEN' });
  const rejected = await w.audit.query({ action: 'evidence.transfer' });
  assert.deepEqual([rejected[0]?.outcome, rejected[0]?.actorName, rejected[0]?.detail.error], ['rejected', 'Sam Other', 'ARGUS_FORBIDDEN']);
  assert.equal((await w.service.show(evidenceId))?.custody.length, 1, 'a refused transfer changes nothing');

  const handed = await w.service.transfer(evidenceId, { to: 'Forensics Ltd', reason: 'disk analysis', actor: alex });
  assert.deepEqual([handed.seq, handed.by, handed.to, handed.actor], [2, 'Alex Analyst', 'Forensics Ltd', undefined]);
  const back = await w.service.transfer(evidenceId, { to: 'Alex Analyst', reason: 'returned', actor: admin });
  assert.deepEqual([back.by, back.actor], ['Forensics Ltd', 'Ada Admin'], 'an admin acts for the custodian, and is named');
  await w.service.access(evidenceId, { by: 'Sam Other', purpose: 'report', actor: sam });
  await w.service.release(evidenceId, { reason: 'case closed', actor: alex });
  await assert.rejects(w.service.transfer(evidenceId, { to: 'Sam Other', reason: 'again', actor: admin }), { code: 'ARGUS_CONFLICT' });
  const shown = await w.service.show(evidenceId);
  assert.deepEqual(shown?.custody.map((e) => e.action), ['registered', 'transferred', 'transferred', 'accessed', 'released']);
  assert.deepEqual([shown?.item.custodian, shown?.item.released], ['Alex Analyst', true]);
  assert.equal((await w.verify()).bad.length, 0);
});

test('verify passes an intact store and names the item whose content, ledger row or item row was changed', async () => {
  const cases: Array<[string, (w: ReturnType<typeof world>, id: string) => Promise<void>, RegExp]> = [
    ['content changed', async (w, id) => void w.content.contents.set(id, Buffer.from('memory.dmp bytez')), /its content changed: 16 bytes with SHA-256 [0-9a-f]{64}, registered 16 bytes/],
    ['content missing', async (w, id) => void w.content.contents.delete(id), /its content is missing/],
    ['ledger row altered', async (w, id) => alterRow(w, row(id, '000002'), { to: 'Mallory' }), /custody ledger: entry 2 was altered/],
    ['middle ledger row removed', async (w, id) => removeRow(w, row(id, '000002')), /custody ledger: entry 2 is missing \(found seq 3\)/],
    ['last ledger row removed', async (w, id) => removeRow(w, row(id, '000003')), /custody ledger: it ends at entry 2, but the item records 3 entries/],
    ['custodian changed on the item', async (w, id) => alterRow(w, row(id), { custodian: 'Mallory' }), /names Mallory as custodian, its ledger Alex Analyst/],
    ['file name changed on the item', async (w, id) => alterRow(w, row(id), { filename: 'innocent.txt' }), /file name differs from its registration/],
  ];
  for (const [name, tamper, problem] of cases) {
    const w = world();
    const other = await w.add('other evidence');
    const { evidenceId } = await w.add();
    await w.service.transfer(evidenceId, { to: 'Forensics Ltd', reason: 'analysis', actor: alex });
    await w.service.transfer(evidenceId, { to: 'Alex Analyst', reason: 'returned', actor: admin });
    const clean = await w.verify();
    assert.deepEqual([clean.checked, clean.bad.length], [2, 0], name);
    await tamper(w, evidenceId);
    const report = await w.verify();
    assert.deepEqual(report.bad.map((b) => b.evidenceId), [evidenceId], name);
    assert.match((report.bad[0] as { problem: string }).problem, problem, name);
    assert.deepEqual((await w.verify(other.evidenceId)).bad, [], `${name}: the other item is still intact`);
  }
});

test('a ledger whose end no longer matches its item is not extended', async () => {
  const w = world();
  const { evidenceId } = await w.add();
  await w.service.transfer(evidenceId, { to: 'Forensics Ltd', reason: 'analysis', actor: alex });
  await removeRow(w, row(evidenceId, '000002'));
  await assert.rejects(w.service.transfer(evidenceId, { to: 'Sam Other', reason: 'x', actor: admin }), /does not end where its item says/);
});

/** The item's row, or its ledger row `seq`. */
const row = (evidenceId: string, seq?: string) => new RegExp(seq ? `^custody-${evidenceId}-${seq}$` : `^item-${evidenceId}$`);

async function rowsMatching(w: ReturnType<typeof world>, rowKey: RegExp) {
  const rows = (await w.table.list({})).filter((r) => rowKey.test(r.rowKey));
  assert.equal(rows.length > 0, true, `no row ${rowKey}`);
  return rows;
}

async function alterRow(w: ReturnType<typeof world>, rowKey: RegExp, changes: Record<string, unknown>): Promise<void> {
  for (const row of await rowsMatching(w, rowKey)) await w.table.update({ partitionKey: row.partitionKey, rowKey: row.rowKey, ...changes }, { mode: 'merge' });
}

async function removeRow(w: ReturnType<typeof world>, rowKey: RegExp): Promise<void> {
  for (const row of await rowsMatching(w, rowKey)) await w.table.delete(row.partitionKey, row.rowKey);
}
