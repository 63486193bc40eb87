import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoredCardOutbox, type CardChange } from '../../../src/teams/card-outbox';
import { TableCardOutboxStore } from '../../../src/teams/card-outbox-store';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';

const incident = 'inc/1';
const channel = '19:soc@thread.tacv2';
const chat = 'a:1personal';

function outbox() {
  const table = memoryEntityTable();
  const box = new StoredCardOutbox(new TableCardOutboxStore(table));
  let signals = 0;
  box.onChanged(() => (signals += 1));
  /** The stored card rows, as Table Storage keeps them (not the work index beside them). */
  const rows = async () => (await table.list({})).filter((r) => r.partitionKey !== '%work');
  return { box, store: box.store, table, rows, signals: () => signals };
}

test('a change creates a card row, to be posted, for each conversation without one, and signals', async () => {
  const o = outbox();
  await o.box.changed(incident, [channel, chat], { kind: 'change', text: 'Status: Active' });
  assert.equal(o.signals(), 1);
  const rows = await o.rows();
  assert.equal(rows.length, 2);
  const row = rows.find((r) => r.rowKey === channel)!;
  const { etag: _etag, timestamp: _timestamp, pendingSince, ...shape } = row;
  assert.deepEqual(shape, {
    partitionKey: 'inc%2F1',
    rowKey: channel,
    state: 'new',
    pending: true,
    hasNotes: false,
    notes: '[]',
    hasReplies: false,
    replies: '[]',
  });
  assert.ok(!Number.isNaN(Date.parse(String(pendingSince))));
  const card = await o.store.get(incident, channel);
  assert.deepEqual(card?.notes, [], 'a card not posted yet shows the change itself');
  assert.deepEqual(await o.box.cardsOf(incident), [], 'nothing posted yet');
});

test('existing cards are marked pending with the note, routed or not; new conversations get a row', async () => {
  const o = outbox();
  await o.box.changed(incident, [channel]);
  const posted = await o.store.save((await o.store.get(incident, channel))!, { state: 'posted', activityId: 'act-1', pending: false });
  assert.ok(posted);
  await o.box.changed(incident, [chat], { kind: 'change', text: 'Severity: High' });
  await o.box.changed(incident, [chat], { kind: 'person', text: 'Ada: isolating the host' });
  assert.equal(o.signals(), 3);

  const card = (await o.store.get(incident, channel))!;
  assert.equal(card.pending, true);
  assert.deepEqual(card.notes, ['Severity: High']);
  assert.deepEqual(card.replies.map((r) => r.text), ['Ada: isolating the host']);
  const row = (await o.rows()).find((r) => r.rowKey === channel)!;
  assert.equal(row.hasNotes, true);
  assert.equal(row.hasReplies, true);

  const fresh = (await o.store.get(incident, chat))!;
  assert.equal(fresh.state, 'new');
  assert.deepEqual(fresh.replies.map((r) => r.text), ['Ada: isolating the host'], "a person's note waits for the card");
  assert.deepEqual(await o.box.cardsOf(incident), [{ conversationId: channel, activityId: 'act-1' }]);
});

test('a listener that stopped listening is not called', async () => {
  const o = outbox();
  let calls = 0;
  const stop = o.box.onChanged(() => (calls += 1));
  await o.box.changed(incident, [channel]);
  stop();
  await o.box.changed(incident, [channel]);
  assert.equal(calls, 1);
  assert.equal(o.signals(), 2);
});

test('the signal names the subject, every conversation whose card of it got work, and the cards it created as written', async () => {
  const o = outbox();
  const changes: CardChange[] = [];
  o.box.onChanged((change) => changes.push(change));
  await o.box.changed(incident, [channel]);
  await o.box.changed(incident, [chat]);
  assert.deepEqual(
    changes.map(({ subject, conversationIds, created }) => ({ subject, conversationIds, created: created.map((c) => c.card.conversationId) })),
    [
      { subject: incident, conversationIds: [channel], created: [channel] },
      { subject: incident, conversationIds: [channel, chat], created: [chat] },
    ],
  );
  const created = changes[1]!.created[0]!;
  const stored = (await o.store.get(incident, chat))!;
  const defined = (o: object) => JSON.parse(JSON.stringify(o)) as unknown;
  assert.deepEqual(defined(created.card), defined(stored), 'the created card is the stored row, etag included');
  assert.deepEqual(created.entry, (await o.store.listWork(chat))[0], 'and so is its index entry');
});

test('a card gets its work index entry before it gets work, and keeps it while it has work; a save of this process that takes its last work away is told', async () => {
  const o = outbox();
  const emptied: string[] = [];
  o.store.onWorkDone((card) => emptied.push(`${card.incidentName} ${card.conversationId}`));
  const entries = async () => (await o.store.listPending()).map((e) => `${e.incidentName} ${e.conversationId} ${e.replies}`);
  await o.box.changed(incident, [channel, chat]);
  assert.deepEqual(await entries(), [`${incident} ${channel} false`, `${incident} ${chat} false`], 'by conversation');
  const entry = (await o.store.listWork(channel))[0]!;
  await o.box.changed(incident, [channel], { kind: 'change', text: 'Severity: High' });
  assert.equal((await o.store.listWork(channel))[0]?.etag, entry.etag, 'a card that has work already: its entry is not written again');

  const posted = await o.store.save((await o.store.get(incident, channel))!, { state: 'posted', activityId: 'act-1', pending: false });
  assert.deepEqual(emptied, [`${incident} ${channel}`], 'the save took the last work away');
  assert.equal(await o.store.removeWork(entry), true, 'an entry unchanged since read goes');
  await o.box.changed(incident, [channel], { kind: 'person', text: 'Ada: on it' });
  assert.ok(posted);
  assert.deepEqual(await entries(), [`${incident} ${channel} true`, `${incident} ${chat} true`], 'back in the index (the note goes to every card), with people\'s notes');
  assert.deepEqual((await o.store.listReplies(channel)).map((c) => c.replies.map((r) => r.text)), [['Ada: on it']]);
  const other = 'inc/2';
  await o.box.changed(other, [channel]);
  assert.deepEqual((await o.store.listReplies(channel)).map((c) => c.incidentName), [incident], 'cards without people\'s notes are left out');

  const again = (await o.store.listWork(channel))[0]!;
  await o.box.changed(incident, [channel]);
  assert.equal(await o.store.removeWork(again), true);
  const stale = { ...again, etag: 'W/"old"' };
  await o.box.changed(incident, [channel], { kind: 'person', text: 'Bo: me too' });
  assert.equal(await o.store.removeWork(stale), false, 'an entry written since it was read stays');
});

test('a write that fails after the card\'s entry was made leaves the entry, never a card with work but no entry', async () => {
  const table = memoryEntityTable();
  let failCardWrites = true;
  const flaky: typeof table = {
    ...table,
    create: (entity) => (failCardWrites && entity.partitionKey !== '%work' ? Promise.reject(new Error('storage went away')) : table.create(entity)),
  };
  const box = new StoredCardOutbox(new TableCardOutboxStore(flaky));
  await assert.rejects(box.changed(incident, [channel]));
  assert.deepEqual((await box.store.listPending()).map((e) => e.conversationId), [channel], 'the entry was written first');
  assert.equal(await box.store.get(incident, channel), undefined);
  failCardWrites = false;
  await box.changed(incident, [channel]); // the event is run again
  assert.equal((await box.store.get(incident, channel))?.pending, true);
  assert.equal((await box.store.listPending()).length, 1);
});
