import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../../src/logging/logger';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { CardDeliveryWorker, type CardDeliveryOptions } from '../../../src/teams/card-delivery-worker';
import { StoredCardOutbox } from '../../../src/teams/card-outbox';
import { TableCardOutboxStore } from '../../../src/teams/card-outbox-store';
import { CardWorkIndex } from '../../../src/teams/card-work-index';
import { TableDeliveryLeases } from '../../../src/teams/delivery-lease';
import { TeamsRateLimiter } from '../../../src/teams/rate-limiter';
import type { TeamsDelivery } from '../../../src/teams/teams-delivery';
import { waitFor } from '../../helpers/wait-for';

/** Card rows that count how often every pending card was listed, a conversation's work listed and a card read. */
class CountingStore extends TableCardOutboxStore {
  scans = 0;
  workListings = 0;
  reads = 0;
  override listPending(limit?: number) {
    this.scans += 1;
    return super.listPending(limit);
  }
  override listWork(conversationId: string) {
    this.workListings += 1;
    return super.listWork(conversationId);
  }
  override get(incidentName: string, conversationId: string) {
    this.reads += 1;
    return super.get(incidentName, conversationId);
  }
}

/** A worker whose slow scan runs once at start and then not for a minute; Teams calls are recorded. */
function setup(table = memoryEntityTable(), extra: Partial<Pick<CardDeliveryOptions, 'keepLeaseMs' | 'content'>> = {}) {
  const store = new CountingStore(table);
  const outbox = new StoredCardOutbox(store);
  const leaseTable = memoryEntityTable();
  const calls: Array<{ kind: 'post' | 'update' | 'reply'; conversationId: string; at: number }> = [];
  let n = 0;
  const delivery: TeamsDelivery = {
    post: async (conversationId) => (calls.push({ kind: 'post', conversationId, at: Date.now() }), `act-${(n += 1)}`),
    update: async (conversationId) => void calls.push({ kind: 'update', conversationId, at: Date.now() }),
    reply: async (conversationId) => (calls.push({ kind: 'reply', conversationId, at: Date.now() }), `reply-${(n += 1)}`),
  };
  const worker = new CardDeliveryWorker({
    outbox,
    content: async (subject) => ({ card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: subject }] } }),
    delivery,
    leases: new TableDeliveryLeases(leaseTable, 'this-instance'),
    limiter: new TeamsRateLimiter(),
    logger: createLogger({ level: 'silent' }),
    pollIntervalMs: 60_000,
    ...extra,
  });
  return { store, outbox, worker, calls, leaseTable, delivery };
}

test('a change is drained at once in the conversations it names, without listing every pending card', async () => {
  const s = setup();
  s.worker.start();
  try {
    await waitFor(() => s.store.scans === 1, { what: 'the scan at start', timeoutMs: 2_000, intervalMs: 5 });
    const changedAt = Date.now();
    await s.outbox.changed('inc-1', ['19:a@thread.tacv2', '19:b@thread.tacv2']);
    await waitFor(() => s.calls.length === 2, { what: 'two cards posted', timeoutMs: 2_000, intervalMs: 5 });
    assert.deepEqual(s.calls.map((c) => [c.kind, c.conversationId]).sort(), [
      ['post', '19:a@thread.tacv2'],
      ['post', '19:b@thread.tacv2'],
    ]);
    assert.ok(Math.max(...s.calls.map((c) => c.at)) - changedAt < 500, 'posted at once');
    await s.outbox.changed('inc-1', []);
    await waitFor(() => s.calls.length === 4, { what: 'both cards updated', timeoutMs: 2_000, intervalMs: 5 });
    assert.deepEqual(s.calls.slice(2).map((c) => c.kind), ['update', 'update']);
    assert.equal(s.store.scans, 1, 'no scan of the pending cards');
    assert.equal((await s.store.get('inc-1', '19:a@thread.tacv2'))?.pending, false);
  } finally {
    await s.worker.stop();
  }
});

test("a new incident's first card is posted as the outbox created it: neither the card nor the work index is read", async () => {
  const s = setup();
  s.worker.start();
  try {
    await waitFor(() => s.store.scans === 1, { what: 'the scan at start', timeoutMs: 2_000, intervalMs: 5 });
    await s.outbox.changed('inc-1', ['19:a@thread.tacv2'], undefined, { noCardsYet: true });
    await waitFor(() => s.calls.length === 1, { what: 'the card posted', timeoutMs: 2_000, intervalMs: 5 });
    await waitFor(async () => (await s.store.listPending()).length === 0, { what: 'its index entry removed', timeoutMs: 2_000, intervalMs: 5 });
    assert.equal(s.store.reads, 0, 'the card was not read back');
    assert.equal(s.store.workListings, 0, "the conversation's work was not listed");
    const card = await s.store.get('inc-1', '19:a@thread.tacv2');
    assert.deepEqual([card?.state, card?.activityId, card?.pending], ['posted', 'act-1', false]);

    // An update is read afresh, with the conversation's other work.
    await s.outbox.changed('inc-1', []);
    await waitFor(() => s.calls.length === 2, { what: 'the card updated', timeoutMs: 2_000, intervalMs: 5 });
    assert.equal(s.store.workListings, 1);
  } finally {
    await s.worker.stop();
  }
});

