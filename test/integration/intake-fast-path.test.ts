import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { EventQueue, type QueuedEvent } from '../../src/events/event-queue';
import { TableEventStore } from '../../src/events/event-store';
import { DurableIntake } from '../../src/events/intake';
import { EventRouter, handle } from '../../src/events/router';
import { createLogger } from '../../src/logging/logger';
import { createQueueFactory } from '../../src/storage/queues';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { intakeWith } from '../helpers/intake-with';
import { waitFor } from '../helpers/wait-for';

/*
 * Two instances share one account, each running what it stores at once. One dies (as under
 * kill -9) in the middle of an event: its held message comes back and the other instance finishes
 * the event. Every event is processed exactly once, and nothing is left in the queue.
 */
let azurite: TestAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => azurite.stop());

/** An event queue that notes which events it handed out (received from the queue, not run at once). */
class WatchedQueue extends EventQueue {
  constructor(
    queue: ConstructorParameters<typeof EventQueue>[0],
    poison: ConstructorParameters<typeof EventQueue>[1],
    private readonly seen: string[],
  ) {
    super(queue, poison);
  }

  override async receive(max: number, visibilityTimeoutSeconds: number): Promise<QueuedEvent[]> {
    const messages = await super.receive(max, visibilityTimeoutSeconds);
    for (const m of messages) this.seen.push(...m.items.map((i) => i.rowKey));
    return messages;
  }
}

const alert = (key: string) => ({ name: 'alert.received' as const, source: 'alerts', idempotencyKey: key, payload: { alert: { title: key } } });

test('two instances with the fast path: each event runs once, where it was stored; one cut short mid-event is finished by the other', async () => {
  const table = TableClient.fromConnectionString(azurite.connectionString, 'FastPathEvents', { allowInsecureConnection: true });
  await table.createTable();
  const queues = createQueueFactory({ kind: 'connectionString', connectionString: azurite.connectionString });
  await queues.ensureQueue('fast-path');
  await queues.ensureQueue('fast-path-poison');
  const received: string[] = [];
  /** Finished runs of each event, by instance. */
  const finished = new Map<string, string[]>();
  let doomedStarted = false;
  const instance = (name: string) => {
    const router = new EventRouter(
      handle('alert.received', 'count', async (event) => {
        if (event.idempotencyKey === 'doomed' && name === 'a') {
          doomedStarted = true;
          await new Promise(() => undefined); // this instance dies here
        }
        finished.set(event.idempotencyKey, [...(finished.get(event.idempotencyKey) ?? []), name]);
      }),
    );
    const queue = new WatchedQueue(queues.queue('fast-path'), queues.queue('fast-path-poison'), received);
    const options = { store: new TableEventStore(table), queue, logger: createLogger({ level: 'silent' }), visibilityTimeoutSeconds: 1, sweepIntervalMs: 200, maxPollIntervalMs: 100 };
    return intakeWith(new DurableIntake(options), router);
  };
  const a = instance('a');
  const b = instance('b');
  a.start();
  b.start();
  try {
    const keys = Array.from({ length: 24 }, (_, i) => `e-${i}`);
    await Promise.all(keys.map((k, i) => (i % 2 === 0 ? a : b).accept(alert(k))));
    await waitFor(() => keys.every((k) => finished.has(k)), { what: 'every event processed', timeoutMs: 10_000 });
    for (const [i, k] of keys.entries()) assert.deepEqual(finished.get(k), [i % 2 === 0 ? 'a' : 'b'], `${k}: once, by the instance that stored it`);
    assert.deepEqual([...received], [], 'none waited for a queue receive');

    await a.accept(alert('doomed'));
    await waitFor(() => doomedStarted, { what: 'the doomed event running on a', timeoutMs: 5_000, intervalMs: 10 });
    void a.stop(); // a takes nothing more: it is gone, its run never ends
    await waitFor(() => finished.get('doomed'), { what: 'the doomed event finished by b', timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 2_000)); // more than a visibility timeout: what could come back, has
    assert.deepEqual(finished.get('doomed'), ['b']);
    assert.ok(received.includes('doomed'), 'b took it from the queue once its message came back');
    for (const k of keys) assert.equal(finished.get(k)?.length, 1, `${k} still once`);
    const notDone: string[] = [];
    for await (const e of table.listEntities<{ status: string }>()) if (e.status !== 'done') notDone.push(e.rowKey!);
    assert.deepEqual(notDone, []);
    assert.equal(await b.depth(), 0, 'every message deleted');
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
