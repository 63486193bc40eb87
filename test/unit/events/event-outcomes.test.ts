import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isArgusError } from '../../../src/errors/catalog';
import type { ArgusEvent } from '../../../src/events/event-map';
import { failEvent, settleEvent, type FailureDeps } from '../../../src/events/event-outcomes';
import type { StoredEvent } from '../../../src/events/event-store';
import { createLogger } from '../../../src/logging/logger';
import { memoryEventQueue, memoryEventStore } from '../../helpers/memory-events';

const log = createLogger({ level: 'silent' });

async function world(options: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number } = {}) {
  const events = memoryEventStore();
  const queue = memoryEventQueue();
  const outcomes: Array<{ id: string; outcome: string; error?: unknown }> = [];
  const deps: FailureDeps = {
    store: events.store,
    queue: queue.queue,
    maxAttempts: options.maxAttempts ?? 5,
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 60_000,
    onProcessed: (event: ArgusEvent, outcome, error) => outcomes.push({ id: event.id, outcome, error }),
  };
  const created = await events.store.create({ name: 'alert.received', source: 'alerts', idempotencyKey: 'k-1', payload: { alert: {} } });
  assert.ok(created.created);
  return { events, queue, outcomes, deps, stored: created.stored };
}

/** The row moved to `attempts` failed attempts already (as earlier runs left it). */
async function afterAttempts(w: Awaited<ReturnType<typeof world>>, attempts: number): Promise<StoredEvent> {
  const etag = await w.events.store.transition(w.stored, { status: 'pending', attempts });
  assert.ok(etag);
  return { ...w.stored, attempts, etag };
}

const ref = (s: StoredEvent) => ({ partitionKey: s.partitionKey, rowKey: s.rowKey });

test('a failed attempt is retried after its backoff: the row counts it, a delayed message of its own is sent', async () => {
  const w = await world({ baseDelayMs: 100 });
  const err = new Error('boom');
  const before = Date.now();
  await failEvent(w.deps, w.stored, err, log);
  const row = w.events.byKey('k-1')!;
  assert.equal(row.status, 'pending');
  assert.equal(row.attempts, 1);
  assert.equal(row.lastError, 'Error: boom');
  assert.equal(w.queue.sends.length, 1);
  const { items, delayMs } = w.queue.sends[0]!;
  assert.deepEqual(items, [ref(w.stored)], 'the retry message points at the row');
  assert.ok(delayMs >= 50 && delayMs <= 100, `the first retry waits half to all of baseDelayMs: ${delayMs}`);
  const due = Date.parse(row.nextAttemptAt) - before;
  assert.ok(due >= 50 && due <= 100 + (Date.now() - before), `nextAttemptAt is the backoff ahead: ${due}`);
  assert.deepEqual(w.outcomes, [{ id: w.stored.event.id, outcome: 'retry', error: err }]);
  assert.deepEqual(w.queue.poison, []);
});

test('the backoff doubles per attempt up to maxDelayMs', async () => {
  for (const [attempts, low, high] of [
    [1, 100, 200], // the second attempt failed: ceiling 200
    [3, 400, 800], // the fourth: 800
    [6, 500, 1000], // the seventh: 6400, capped at 1000
  ] as const) {
    const w = await world({ baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10 });
    await failEvent(w.deps, await afterAttempts(w, attempts), new Error('again'), log);
    const delayMs = w.queue.sends[0]!.delayMs;
    assert.ok(delayMs >= low && delayMs <= high, `after ${attempts + 1} failures the delay is in [${low}, ${high}]: ${delayMs}`);
    assert.equal(w.events.byKey('k-1')!.attempts, attempts + 1);
  }
});

test('the attempt that reaches maxAttempts dead-letters the event: status dead, the poison queue, no retry', async () => {
  const w = await world({ maxAttempts: 3 });
  const stored = await afterAttempts(w, 2);
  const err = new Error('still broken');
  await failEvent(w.deps, stored, err, log);
  const row = w.events.byKey('k-1')!;
  assert.equal(row.status, 'dead');
  assert.equal(row.attempts, 3);
  assert.equal(row.lastError, 'Error: still broken');
  assert.deepEqual(w.queue.poison, [ref(stored)]);
  assert.equal(w.queue.sends.length, 0, 'nothing is retried');
  assert.deepEqual(w.outcomes, [{ id: stored.event.id, outcome: 'dead', error: err }]);
});

