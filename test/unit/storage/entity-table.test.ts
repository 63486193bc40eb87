import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { isArgusError } from '../../../src/errors/catalog';
import { devConnectionString, devEndpoint } from '../../../src/storage/dev-account';
import { toODataFilter } from '../../../src/storage/entity-query';
import { and, asEntityTable, azureEntityTable, eq, ge, gt, le, lt, ne, or } from '../../../src/storage/entity-table';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { entityTableContract } from '../../helpers/entity-table-contract';

entityTableContract('in memory', async () => memoryEntityTable());

test('queries compile to OData with string values quoted and escaped', () => {
  assert.equal(toODataFilter({}), undefined);
  assert.equal(toODataFilter({ partitionKey: "it's" }), "PartitionKey eq 'it''s'");
  assert.equal(toODataFilter({ partitionKey: { prefix: 'incident-' } }), "PartitionKey ge 'incident-' and PartitionKey lt 'incident.'");
  assert.equal(toODataFilter({ partitionKey: { ge: 'chain', lt: 'chain.' }, rowKey: { lt: 'head' } }), "PartitionKey ge 'chain' and PartitionKey lt 'chain.' and RowKey lt 'head'");
  assert.equal(
    toODataFilter({ partitionKey: 'link', where: and(eq('provider', "o'neil"), eq('ticketOpen', true), le('retryAt', "2026-01-01T00:00:00.000Z")) }),
    "PartitionKey eq 'link' and (provider eq 'o''neil' and ticketOpen eq true and retryAt le '2026-01-01T00:00:00.000Z')",
  );
  assert.equal(toODataFilter({ where: or(eq('number', 7), and(ne('status', 'Closed'), gt('n', 1.5))) }), "number eq 7 or (status ne 'Closed' and n gt 1.5)");
  assert.equal(toODataFilter({ where: and(ge('a', 1), lt('b', "''")) }), "a ge 1 and b lt ''''''");
  assert.throws(() => toODataFilter({ where: eq('a b', 1) }), (e: unknown) => isArgusError(e, 'ARGUS_INTERNAL'));
  assert.throws(() => toODataFilter({ where: eq('a', Number.NaN) }), (e: unknown) => isArgusError(e, 'ARGUS_INTERNAL'));
  assert.throws(() => toODataFilter({ where: or() }), (e: unknown) => isArgusError(e, 'ARGUS_INTERNAL'));
});

test('the memory twin hands out copies: changing what was read or written changes nothing stored', async () => {
  const t = memoryEntityTable();
  const written = { partitionKey: 'p', rowKey: 'r', list: [1, 2], bytes: new Uint8Array([1]) };
  await t.create(written);
  written.list.push(3);
  written.bytes[0] = 9;
  const read = await t.get('p', 'r');
  assert.deepEqual(read?.list, [1, 2]);
  (read?.list as number[]).push(4);
  const again = await t.get('p', 'r');
  assert.deepEqual(again?.list, [1, 2]);
  assert.deepEqual([...(again?.bytes as Uint8Array)], [1]);
});

test('the memory twin refuses keys Table Storage refuses, and transactions over two partitions', async () => {
  const t = memoryEntityTable();
  await assert.rejects(t.create({ partitionKey: 'a/b', rowKey: 'r' }), (e: unknown) => isArgusError(e, 'ARGUS_STORAGE_UNAVAILABLE'));
  await assert.rejects(
    t.submit([
      { op: 'create', entity: { partitionKey: 'a', rowKey: '1' } },
      { op: 'create', entity: { partitionKey: 'b', rowKey: '1' } },
    ]),
    (e: unknown) => isArgusError(e, 'ARGUS_INTERNAL'),
  );
  assert.deepEqual(await t.list({}), []);
});

test('over Table Storage, a storage that does not answer is ARGUS_STORAGE_UNAVAILABLE for every call', async () => {
  const down = devConnectionString({ tableEndpoint: devEndpoint('127.0.0.1', 1), queueEndpoint: devEndpoint('127.0.0.1', 1) });
  const t = azureEntityTable(TableClient.fromConnectionString(down, 'Nowhere', { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } }));
  const unavailable = (e: unknown) => isArgusError(e, 'ARGUS_STORAGE_UNAVAILABLE') && e.cause !== undefined;
  const entity = { partitionKey: 'p', rowKey: 'r' };
  await assert.rejects(t.get('p', 'r'), unavailable);
  await assert.rejects(t.create(entity), unavailable);
  await assert.rejects(t.update(entity, { mode: 'merge', etag: '*' }), unavailable);
  await assert.rejects(t.upsert(entity, 'replace'), unavailable);
  await assert.rejects(t.delete('p', 'r'), unavailable);
  await assert.rejects(t.list({ partitionKey: 'p' }), unavailable);
  await assert.rejects(t.submit([{ op: 'create', entity }]), unavailable);
});

test('asEntityTable wraps a TableClient and passes an EntityTable through', () => {
  const memory = memoryEntityTable();
  assert.equal(asEntityTable(memory), memory);
  const client = TableClient.fromConnectionString(devConnectionString({ tableEndpoint: devEndpoint('127.0.0.1', 1), queueEndpoint: devEndpoint('127.0.0.1', 1) }), 'T', {
    allowInsecureConnection: true,
  });
  const wrapped = asEntityTable(client);
  assert.notEqual(wrapped, client as unknown);
  assert.equal(typeof wrapped.submit, 'function');
});
