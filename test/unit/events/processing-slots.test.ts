import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProcessingSlots } from '../../../src/events/processing-slots';

/** Whether `promise` has settled after the pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

test('up to `concurrency` slots are taken at once; the next waits for a release', async () => {
  const slots = new ProcessingSlots({ concurrency: 2, busyConcurrency: 1 });
  assert.equal(slots.limit, 2);
  const first = await slots.take();
  await slots.take();
  const third = slots.take();
  assert.equal(await settled(third), false, 'a third slot waits while two are taken');
  first();
  assert.equal(await settled(third), true, 'a release hands the slot to the waiter at once');
});

test('waiters get freed slots one per release, in order', async () => {
  const slots = new ProcessingSlots({ concurrency: 1, busyConcurrency: 1 });
  const release = await slots.take();
  const order: string[] = [];
  const a = slots.take().then((r) => (order.push('a'), r));
  const b = slots.take().then((r) => (order.push('b'), r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, []);
  release();
  const releaseA = await a;
  assert.equal(await settled(b), false, 'one release frees one slot');
  releaseA();
  (await b)();
  assert.deepEqual(order, ['a', 'b']);
});

test('while intake is busy the limit is busyConcurrency (never above concurrency), and rises again when it is over', async () => {
  let busy = true;
  const slots = new ProcessingSlots({ concurrency: 4, busyConcurrency: 1, busy: () => busy });
  assert.equal(slots.limit, 1);
  assert.equal(new ProcessingSlots({ concurrency: 2, busyConcurrency: 8, busy: () => true }).limit, 2, 'busyConcurrency never raises the limit');
  await slots.take();
  const second = slots.take();
  assert.equal(await settled(second), false, 'only one slot while busy');
  busy = false;
  assert.equal(slots.limit, 4);
  // Nobody releases: the waiter sees the higher limit on its own (re-checked every 50 ms).
  const started = Date.now();
  await second;
  assert.ok(Date.now() - started < 1_000, 'the waiter took its slot once the burst was over');
});

test('a caller that re-checked the limit many times is listed once, and a release still wakes it at once', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const slots = new ProcessingSlots({ concurrency: 1, busyConcurrency: 1 });
  const release = await slots.take();
  const waiting = slots.take();
  for (let i = 0; i < 20; i += 1) {
    t.mock.timers.tick(50);
    await new Promise((r) => setImmediate(r));
  }
  // Each 50 ms re-check used to leave its wake-up behind: a long burst grew the list without bound.
  assert.equal((slots as unknown as { waiters: unknown[] }).waiters.length, 1, 'one caller waits: one entry');
  release();
  assert.equal(await settled(waiting), true, 'the release handed the slot over, no timer needed');
});
