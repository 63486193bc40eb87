import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { and, eq, ge, gt, le, lt, ne, or, type EntityQuery, type EntityTable, type StoredEntity } from '../../src/storage/entity-table';

/**
 * What every EntityTable must do, Table Storage (Azurite) and the in-memory twin alike. `make`
 * answers a fresh, empty table each time.
 */
export function entityTableContract(name: string, make: () => Promise<EntityTable>): void {
  describe(`EntityTable contract: ${name}`, () => {
    test('create, then get; a second create finds the row and changes nothing; a missing row is undefined', async () => {
      const t = await make();
      const first = await t.create({ partitionKey: 'p', rowKey: 'r', n: 1, s: 'one', flag: true, bytes: new Uint8Array([1, 2, 3]) });
      assert.ok(first.created && first.etag);
      assert.deepEqual(await t.create({ partitionKey: 'p', rowKey: 'r', n: 2 }), { created: false });
      const row = await t.get('p', 'r');
      assert.equal(row?.etag, first.etag);
      assert.deepEqual(pick(row, ['partitionKey', 'rowKey', 'n', 's', 'flag']), { partitionKey: 'p', rowKey: 'r', n: 1, s: 'one', flag: true });
      assert.ok(row?.bytes instanceof Uint8Array);
      assert.deepEqual([...(row.bytes as Uint8Array)], [1, 2, 3]);
      assert.equal(await t.get('p', 'nope'), undefined);
      assert.equal(await t.get('nope', 'r'), undefined);
    });

    test('update with the current etag wins once; a stale etag or a missing row answers undefined', async () => {
      const t = await make();
      const created = await t.create({ partitionKey: 'p', rowKey: 'r', a: 'x', b: 'y' });
      assert.ok(created.created);
      const merged = await t.update({ partitionKey: 'p', rowKey: 'r', a: 'x2' }, { mode: 'merge', etag: created.etag });
      assert.ok(merged && merged !== created.etag);
      assert.deepEqual(pick(await t.get('p', 'r'), ['a', 'b']), { a: 'x2', b: 'y' }, 'merge keeps the other properties');
      assert.equal(await t.update({ partitionKey: 'p', rowKey: 'r', a: 'lost' }, { mode: 'replace', etag: created.etag }), undefined, 'stale etag');
      const replaced = await t.update({ partitionKey: 'p', rowKey: 'r', a: 'x3' }, { mode: 'replace', etag: merged });
      assert.ok(replaced);
      assert.deepEqual(pick(await t.get('p', 'r'), ['a', 'b']), { a: 'x3', b: undefined }, 'replace drops the others');
      assert.ok(await t.update({ partitionKey: 'p', rowKey: 'r', a: 'x4' }, { mode: 'merge' }), 'no etag: unconditional');
      assert.equal(await t.update({ partitionKey: 'p', rowKey: 'gone', a: 1 }, { mode: 'merge' }), undefined, 'missing row');
      assert.equal(await t.update({ partitionKey: 'p', rowKey: 'gone', a: 1 }, { mode: 'replace', etag: replaced }), undefined);
    });

    test('upsert creates or overwrites; delete honours the etag and reports a missing row', async () => {
      const t = await make();
      const e1 = await t.upsert({ partitionKey: 'p', rowKey: 'r', v: 1, w: 1 }, 'replace');
      const e2 = await t.upsert({ partitionKey: 'p', rowKey: 'r', v: 2 }, 'merge');
      assert.notEqual(e1, e2);
      assert.deepEqual(pick(await t.get('p', 'r'), ['v', 'w']), { v: 2, w: 1 });
      await t.upsert({ partitionKey: 'p', rowKey: 'r', v: 3 }, 'replace');
      const row = await t.get('p', 'r');
      assert.deepEqual(pick(row, ['v', 'w']), { v: 3, w: undefined });
      assert.equal(await t.delete('p', 'r', e2), false, 'stale etag');
      assert.ok(await t.get('p', 'r'));
      assert.equal(await t.delete('p', 'r', row?.etag), true);
      assert.equal(await t.get('p', 'r'), undefined);
      assert.equal(await t.delete('p', 'r'), false, 'already gone');
      await t.create({ partitionKey: 'p', rowKey: 'r2' });
      assert.equal(await t.delete('p', 'r2'), true, 'no etag: unconditional');
    });

    test('list orders by PartitionKey then RowKey and takes key ranges, prefixes and limits', async () => {
      const t = await make();
      for (const [pk, rk] of [['b', '2'], ['a', '9'], ['b', '1'], ['a-x', '1'], ['a', '10'], ['c', '0'], ['a.', '0']] as const) {
        await t.create({ partitionKey: pk, rowKey: rk });
      }
      const keys = (rows: StoredEntity[]) => rows.map((r) => `${r.partitionKey}/${r.rowKey}`);
      assert.deepEqual(keys(await t.list({})), ['a/10', 'a/9', 'a-x/1', 'a./0', 'b/1', 'b/2', 'c/0']);
      assert.deepEqual(keys(await t.list({}, 2)), ['a/10', 'a/9']);
      assert.deepEqual(keys(await t.list({}, 0)), []);
      assert.deepEqual(keys(await t.list({ partitionKey: 'b' })), ['b/1', 'b/2']);
      assert.deepEqual(keys(await t.list({ partitionKey: { prefix: 'a-' } })), ['a-x/1']);
      assert.deepEqual(keys(await t.list({ partitionKey: { ge: 'a', lt: 'a.' } })), ['a/10', 'a/9', 'a-x/1']);
      assert.deepEqual(keys(await t.list({ partitionKey: { gt: 'a-x', le: 'b' } })), ['a./0', 'b/1', 'b/2']);
      assert.deepEqual(keys(await t.list({ partitionKey: 'a', rowKey: { prefix: '1' } })), ['a/10']);
      assert.deepEqual(keys(await t.list({ rowKey: { ge: '1', lt: '2' } })), ['a/10', 'a-x/1', 'b/1']);
      assert.deepEqual(keys(await t.list({ rowKey: '0' })), ['a./0', 'c/0']);
      const scanned: string[] = [];
      for await (const row of t.scan({ partitionKey: { prefix: 'a' } }, { pageSize: 2 })) scanned.push(`${row.partitionKey}/${row.rowKey}`);
      assert.deepEqual(scanned, ['a/10', 'a/9', 'a-x/1', 'a./0'], 'scan pages through every row');
    });

    test('field conditions: comparisons of strings, numbers and booleans, and/or, quotes in values', async () => {
      const t = await make();
      const people = [
        { rowKey: '1', name: "O'Brien", age: 41, active: true },
        { rowKey: '2', name: 'Ng', age: 29, active: false },
        { rowKey: '3', name: "it's ''quoted''", age: 35, active: true },
        { rowKey: '4', name: 'Zed', age: 52, active: false },
      ];
      for (const p of people) await t.create({ partitionKey: 'people', ...p });
      const rows = async (query: EntityQuery) => (await t.list({ partitionKey: 'people', ...query })).map((r) => r.rowKey);
      assert.deepEqual(await rows({ where: eq('name', "O'Brien") }), ['1']);
      assert.deepEqual(await rows({ where: eq('name', "it's ''quoted''") }), ['3']);
      assert.deepEqual(await rows({ where: ne('name', "O'Brien") }), ['2', '3', '4']);
      assert.deepEqual(await rows({ where: lt('age', 35) }), ['2']);
      assert.deepEqual(await rows({ where: le('age', 35) }), ['2', '3']);
      assert.deepEqual(await rows({ where: gt('age', 41) }), ['4']);
      assert.deepEqual(await rows({ where: ge('age', 41) }), ['1', '4']);
      assert.deepEqual(await rows({ where: eq('active', true) }), ['1', '3']);
      assert.deepEqual(await rows({ where: lt('name', 'P') }), ['1', '2']);
      assert.deepEqual(await rows({ where: and(eq('active', false), gt('age', 30)) }), ['4']);
      assert.deepEqual(await rows({ where: or(eq('name', 'Ng'), and(eq('active', true), ge('age', 40))) }), ['1', '2']);
      assert.deepEqual(await rows({ where: and(or(eq('age', 29), eq('age', 52)), eq('active', false)) }), ['2', '4']);
      assert.deepEqual(await rows({ where: eq('missing', 'x') }), [], 'a property no row has matches nothing');
      assert.deepEqual(await rows({ where: ne('missing', 'x') }), [], 'not even with ne');
      assert.deepEqual(await rows({ where: eq('age', '41') }), [], 'a string never equals a number');
      await assert.rejects(rows({ where: eq("x' or name ne '", 'y') }), { code: 'ARGUS_INTERNAL' }, 'a property name is never spliced in as is');
    });

    test('select returns only the named properties (and the etag)', async () => {
      const t = await make();
      await t.create({ partitionKey: 'p', rowKey: 'r', a: 1, b: 'two', c: true });
      const [row] = await t.list({ partitionKey: 'p', select: ['a', 'c'] });
      assert.ok(row?.etag);
      assert.deepEqual(pick(row, ['a', 'b', 'c']), { a: 1, b: undefined, c: true });
    });

    test('a transaction writes all its rows or none', async () => {
      const t = await make();
      const ok = await t.submit([
        { op: 'create', entity: { partitionKey: 'g', rowKey: '1', v: 1 } },
        { op: 'create', entity: { partitionKey: 'g', rowKey: '2', v: 2 } },
      ]);
      assert.ok(ok.ok && ok.etags.length === 2 && ok.etags.every(Boolean));
      const two = await t.get('g', '2');
      assert.equal(two?.etag, ok.etags[1]);

      assert.deepEqual(
        await t.submit([
          { op: 'create', entity: { partitionKey: 'g', rowKey: '3' } },
          { op: 'create', entity: { partitionKey: 'g', rowKey: '1' } },
        ]),
        { ok: false, reason: 'exists' },
      );
      assert.equal(await t.get('g', '3'), undefined, 'nothing of a failed transaction is written');

      const moved = await t.update({ partitionKey: 'g', rowKey: '2', v: 20 }, { mode: 'replace' });
      assert.deepEqual(
        await t.submit([
          { op: 'create', entity: { partitionKey: 'g', rowKey: '3' } },
          { op: 'update', entity: { partitionKey: 'g', rowKey: '2', v: 21 }, mode: 'replace', etag: two?.etag },
        ]),
        { ok: false, reason: 'changed' },
      );
      assert.equal(await t.get('g', '3'), undefined);
      assert.deepEqual(
        await t.submit([{ op: 'update', entity: { partitionKey: 'g', rowKey: '9' }, mode: 'merge', etag: moved }]),
        { ok: false, reason: 'missing' },
      );

      const done = await t.submit([
        { op: 'create', entity: { partitionKey: 'g', rowKey: '3' } },
        { op: 'update', entity: { partitionKey: 'g', rowKey: '2', v: 22 }, mode: 'merge', etag: moved },
        { op: 'upsert', entity: { partitionKey: 'g', rowKey: '4', v: 4 }, mode: 'replace' },
      ]);
      assert.ok(done.ok && done.etags.length === 3);
      assert.equal((await t.get('g', '2'))?.etag, done.etags[1], 'an update reports its new etag in place');
      assert.deepEqual((await t.list({ partitionKey: 'g' })).map((r) => [r.rowKey, r.v]), [['1', 1], ['2', 22], ['3', undefined], ['4', 4]]);

      assert.deepEqual(
        await t.submit([
          { op: 'create', entity: { partitionKey: 'g', rowKey: '5' } },
          { op: 'create', entity: { partitionKey: 'g', rowKey: '5' } },
        ]),
        { ok: false, reason: 'rejected' },
        'the same row twice',
      );
      assert.equal(await t.get('g', '5'), undefined);
    });
  });
}

function pick(row: Record<string, unknown> | undefined, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((n) => [n, row?.[n]]));
}
