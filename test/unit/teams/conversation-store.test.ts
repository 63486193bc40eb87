import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import type { EntityTable } from '../../../src/storage/entity-table';
import { TableConversationStore, type StoredConversation } from '../../../src/teams/conversation-store';

const serviceUrls = { assert: () => undefined, allows: () => true };
const channel = (id: string, serviceUrl = 'https://smba.trafficmanager.net/emea/'): StoredConversation => ({
  conversationId: id,
  kind: 'channel',
  tenantId: 'tenant-1',
  teamId: '19:team@thread.tacv2',
  reference: { serviceUrl, channelId: 'msteams', conversation: { id, isGroup: true, conversationType: 'channel', name: '' } },
  installedAt: '2026-12-03T10:00:00.000Z',
});

/** A table whose point reads are counted. */
function countingTable(): { table: EntityTable; reads: () => number } {
  const table = memoryEntityTable();
  let reads = 0;
  return { table: { ...table, get: (pk, rk) => ((reads += 1), table.get(pk, rk)) }, reads: () => reads };
}

test('a conversation read lately is used again for cacheMs; what this instance writes or removes is seen at once', async () => {
  const t = countingTable();
  const store = new TableConversationStore(t.table, { serviceUrls, cacheMs: 60_000 });
  const a = '19:a@thread.tacv2';
  await store.upsert(channel(a));
  assert.equal((await store.get(a))?.reference.serviceUrl, 'https://smba.trafficmanager.net/emea/');
  await store.get(a);
  await store.get(a);
  assert.equal(t.reads(), 1, 'one read for three sends');

  await store.upsert(channel(a, 'https://smba.trafficmanager.net/amer/'));
  assert.equal((await store.get(a))?.reference.serviceUrl, 'https://smba.trafficmanager.net/amer/', 'a write here is seen at once');
  store.forget(a);
  await store.get(a);
  assert.equal(t.reads(), 3);

  assert.equal(await store.remove(a), 1);
  assert.equal(await store.get(a), undefined, 'a removal here is seen at once');
});

test('without cacheMs every get reads the row (the CLI and other readers see the table as it is)', async () => {
  const t = countingTable();
  const writer = new TableConversationStore(t.table, { serviceUrls });
  const a = '19:a@thread.tacv2';
  await writer.upsert(channel(a));
  await writer.get(a);
  await writer.get(a);
  assert.equal(t.reads(), 2);
  // Another instance's change reaches a caching reader once its entry is older than cacheMs.
  const reader = new TableConversationStore(t.table, { serviceUrls, cacheMs: 50 });
  await reader.get(a);
  await writer.remove(a);
  assert.ok(await reader.get(a), 'still the row read a moment ago');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(await reader.get(a), undefined);
});
