import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueueClient } from '@azure/storage-queue';
import type { ArgusEvent } from '../../../src/events/event-map';
import { EventQueue } from '../../../src/events/event-queue';

/** A queue client that keeps sent texts and answers peeks with them, each inserted at the time the test says. */
function fakeQueue() {
  const messages: Array<{ messageText: string; insertedOn: Date }> = [];
  let now = new Date();
  const client = {
    sendMessage: async (messageText: string) => (messages.push({ messageText, insertedOn: now }), { messageId: String(messages.length), popReceipt: 'p' }),
    peekMessages: async ({ numberOfMessages = 1 }: { numberOfMessages?: number } = {}) => ({ peekedMessageItems: messages.slice(0, numberOfMessages) }),
  };
  return { queue: new EventQueue(client as unknown as QueueClient, client as unknown as QueueClient), at: (t: Date) => (now = t) };
}

const event = (key: string, receivedAt: Date): ArgusEvent =>
  ({ id: key, name: 'alert.received', source: 'alerts', idempotencyKey: key, receivedAt: receivedAt.toISOString(), correlationId: key, payload: { alert: { title: key } } }) as ArgusEvent;

test('the oldest waiting event is as old as the events the visible messages carry, not as their send time', async () => {
  const q = fakeQueue();
  assert.equal(await q.queue.oldestWaitingAt(), undefined, 'nothing waits');
  const stored = new Date(Date.parse('2026-12-03T10:00:00Z'));
  q.at(new Date(stored.getTime() + 60_000)); // sending lagged a minute behind storing
  await q.queue.send([
    { partitionKey: 'alerts-0', rowKey: 'a', event: event('a', stored), fresh: true },
    { partitionKey: 'alerts-1', rowKey: 'b', event: event('b', new Date(stored.getTime() + 1_000)), fresh: true },
  ]);
  assert.deepEqual(await q.queue.oldestWaitingAt(), stored);
  q.at(new Date(stored.getTime() - 5_000));
  await q.queue.send([{ partitionKey: 'alerts-2', rowKey: 'c' }]); // a bare pointer: its send time
  assert.deepEqual(await q.queue.oldestWaitingAt(), new Date(stored.getTime() - 5_000));
});
