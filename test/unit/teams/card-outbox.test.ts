import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoredCardOutbox } from '../../../src/teams/card-outbox';
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
  /** The stored rows, as Table Storage keeps them. */
  const rows = () => table.list({});
  return { box, store: box.store, rows, signals: () => signals };
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

test('the signal names the subject and every conversation whose card of it got work', async () => {
  const o = outbox();
  const changes: unknown[] = [];
  o.box.onChanged((change) => changes.push(change));
  await o.box.changed(incident, [channel]);
  await o.box.changed(incident, [chat]);
  assert.deepEqual(changes, [
    { subject: incident, conversationIds: [channel] },
    { subject: incident, conversationIds: [channel, chat] },
  ]);
});