test('a new card another instance changed before it was claimed is not posted from the stale row; the scan sends it once', async () => {
  const table = memoryEntityTable();
  const elsewhere = new TableCardOutboxStore(table);
  let changedElsewhere = false;
  const s = setup(table, {
    content: async (subject, conversationId) => {
      if (!changedElsewhere) {
        changedElsewhere = true; // another instance marks the card between its creation and the claim here
        await elsewhere.markPending((await elsewhere.get(subject, conversationId))!, { kind: 'person', text: 'Ada: on it' });
      }
      return { card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: subject }] } };
    },
  });
  s.worker.start();
  try {
    await s.outbox.changed('inc-1', ['19:a@thread.tacv2'], undefined, { noCardsYet: true });
    await waitFor(() => changedElsewhere, { what: 'the change elsewhere', timeoutMs: 2_000, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.calls.length, 0, 'the claim of the stale row failed: nothing posted');
    assert.deepEqual((await s.store.listPending()).map((e) => e.incidentName), ['inc-1'], 'its index entry stays');
    s.worker.nudge();
    await waitFor(() => s.calls.length === 1, { what: 'the scan to post the card', timeoutMs: 2_000, intervalMs: 5 });
    await s.worker.idle(2_000); // the note in its thread once it is posted
    assert.deepEqual(s.calls.map((c) => c.kind), ['post', 'reply'], 'one card, then the note');
  } finally {
    await s.worker.stop();
  }
});

test('a conversation another instance holds is tried again shortly, without a scan; work nobody signalled is found by the scan', async () => {
  const s = setup();
  const other = new TableDeliveryLeases(s.leaseTable, 'other-instance');
  const held = await other.acquire('19:a@thread.tacv2');
  assert.ok(held);
  s.worker.start();
  try {
    await waitFor(() => s.store.scans === 1, { what: 'the scan at start', timeoutMs: 2_000, intervalMs: 5 });
    await s.outbox.changed('inc-1', ['19:a@thread.tacv2']);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.calls.length, 0, 'nothing sent while another instance holds the conversation');
    await other.renew(held, { release: true });
    await waitFor(() => s.calls.length === 1, { what: 'the card posted once the lease was let go', timeoutMs: 2_000, intervalMs: 5 });
    assert.equal(s.store.scans, 1, 'retried without a scan');

    // A row written elsewhere (another instance, before a restart): nobody signals it here.
    await s.store.ensure('inc-2', '19:c@thread.tacv2');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.calls.length, 1);
    s.worker.nudge();
    await waitFor(() => s.calls.length === 2, { what: 'the scan to find it', timeoutMs: 2_000, intervalMs: 5 });
    assert.deepEqual(s.calls[1]?.conversationId, '19:c@thread.tacv2');
  } finally {
    await s.worker.stop();
  }
});

/** A card table that records the partition of every query (undefined: a query across partitions). */
function recordingTable() {
  const table = memoryEntityTable();
  const partitions: unknown[] = [];
  const recorded: typeof table = {
    ...table,
    list: (query, limit) => (partitions.push(query.partitionKey), table.list(query, limit)),
    scan: (query, options) => (partitions.push(query.partitionKey), table.scan(query, options)),
  };
  return { table: recorded, partitions };
}

test('card work is found through its index, one partition at a time: never a query across every card', async () => {
  const { table, partitions } = recordingTable();
  const s = setup(table);
  s.worker.start();
  try {
    await s.outbox.changed('inc-1', ['19:a@thread.tacv2']);
    await waitFor(() => s.calls.length === 1, { what: 'the card posted', timeoutMs: 2_000, intervalMs: 5 });
    await s.outbox.changed('inc-1', ['19:a@thread.tacv2'], { kind: 'person', text: 'Ada: on it' });
    await waitFor(() => s.calls.length === 3, { what: 'the update and the note', timeoutMs: 2_000, intervalMs: 5 });
    await s.store.ensure('inc-2', '19:b@thread.tacv2'); // nobody signals this one
    s.worker.nudge();
    await waitFor(() => s.calls.length === 4, { what: 'the scan to find it', timeoutMs: 2_000, intervalMs: 5 });
    await s.worker.idle(2_000);
    assert.deepEqual(await s.store.listPending(), [], 'every entry went with its work');
    assert.ok(partitions.length > 0);
    assert.deepEqual(partitions.filter((p) => typeof p !== 'string'), [], 'no query without its partition');
  } finally {
    await s.worker.stop();
  }
});

