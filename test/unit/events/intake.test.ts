import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArgusEvent } from '../../../src/events/event-map';
import { waitFor } from '../../helpers/wait-for';
import { alert, world } from './intake-world';

test('accept → stored → processed: the event is stored before the answer, run once from the queue, then marked done', async () => {
  const w = world();
  let seen: { event: ArgusEvent; attempt: number; correlationId: string } | undefined;
  w.handle(async (event, ctx) => void (seen = { event, attempt: ctx.attempt, correlationId: ctx.correlationId }));
  const result = await w.intake.accept({ ...alert('a-1'), correlationId: 'corr-1' });
  assert.deepEqual(result, { eventId: result.eventId, duplicate: false, correlationId: 'corr-1' });
  const stored = w.events.byKey('a-1');
  assert.equal(stored?.status, 'pending', 'stored when accepted, before processing starts');
  assert.equal(stored?.event.id, result.eventId);
  w.start();
  try {
    await w.intake.idle(5_000);
    assert.equal(seen?.event.id, result.eventId);
    assert.deepEqual(seen?.event.payload, { alert: { title: 'a-1' } });
    assert.equal(seen?.attempt, 0);
    assert.equal(seen?.correlationId, 'corr-1');
    const done = w.events.byKey('a-1')!;
    assert.equal(done.status, 'done');
    assert.equal(done.attempts, 1);
    assert.equal(done.lastError, '');
    assert.deepEqual(w.outcomes, [['a-1', 'done']]);
    assert.equal(w.queue.size(), 0, 'the message is completed');
  } finally {
    await w.intake.stop();
  }
});

test('a second accept with the same idempotency key is a duplicate: same event id, processed once', async () => {
  const w = world();
  w.start();
  try {
    const first = await w.intake.accept(alert('dup'));
    const again = await w.intake.accept({ ...alert('dup'), payload: { alert: { title: 'changed' } } });
    assert.deepEqual(again, { eventId: first.eventId, duplicate: true, correlationId: first.correlationId });
    await w.intake.idle(5_000);
    const late = await w.intake.accept(alert('dup'));
    assert.equal(late.duplicate, true, 'also once the first was processed');
    await w.intake.idle(5_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(w.runs.map((r) => r.key), ['dup']);
    assert.deepEqual(w.events.byKey('dup')?.event.payload, { alert: { title: 'dup' } }, 'the first delivery is what was stored');
  } finally {
    await w.intake.stop();
  }
});

test('a failing event is retried with growing backoff, then dead-lettered after maxAttempts (and can be replayed)', async () => {
  const w = world({ maxAttempts: 3, baseDelayMs: 80 });
  w.handle(async () => {
    throw new Error('handler broke');
  });
  w.start();
  try {
    const { eventId } = await w.intake.accept(alert('poison'));
    await waitFor(() => w.outcomes.length === 3, { what: 'three attempts', timeoutMs: 5_000, intervalMs: 10 });
    await w.intake.idle(5_000);
    assert.deepEqual(w.outcomes, [
      ['poison', 'retry'],
      ['poison', 'retry'],
      ['poison', 'dead'],
    ]);
    assert.deepEqual(w.runs.map((r) => r.attempt), [0, 1, 2], 'each attempt is told its number');
    const retries = w.queue.sends.filter((s) => s.delayMs > 0).map((s) => s.delayMs);
    assert.equal(retries.length, 2);
    assert.ok(retries[0]! >= 40 && retries[0]! <= 80, `first retry after 40-80 ms: ${retries[0]}`);
    assert.ok(retries[1]! >= 80 && retries[1]! <= 160, `second retry after 80-160 ms: ${retries[1]}`);
    assert.ok(w.runs[1]!.at - w.runs[0]!.at >= 40 - 5, 'the retry waited for its backoff');
    assert.ok(w.runs[2]!.at - w.runs[1]!.at >= 80 - 5, 'and the next one for a longer one');
    const dead = w.events.byKey('poison')!;
    assert.equal(dead.status, 'dead');
    assert.equal(dead.attempts, 3);
    assert.equal(dead.lastError, 'Error: handler broke');
    assert.deepEqual(w.queue.poison, [{ partitionKey: dead.partitionKey, rowKey: dead.rowKey }]);
    assert.deepEqual((await w.intake.listDead()).map((e) => e.event.id), [eventId]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(w.runs.length, 3, 'a dead event is not run again by itself');

    w.handle(async () => undefined);
    assert.equal(await w.intake.replay(eventId), true);
    assert.equal(await w.intake.replay('no-such-event'), false);
    await waitFor(() => w.events.byKey('poison')?.status === 'done', { what: 'the replayed event done', timeoutMs: 5_000, intervalMs: 10 });
    assert.equal(w.runs.at(-1)?.attempt, 0, 'a replay starts with a fresh attempt budget');
    assert.deepEqual(await w.intake.listDead(), []);
  } finally {
    await w.intake.stop();
  }
});

test('an event that fails once and then succeeds is done, its failed attempt counted', async () => {
  const w = world({ baseDelayMs: 20 });
  let calls = 0;
  w.handle(async () => {
    calls += 1;
    if (calls === 1) throw new Error('transient');
  });
  w.start();
  try {
    await w.intake.accept(alert('flaky'));
    await waitFor(() => w.events.byKey('flaky')?.status === 'done', { what: 'the event done', timeoutMs: 5_000, intervalMs: 10 });
    const row = w.events.byKey('flaky')!;
    assert.equal(row.attempts, 2);
    assert.equal(row.lastError, '');
    assert.deepEqual(w.outcomes, [
      ['flaky', 'retry'],
      ['flaky', 'done'],
    ]);
    assert.deepEqual(w.queue.poison, []);
  } finally {
    await w.intake.stop();
  }
});

test('idle waits for running work (and says when it does not end); stop stops taking messages', async () => {
  const w = world();
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  w.handle(() => blocked);
  w.start();
  await w.intake.accept(alert('slow'));
  await waitFor(() => w.intake.processing === 1, { what: 'the event running', timeoutMs: 5_000, intervalMs: 5 });
  await assert.rejects(w.intake.idle(150), /intake not idle after 150 ms/);
  release();
  await w.intake.idle(5_000);
  assert.equal(w.intake.processing, 0);
  assert.equal(w.events.byKey('slow')?.status, 'done');

  await w.intake.stop();
  await w.intake.accept(alert('after-stop'));
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(w.runs.map((r) => r.key), ['slow'], 'nothing is taken after stop');
  assert.equal(w.events.byKey('after-stop')?.status, 'pending', 'what is accepted after stop stays stored');
  assert.equal(w.queue.size(), 1, 'and queued, for another instance');
  assert.equal(await w.intake.depth(), 1);
});

test('at most `concurrency` events run at once, and `busyConcurrency` while intake is busy', async () => {
  for (const [options, expected] of [
    [{ concurrency: 2 }, 2],
    [{ concurrency: 4, busyConcurrency: 1, intakeBusy: () => true }, 1],
  ] as const) {
    const w = world(options);
    let running = 0;
    let most = 0;
    w.handle(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 30));
      running -= 1;
    });
    await Promise.all(Array.from({ length: 6 }, (_, i) => w.intake.accept(alert(`c-${i}`))));
    w.start();
    try {
      await waitFor(() => w.runs.length === 6, { what: 'six events run', timeoutMs: 5_000, intervalMs: 10 });
      await w.intake.idle(5_000);
      assert.equal(most, expected, JSON.stringify(options));
    } finally {
      await w.intake.stop();
    }
  }
});