test('an event finished (or dead-lettered) meanwhile by another instance is left alone', async () => {
  for (const status of ['done', 'dead'] as const) {
    const w = await world();
    w.events.touch(w.stored, { status, attempts: 1 });
    await failEvent(w.deps, w.stored, new Error('late'), log);
    const row = w.events.byKey('k-1')!;
    assert.equal(row.status, status);
    assert.equal(row.attempts, 1);
    assert.equal(row.lastError, undefined);
    assert.equal(w.queue.sends.length, 0);
    assert.deepEqual(w.queue.poison, []);
    assert.deepEqual(w.outcomes, []);
  }
});

test('a row changed since it was read (412) is read again: attempts count from what is stored', async () => {
  const w = await world();
  w.events.touch(w.stored, { attempts: 2 }); // another instance's failed attempt: the etag in hand is stale
  await failEvent(w.deps, w.stored, new Error('boom'), log);
  assert.equal(w.events.byKey('k-1')!.attempts, 3);
  assert.equal(w.queue.sends.length, 1);
});

test("the receipt's audit seq is kept on the row, retried or dead", async () => {
  const w = await world({ maxAttempts: 2 });
  await failEvent(w.deps, w.stored, new Error('x'), log, 41);
  assert.equal(w.events.byKey('k-1')!.auditSeq, 41);
  await failEvent(w.deps, w.events.byKey('k-1')!, new Error('x'), log, 41);
  const row = w.events.byKey('k-1')!;
  assert.equal(row.status, 'dead');
  assert.equal(row.auditSeq, 41);
});

test('lastError describes every error of an AggregateError, and is capped at 2000 characters', async () => {
  const w = await world();
  await failEvent(w.deps, w.stored, new AggregateError([new Error('a'), new TypeError('b')]), log);
  assert.equal(w.events.byKey('k-1')!.lastError, 'Error: a; TypeError: b');
  const v = await world();
  await failEvent(v.deps, v.stored, new Error('x'.repeat(5000)), log);
  assert.equal(v.events.byKey('k-1')!.lastError!.length, 2000);
});

test('settleEvent writes with the etag, and on a conflict decides again on the row as stored now', async () => {
  const w = await world();
  w.events.touch(w.stored, { attempts: 4 });
  const seen: number[] = [];
  const written = await settleEvent(w.events.store, w.stored, (row) => {
    seen.push(row.attempts);
    return { status: 'done', attempts: row.attempts + 1 };
  });
  assert.deepEqual(seen, [0, 4], 'decided on the stale row, then on the stored one');
  assert.deepEqual(written, { status: 'done', attempts: 5 });
  assert.equal(w.events.byKey('k-1')!.status, 'done');
  assert.equal(w.events.byKey('k-1')!.attempts, 5);
});

test('settleEvent without an etag reads the row first; it writes nothing when decide answers undefined', async () => {
  const w = await world();
  const transitions = w.events.calls.transition;
  assert.deepEqual(await settleEvent(w.events.store, { ...w.stored, etag: '' }, () => ({ status: 'done' })), { status: 'done' });
  assert.equal(w.events.calls.transition - transitions, 1, 'one write, with the etag just read');
  assert.equal(w.events.byKey('k-1')!.status, 'done');
  const v = await world();
  assert.equal(await settleEvent(v.events.store, v.stored, () => undefined), undefined);
  assert.equal(v.events.byKey('k-1')!.etag, v.stored.etag, 'nothing was written');
});

test('settleEvent: a row that is gone settles nothing; one that keeps changing is ARGUS_CONFLICT', async () => {
  const w = await world();
  w.events.remove(w.stored);
  assert.equal(await settleEvent(w.events.store, w.stored, () => ({ status: 'done' })), undefined);

  const v = await world();
  const transition = v.events.store.transition.bind(v.events.store);
  // Another writer gets in before every write.
  v.events.store.transition = async (stored, changes) => {
    v.events.touch(stored);
    return transition(stored, changes);
  };
  let rounds = 0;
  await assert.rejects(
    settleEvent(v.events.store, v.stored, () => ((rounds += 1), { status: 'done' })),
    (err: unknown) => isArgusError(err, 'ARGUS_CONFLICT'),
  );
  assert.equal(rounds, 5, 'it gives up after five rounds');
  assert.equal(v.events.byKey('k-1')!.status, 'pending');
});
