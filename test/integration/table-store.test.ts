import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { odata } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
// Loaded on purpose: restify patches Node's shared http.IncomingMessage prototype, which once made
// an in-thread Azurite ignore $filter. The emulator must keep working beside the Argus server.
import 'restify';
import { isArgusError } from '../../src/errors/catalog';
import { createLogger } from '../../src/logging/logger';
import { isConflict, isNotFound, isPreconditionFailed } from '../../src/storage/keys';
import { openTableStore, type OpenedTableStore } from '../../src/storage/table-store';
import { startAzurite, type TestAzurite } from '../helpers/azurite';

const logger = createLogger({ level: 'silent' });
let azurite: TestAzurite;
let opened: OpenedTableStore;

before(async () => {
  azurite = await startAzurite();
  opened = await openTableStore({ kind: 'connectionString', connectionString: azurite.connectionString }, { logger });
});
after(async () => {
  await opened.store.close();
  await azurite.stop();
});

test('ensureTable is idempotent and the client reads and writes', async () => {
  const { store } = opened;
  await store.ensureTable('StoreTest');
  await store.ensureTable('StoreTest');
  const client = store.client('StoreTest');
  assert.equal(store.client('StoreTest'), client, 'one client per table');
  await client.createEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
  const got = await client.getEntity<{ value: number }>('p', 'r');
  assert.equal(got.value, 42);
  await store.ping();
});

test('queries honour $filter with restify loaded in the same process', async () => {
  await opened.store.ensureTable('FilterTest');
  const client = opened.store.client('FilterTest');
  for (const rowKey of ['001', '002', '003']) await client.createEntity({ partitionKey: 'p', rowKey });
  const keys: string[] = [];
  for await (const e of client.listEntities({ queryOptions: { filter: odata`PartitionKey eq 'p' and RowKey ge '002'` } })) {
    keys.push(e.rowKey ?? '');
  }
  assert.deepEqual(keys, ['002', '003']);
});

test('409, 412 and 404 are told apart by status code', async () => {
  const client = opened.store.client('StoreTest');
  await client.createEntity({ partitionKey: 'c', rowKey: 'r', n: 1 });
  const dup = await client.createEntity({ partitionKey: 'c', rowKey: 'r', n: 2 }).catch((e: unknown) => e);
  assert.ok(isConflict(dup) && !isPreconditionFailed(dup) && !isNotFound(dup));

  const current = await client.getEntity('c', 'r');
  await client.updateEntity({ partitionKey: 'c', rowKey: 'r', n: 3 }, 'Replace', { etag: current.etag });
  const stale = await client
    .updateEntity({ partitionKey: 'c', rowKey: 'r', n: 4 }, 'Replace', { etag: current.etag })
    .catch((e: unknown) => e);
  assert.ok(isPreconditionFailed(stale) && !isConflict(stale));
  assert.equal((await client.getEntity<{ n: number }>('c', 'r')).n, 3, 'the stale write changed nothing');

  const missing = await client.getEntity('c', 'nope').catch((e: unknown) => e);
  assert.ok(isNotFound(missing));
});

test('the queue connection reaches the same account', async () => {
  assert.equal(opened.queueConnection.kind, 'connectionString');
  if (opened.queueConnection.kind !== 'connectionString') return;
  const queues = QueueServiceClient.fromConnectionString(opened.queueConnection.connectionString);
  const queue = queues.getQueueClient('store-test');
  await queue.createIfNotExists();
  await queue.sendMessage('hello');
  const received = await queue.receiveMessages();
  assert.equal(received.receivedMessageItems[0]?.messageText, 'hello');
});

test('describe names the endpoint but never the key', () => {
  const text = opened.store.describe();
  assert.match(text, /127\.0\.0\.1:\d+\/devstoreaccount1/);
  assert.doesNotMatch(text, /Eby8vdM02/);
});

test('ping fails fast with ARGUS_STORAGE_UNAVAILABLE when storage is down', async () => {
  const down = await startAzurite();
  const { store } = await openTableStore({ kind: 'connectionString', connectionString: down.connectionString }, { logger });
  await down.stop();
  const started = Date.now();
  const err = await store.ping().catch((e: unknown) => e);
  assert.ok(isArgusError(err, 'ARGUS_STORAGE_UNAVAILABLE'), String(err));
  assert.ok(Date.now() - started < 3500);
});

test('an account URL uses the identity for tables and names the same account\'s queues', async () => {
  const credential = { getToken: async () => ({ token: 'unused', expiresOnTimestamp: Date.now() + 60_000 }) };
  const { store, queueConnection, blobConnection, embedded } = await openTableStore(
    { kind: 'accountUrl', accountUrl: 'https://acme.blob.core.windows.net/' },
    { logger, credential },
  );
  assert.equal(embedded, undefined);
  assert.equal(store.describe(), 'Table Storage at https://acme.table.core.windows.net (managed identity)');
  assert.deepEqual(queueConnection, { kind: 'accountUrl', accountUrl: 'https://acme.queue.core.windows.net', credential });
  assert.deepEqual(blobConnection, { kind: 'accountUrl', accountUrl: 'https://acme.blob.core.windows.net', credential });
  assert.equal(store.client('ArgusAudit').url, 'https://acme.table.core.windows.net');
  await store.close();
  assert.throws(() => store.client('ArgusAudit'), { code: 'ARGUS_SHUTTING_DOWN' });
});
