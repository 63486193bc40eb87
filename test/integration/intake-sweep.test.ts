import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { EventQueue, type QueuedEvent, type QueuedItem } from '../../src/events/event-queue';
import { TableEventStore } from '../../src/events/event-store';
import { DurableIntake } from '../../src/events/intake';
import { EventRouter, handle } from '../../src/events/router';
import { intakeWith } from '../helpers/intake-with';
import { createLogger } from '../../src/logging/logger';
import { createQueueFactory } from '../../src/storage/queues';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { waitFor } from '../helpers/wait-for';

let azurite: TestAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => azurite.stop());

/** An event queue whose sends fail while `down` is set (a queue outage, or a crash before the send). */
class FlakyQueue extends EventQueue {
  down = false;
  sends = 0;
  override async send(items: QueuedItem[], delaySeconds = 0): Promise<void> {
    this.sends += 1;
    if (this.down) throw new Error('queue unavailable');
    return super.send(items, delaySeconds);
  }

  override async sendHeld(items: QueuedItem[], holdSeconds: number): Promise<QueuedEvent[]> {
    this.sends += 1;
    if (this.down) throw new Error('queue unavailable');
    return super.sendHeld(items, holdSeconds);
  }
}

async function setup(name: string, handler?: (key: string) => Promise<void>, concurrency = 16) {
  const table = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
  await table.createTable();
  const queues = createQueueFactory({ kind: 'connectionString', connectionString: azurite.connectionString });
  const qname = name.toLowerCase();
  await queues.ensureQueue(qname);
  await queues.ensureQueue(`${qname}-poison`);
  const queue = new FlakyQueue(queues.queue(qname), queues.queue(`${qname}-poison`));
  const handled = new Map<string, number>();
  const router = new EventRouter(
    handle('alert.received', 'count', async (event) => {
      handled.set(event.idempotencyKey, (handled.get(event.idempotencyKey) ?? 0) + 1);
      await handler?.(event.idempotencyKey);
    }),
  );
  const intake = intakeWith(new DurableIntake({
    store: new TableEventStore(table),
    queue,
    logger: createLogger({ level: 'silent' }),
    visibilityTimeoutSeconds: 1,
    sweepIntervalMs: 200,
    maxPollIntervalMs: 100,
    concurrency,
  }), router);
  return { intake, queue, handled, table, queues };
}

const alert = (key: string) => ({ name: 'alert.received' as const, source: 'alerts', idempotencyKey: key, payload: { alert: { title: 'test alert' } } });

test('events stored while the queue refused them run here all the same, once; those with no room here are enqueued by the sweep and processed once', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // One slot, held by the first event until released: the others find no room here.
  const { intake, queue, handled } = await setup('SweepLost', async (key) => (key === 'lost-0' ? gate : undefined), 1);
  intake.start();
  try {
    queue.down = true;
    assert.ok(!(await intake.accept(alert('lost-0'))).duplicate);
    await waitFor(() => handled.has('lost-0'), { what: 'the first event running here though its message was not sent', timeoutMs: 10_000 });
    const keys = Array.from({ length: 11 }, (_, i) => `lost-${i + 1}`);
    const results = await Promise.all(keys.map((k) => intake.accept(alert(k))));
    assert.ok(results.every((r) => !r.duplicate), 'stored: the sender got its acknowledgement');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([...handled.keys()], ['lost-0'], 'the others wait: no room here, and no message exists');
    release();
    queue.down = false;
    await waitFor(() => keys.every((k) => handled.has(k)), { what: 'every stored event processed', timeoutMs: 10_000 });
    await intake.idle(10_000);
    await new Promise((r) => setTimeout(r, 1_500)); // more sweeps: nothing is sent again
    assert.ok([...handled.values()].every((n) => n === 1), `each event ran once: ${JSON.stringify([...handled])}`);
  } finally {
    release();
    await intake.stop();
  }
});

test('the sweep leaves events alone while their message is still in the queue', async () => {
  const { intake, queue, handled } = await setup('SweepBusy');
  // Not started: messages wait in the queue like a backlog.
  await intake.accept(alert('waiting'));
  await waitFor(() => queue.sends === 1, { what: 'the enqueue', timeoutMs: 10_000 });
  await new Promise((r) => setTimeout(r, 1_200)); // overdue by more than the visibility timeout
  intake.start();
  try {
    await waitFor(() => handled.has('waiting'), { what: 'processed', timeoutMs: 10_000 });
    await intake.idle(10_000);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(handled.get('waiting'), 1);
    assert.equal(queue.sends, 1, 'no second message was sent for it');
  } finally {
    await intake.stop();
  }
});

test('an outcome is written with the row etag: a failure that lost the race to a success schedules no retry', async () => {
  // Instance A takes the message and fails slowly; its message reappears (visibility 1 s) and
  // instance B finishes the event first. A's failure then finds the row done and retries nothing.
  let releaseA!: () => void;
  const aFailing = new Promise<void>((r) => (releaseA = r));
  const a = await setup(
    'SettleRace',
    async () => {
      await aFailing;
      throw new Error('A failed late');
    },
    1, // A holds one event at a time, so the reappearing message goes to B
  );
  const table = a.table;
  const b = new DurableIntake({
    store: new TableEventStore(table),
    queue: new EventQueue(a.queues.queue('settlerace'), a.queues.queue('settlerace-poison')),
    logger: createLogger({ level: 'silent' }),
    visibilityTimeoutSeconds: 1,
    sweepIntervalMs: 60_000,
    maxPollIntervalMs: 100,
  });
  await a.intake.accept(alert('raced'));
  a.intake.start();
  try {
    await waitFor(() => a.handled.has('raced'), { what: 'A took the event', timeoutMs: 10_000 });
    b.start(new EventRouter(handle('alert.received', 'nothing', async () => undefined)));
    const statusOf = async () => {
      for await (const e of table.listEntities<Record<string, unknown>>()) if (e.rowKey === 'raced') return e.status;
      return undefined;
    };
    const status = await waitFor(statusOf, { what: 'B to settle the event', timeoutMs: 10_000, until: (s) => s === 'done' });
    assert.equal(status, 'done', 'B settled the event');
    const sendsBefore = a.queue.sends;
    releaseA();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(a.queue.sends, sendsBefore, 'A sent no retry message');
    assert.equal(await statusOf(), 'done', 'and did not overwrite the outcome');
  } finally {
    releaseA();
    await b.stop();
    await a.intake.stop();
  }
});