test("a card given work again while its conversation drains keeps its index entry; an old entry of a card without work goes", async () => {
  const table = memoryEntityTable();
  const s = setup(table);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const post = s.delivery.post;
  s.delivery.post = async (conversationId, message) => {
    if (s.calls.length === 1) await gate; // the second card waits
    return post(conversationId, message);
  };
  s.worker.start();
  try {
    await s.store.ensure('inc-1', '19:a@thread.tacv2');
    await s.store.ensure('inc-2', '19:a@thread.tacv2');
    s.worker.nudge();
    await waitFor(() => s.calls.length === 1, { what: 'the first card posted', timeoutMs: 2_000, intervalMs: 5 });
    // Another instance changes inc-1 while the drain waits on inc-2 (nobody signals it here).
    await s.store.markPending((await s.store.get('inc-1', '19:a@thread.tacv2'))!);
    release();
    await waitFor(() => s.calls.length === 2, { what: 'the second card posted', timeoutMs: 2_000, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await s.store.get('inc-1', '19:a@thread.tacv2'))?.pending, true);
    assert.deepEqual((await s.store.listPending()).map((e) => e.incidentName), ['inc-1'], 'the entry of the card with work stayed; the other went');
    s.worker.nudge();
    await waitFor(() => s.calls.length === 3, { what: 'the scan to find it', timeoutMs: 2_000, intervalMs: 5 });
    await s.worker.idle(2_000);

    // An entry left by a writer that stopped half-way: kept while it is young, removed once old.
    const index = new CardWorkIndex(table);
    await index.add('inc-3', '19:a@thread.tacv2', false, new Date());
    await index.add('inc-4', '19:a@thread.tacv2', false, new Date(Date.now() - CardWorkIndex.staleAfterMs - 60_000));
    s.worker.nudge();
    await waitFor(async () => (await s.store.listPending()).length === 1, { what: 'the old entry removed', timeoutMs: 2_000, intervalMs: 5 });
    assert.deepEqual((await s.store.listPending()).map((e) => e.incidentName), ['inc-3']);
    assert.equal(s.calls.length, 3, 'nothing sent for entries without work');
  } finally {
    await s.worker.stop();
  }
});

test('a conversation drained again soon keeps its lease: taken once, let go when idle and at stop; meanwhile another instance waits', async () => {
  const s = setup(memoryEntityTable(), { keepLeaseMs: 300 });
  const channel = '19:a@thread.tacv2';
  const leaseRow = async () => (await s.leaseTable.list({})).find((r) => r.partitionKey === 'lease')!;
  const writes = () => s.leaseTable.list({}).then((rows) => rows.filter((r) => r.partitionKey === 'lease').map((r) => r.etag));
  s.worker.start();
  try {
    await s.outbox.changed('inc-1', [channel]);
    await waitFor(() => s.calls.length === 1, { what: 'the card posted', timeoutMs: 2_000, intervalMs: 5 });
    const etagAfterFirst = (await writes())[0];
    await s.outbox.changed('inc-2', [channel]);
    await s.outbox.changed('inc-1', []);
    await waitFor(() => s.calls.length === 3, { what: 'a post and an update under the same lease', timeoutMs: 2_000, intervalMs: 5 });
    assert.equal((await writes())[0], etagAfterFirst, 'the lease row was not written again for the next drains');
    assert.ok(Number((await leaseRow()).until) > Date.now(), 'still held');
    const other = new TableDeliveryLeases(s.leaseTable, 'other-instance');
    assert.equal(await other.acquire(channel), undefined, 'another instance waits while it is kept');
    await waitFor(async () => Number((await leaseRow()).until) <= Date.now(), { what: 'the lease let go once idle', timeoutMs: 2_000, intervalMs: 20 });
    assert.ok(await other.acquire(channel), 'then another instance takes it');
  } finally {
    await s.worker.stop();
  }
});

test('stopping the worker lets a kept lease go at once', async () => {
  const s = setup(memoryEntityTable(), { keepLeaseMs: 60_000 });
  s.worker.start();
  await s.outbox.changed('inc-1', ['19:a@thread.tacv2']);
  await waitFor(() => s.calls.length === 1, { what: 'the card posted', timeoutMs: 2_000, intervalMs: 5 });
  await s.worker.stop();
  const row = (await s.leaseTable.list({})).find((r) => r.partitionKey === 'lease')!;
  assert.ok(Number(row.until) <= Date.now(), 'released when the worker stopped');
});
