import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventQueue } from '../../../src/events/event-queue';
import { waitFor } from '../../helpers/wait-for';
import { alert, world } from './intake-world';

const keys = (items: Array<{ items: Array<{ event?: { idempotencyKey: string }; rowKey: string }> }>) => items.flatMap((s) => s.items.map((i) => i.rowKey));

test('an event accepted by a started intake runs at once on this instance, without a queue receive; its held message is deleted, never run again', async () => {
  const w = world({ visibilityTimeoutSeconds: 0.2 });
  w.start();
  try {
    const accepted = Date.now();
    await w.intake.accept(alert('fast'));
    await waitFor(() => w.events.byKey('fast')?.status === 'done', { what: 'the event done', timeoutMs: 5_000, intervalMs: 5 });
    assert.deepEqual(w.queue.deliveries, [], 'no message was received from the queue');
    assert.ok(w.runs[0]!.at - accepted < 150, `run at once: ${w.runs[0]!.at - accepted} ms`);
    assert.deepEqual(w.queue.held.map((h) => [keys([h]), h.holdMs]), [[['fast'], 200]], 'its message was sent hidden for a visibility timeout');
    assert.equal(w.queue.sends.length, 0, 'nothing was sent for any instance to take');
    await waitFor(() => w.queue.size() === 0, { what: 'the held message deleted', timeoutMs: 2_000, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 400)); // longer than the message was held
    assert.deepEqual(w.runs.map((r) => [r.key, r.attempt]), [['fast', 0]]);
    assert.deepEqual(w.outcomes, [['fast', 'done']]);
    assert.deepEqual(w.queue.deliveries, []);
  } finally {
    await w.intake.stop();
  }
});

test('a held message that comes back after its event was done (the instance died before deleting it) is completed by whoever reads it, without a second run', async () => {
  const a = world({ visibilityTimeoutSeconds: 0.2 });
  // Instance A deletes nothing: as if it died right after writing the outcome.
  const dying = { ...a.queue, queue: { ...a.queue.queue, complete: async () => undefined } as unknown as EventQueue };
  const first = world({ visibilityTimeoutSeconds: 0.2 }, { events: a.events, queue: dying });
  const other = world({ visibilityTimeoutSeconds: 0.2 }, { events: a.events, queue: a.queue });
  let deliveriesAtRun = -1;
  first.handle(async () => void (deliveriesAtRun = a.queue.deliveries.length));
  first.start();
  other.start();
  try {
    await first.intake.accept(alert('once'));
    await waitFor(() => a.events.byKey('once')?.status === 'done', { what: 'the event done', timeoutMs: 5_000, intervalMs: 5 });
    assert.equal(deliveriesAtRun, 0, 'run by the instance that stored it, before any receive');
    await first.intake.stop(); // gone
    await waitFor(() => a.queue.size() === 0, { what: 'the message that came back completed', timeoutMs: 5_000, intervalMs: 10 });
    assert.ok(a.queue.deliveries.length >= 1, 'the message did come back');
    assert.deepEqual([...first.runs, ...other.runs].map((r) => r.key), ['once'], 'one run in all');
    assert.deepEqual([...first.outcomes, ...other.outcomes], [['once', 'done']]);
  } finally {
    await Promise.all([first.intake.stop(), other.intake.stop()]);
  }
});

test('with every slot taken, an accepted event is not kept in memory: its message goes to the queue at once, and it runs from there', async () => {
  const w = world({ concurrency: 1 });
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  w.handle((event) => (event.idempotencyKey === 'busy' ? blocked : Promise.resolve()));
  w.start();
  try {
    await w.intake.accept(alert('busy'));
    await waitFor(() => w.runs.length === 1, { what: 'the first event running', timeoutMs: 5_000, intervalMs: 5 });
    await w.intake.accept(alert('waits'));
    await waitFor(() => w.queue.sends.length === 1, { what: 'the second message sent', timeoutMs: 5_000, intervalMs: 5 });
    assert.deepEqual(keys(w.queue.held), ['busy'], 'only the event with a slot was held back for this instance');
    assert.deepEqual(keys(w.queue.sends), ['waits'], 'the other went to the queue, visible at once');
    assert.equal(w.queue.sends[0]!.delayMs, 0);
    release();
    await w.intake.idle(5_000);
    assert.deepEqual(w.runs.map((r) => r.key), ['busy', 'waits']);
    assert.deepEqual(w.queue.deliveries, [1], 'the second ran from its queue message');
    assert.equal(w.events.byKey('waits')?.status, 'done');
  } finally {
    await w.intake.stop();
  }
});
