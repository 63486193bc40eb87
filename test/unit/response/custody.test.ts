import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { nextCustodyEntry, verifyCustody, type CustodyEntry } from '../../../src/response/custody';

const content = createHash('sha256').update('memory.dmp bytes').digest('hex');

function ledger(): CustodyEntry[] {
  const e1 = nextCustodyEntry('ev-1', content, undefined, { action: 'registered', at: '2026-03-02T10:00:00.000Z', by: 'Alex', purpose: 'triage', sha256: content });
  const e2 = nextCustodyEntry('ev-1', content, e1, { action: 'transferred', at: '2026-03-02T11:00:00.000Z', by: 'Alex', to: 'Forensics Ltd', reason: 'analysis' });
  const e3 = nextCustodyEntry('ev-1', content, e2, { action: 'accessed', at: '2026-03-02T12:00:00.000Z', by: 'Sam', purpose: 'report' });
  return [e1, e2, e3];
}

test('a ledger verifies and names the current custodian', () => {
  const l = ledger();
  assert.deepEqual(l.map((e) => e.seq), [1, 2, 3]);
  assert.equal(l[0]?.prevHash, content);
  assert.equal(l[1]?.prevHash, l[0]?.hash);
  assert.deepEqual(verifyCustody('ev-1', content, l), { ok: true, custodian: 'Forensics Ltd', entries: 3 });
});

test('an altered, removed, reordered or foreign entry is named', () => {
  const altered = ledger();
  altered[1] = { ...altered[1]!, to: 'Mallory' };
  assert.deepEqual(verifyCustody('ev-1', content, altered), { ok: false, seq: 2, problem: 'entry 2 was altered (its hash does not match)' });

  const removed = ledger();
  removed.splice(1, 1);
  assert.equal(verifyCustody('ev-1', content, removed).ok, false);
  assert.deepEqual(verifyCustody('ev-1', content, removed), { ok: false, seq: 2, problem: 'entry 2 is missing (found seq 3)' });

  // Recomputing every hash after an edit still breaks the anchor on the content.
  const otherContent = createHash('sha256').update('other bytes').digest('hex');
  assert.deepEqual(verifyCustody('ev-1', otherContent, ledger()), { ok: false, seq: 1, problem: 'the ledger does not start from the content hash' });
  assert.deepEqual(verifyCustody('ev-2', content, ledger()), { ok: false, seq: 1, problem: 'entry 1 belongs to another item' });
  assert.deepEqual(verifyCustody('ev-1', content, []), { ok: false, seq: 1, problem: 'the custody ledger is empty' });
});