test('a stored event whose message was never sent is enqueued by the sweep and run once', async () => {
  const w = world({ visibilityTimeoutSeconds: 0.2, sweepIntervalMs: 50 });
  w.queue.outage.down = true;
  await w.intake.accept(alert('lost'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(w.queue.size(), 0, 'the queue refused the message');
  w.queue.outage.down = false;
  w.start();
  try {
    await waitFor(() => w.events.byKey('lost')?.status === 'done', { what: 'the swept event done', timeoutMs: 5_000, intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 400)); // more sweeps
    assert.deepEqual(w.runs.map((r) => r.key), ['lost']);
    assert.equal(w.queue.sends.length, 1, 'the done event is not sent again');
    assert.ok(w.events.byKey('lost')?.sweptAt, 'the row says a sweep pointed at it');
  } finally {
    await w.intake.stop();
  }
});

test('a message that reappears while its event runs here waits for that run, and does not run the event again', async () => {
  const w = world({ visibilityTimeoutSeconds: 0.05 });
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  w.handle(() => blocked);
  w.start();
  try {
    await w.intake.accept(alert('long'));
    await waitFor(() => w.runs.length === 1, { what: 'the first run', timeoutMs: 5_000, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 200)); // the message came back meanwhile
    release();
    await w.intake.idle(5_000);
    assert.ok(Math.max(...w.queue.deliveries) > 1, `the message was delivered again: ${w.queue.deliveries.join(' ')}`);
    assert.equal(w.runs.length, 1);
    assert.equal(w.events.byKey('long')?.status, 'done');
    assert.deepEqual(w.outcomes, [['long', 'done']]);
  } finally {
    await w.intake.stop();
  }
});

test('stop waits for the events that are running', async () => {
  const w = world();
  let finished = false;
  w.handle(async () => {
    await new Promise((r) => setTimeout(r, 200));
    finished = true;
  });
  w.start();
  await w.intake.accept(alert('running'));
  await waitFor(() => w.intake.processing === 1, { what: 'the event running', timeoutMs: 5_000, intervalMs: 5 });
  await w.intake.stop();
  assert.equal(finished, true, 'the running handler finished before stop resolved');
});
