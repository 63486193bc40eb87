import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { EventQueue } from '../../src/events/event-queue';
import { TableEventStore } from '../../src/events/event-store';
import { DurableIntake } from '../../src/events/intake';
import { EventRouter, handle } from '../../src/events/router';
import { intakeWith } from '../helpers/intake-with';
import { createLogger } from '../../src/logging/logger';
import { devConnectionString } from '../../src/storage/dev-account';
import { createQueueFactory } from '../../src/storage/queues';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { waitFor } from '../helpers/wait-for';

/*
 * An instance that dies between storing an event and sending its queue message, while the queue is
 * never empty (another event waits for its retry, hidden until then): what the sender was told is
 * stored must not wait for a quiet moment.
 */
let azurite: TestAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => azurite.stop());

let count = 0;

/** A queue endpoint that takes connections and never answers: a send to it stays under way. */
async function stalledQueueEndpoint(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}/devstoreaccount1`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function world() {
  count += 1;
  const table = TableClient.fromConnectionString(azurite.connectionString, `CrashEvents${count}`, { allowInsecureConnection: true });
  await table.createTable();
  const qname = `crash-${count}`;
  const queues = createQueueFactory({ kind: 'connectionString', connectionString: azurite.connectionString });
  await queues.ensureQueue(qname);
  await queues.ensureQueue(`${qname}-poison`);
  // Another event's retry, due in a minute: the queue holds a message all along.
  await queues.queue(qname).sendMessage(Buffer.from(JSON.stringify([['alerts-0', 'retry-later']])).toString('base64'), { visibilityTimeout: 60 });
  const handled = new Map<string, number>();
  const instance = (connectionString = azurite.connectionString) => {
    const factory = createQueueFactory({ kind: 'connectionString', connectionString });
    const router = new EventRouter(handle('alert.received', 'count', async (event) => void handled.set(event.idempotencyKey, (handled.get(event.idempotencyKey) ?? 0) + 1)));
    return intakeWith(new DurableIntake({
      store: new TableEventStore(table),
      queue: new EventQueue(factory.queue(qname), factory.queue(`${qname}-poison`)),
      logger: createLogger({ level: 'silent' }),
      visibilityTimeoutSeconds: 1,
      sweepIntervalMs: 200,
      maxPollIntervalMs: 100,
    }), router);
  };
  const stored = async (key: string) => {
    for await (const e of table.listEntities<Record<string, unknown>>()) if (e.rowKey === key) return e;
    return undefined;
  };
  return { instance, handled, stored, table, queues, qname };
}

const alert = (key: string) => ({ name: 'alert.received' as const, source: 'alerts', idempotencyKey: key, payload: { alert: { title: key } } });

test('an instance dies between storing an event and sending its message: the event is processed after the restart', async () => {
  const w = await world();
  const stalled = await stalledQueueEndpoint();
  const dying = w.instance(devConnectionString({ tableEndpoint: azurite.tableEndpoint, queueEndpoint: stalled.endpoint }));
  const answer = await Promise.race([dying.accept(alert('cut-short')), new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000))]);
  await waitFor(async () => (await w.stored('cut-short')) !== undefined, { what: 'the event stored', timeoutMs: 8_000 });
  // The instance dies here, its queue message still on the way.
  await stalled.close();
  const restarted = w.instance();
  restarted.start();
  try {
    // Acknowledged, the sender is done; otherwise it delivers again (a duplicate by then).
    if (answer) assert.equal(answer.duplicate, false);
    else assert.equal((await restarted.accept(alert('cut-short'))).duplicate, true);
    await waitFor(() => w.handled.has('cut-short'), { what: 'the event processed', timeoutMs: 8_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(w.handled.get('cut-short'), 1, 'processed once');
  } finally {
    await restarted.stop();
  }
});

test('an event stored by an instance that died before answering is processed after the restart', async () => {
  const w = await world();
  // Stored by an instance that died before sending the message or answering.
  await new TableEventStore(w.table).create(alert('never-sent'));
  const restarted = w.instance();
  restarted.start();
  try {
    const again = await restarted.accept(alert('never-sent'));
    assert.equal(again.duplicate, true, 'the redelivery is recognised');
    await waitFor(() => w.handled.has('never-sent'), { what: 'the event processed', timeoutMs: 8_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(w.handled.get('never-sent'), 1, 'processed once');
  } finally {
    await restarted.stop();
  }
});
