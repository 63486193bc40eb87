import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntityTable } from '../../../src/storage/entity-table';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { inReadScope, partitionReadsOnce } from '../../../src/storage/render-scope';

/** A table that counts the calls reaching it. */
function counting(): { table: EntityTable; calls: string[] } {
  const table = memoryEntityTable();
  const calls: string[] = [];
  return {
    calls,
    table: { ...table, get: (pk, rk) => (calls.push(`get ${pk}/${rk}`), table.get(pk, rk)), list: (q, l) => (calls.push(`list ${String(q.partitionKey)}`), table.list(q, l)) },
  };
}

test('in a read scope, point reads and whole-partition listings of one partition cost one listing; outside it every read goes through', async () => {
  const c = counting();
  const t = partitionReadsOnce(c.table, 'T');
  await t.upsert({ partitionKey: 'inc-1', rowKey: 'phase', phase: 'investigation' }, 'merge');
  await t.upsert({ partitionKey: 'inc-1', rowKey: 'impact', level: 'high' }, 'merge');
  await inReadScope(async () => {
    assert.equal((await t.get('inc-1', 'phase'))?.phase, 'investigation');
    assert.equal((await t.get('inc-1', 'impact'))?.level, 'high');
    assert.equal(await t.get('inc-1', 'postmortem'), undefined);
    assert.deepEqual((await t.list({ partitionKey: 'inc-1' }, 1)).map((r) => r.rowKey), ['impact']);
    // A filtered query is not a whole partition: it goes to the table.
    await t.list({ partitionKey: 'inc-1', rowKey: { prefix: 'step|' } });
  });
  assert.deepEqual(c.calls, ['list inc-1', 'list inc-1']);
  c.calls.length = 0;
  await t.get('inc-1', 'phase');
  await t.get('inc-1', 'phase');
  assert.deepEqual(c.calls, ['get inc-1/phase', 'get inc-1/phase'], 'no scope: no reuse');
});

test('a write in the scope is read back; scopes running side by side do not share what they read', async () => {
  const c = counting();
  const t = partitionReadsOnce(c.table, 'T');
  await inReadScope(async () => {
    assert.equal(await t.get('inc-1', 'phase'), undefined);
    assert.ok((await t.create({ partitionKey: 'inc-1', rowKey: 'phase', phase: 'detection' })).created);
    assert.equal((await t.get('inc-1', 'phase'))?.phase, 'detection', 'read again after the write');
  });
  const seen = await Promise.all(
    ['a', 'b'].map((v) =>
      inReadScope(async () => {
        const before = await t.get('inc-1', 'phase');
        await t.upsert({ partitionKey: 'inc-1', rowKey: 'phase', phase: v }, 'merge');
        return [before?.phase, (await t.get('inc-1', 'phase'))?.phase];
      }),
    ),
  );
  assert.ok(seen.every(([, after]) => after === 'a' || after === 'b'));
  assert.equal(seen.filter(([before]) => before === 'detection').length >= 1, true);
});
