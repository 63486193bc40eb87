import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArgusEvent, EventName } from '../../../src/events/event-map';
import { EventHandlersError, EventRouter, handle, type HandlerContext } from '../../../src/events/router';
import { createLogger } from '../../../src/logging/logger';

const ctx: HandlerContext = { log: createLogger({ level: 'silent' }), correlationId: 'c-1', attempt: 0 };

function event<N extends EventName>(name: N, payload: ArgusEvent<N>['payload']): ArgusEvent<N> {
  return { id: `e-${name}`, name, idempotencyKey: name, source: 'test', receivedAt: new Date(0).toISOString(), correlationId: 'c-1', payload };
}

const incident = { name: 'inc-1', number: 7 } as ArgusEvent<'sentinel.incident.created'>['payload']['incident'];

test('rows matching an event run in table order: exact names and prefixes interleave as listed', async () => {
  const ran: string[] = [];
  const router = new EventRouter([
    ...handle('sentinel.incident', 'first', async (e) => void ran.push(`first:${e.payload.incident.name}`)),
    ...handle('sentinel.incident.updated', 'only updates', async () => void ran.push('updates')),
    ...handle('sentinel.incident', 'last', async (e) => void ran.push(`last:${e.name}`)),
    ...handle('alert.received', 'alerts', async () => void ran.push('alert')),
  ]);
  await router.dispatch(event('sentinel.incident.created', { incident, eventType: 'created' }), ctx);
  assert.deepEqual(ran, ['first:inc-1', 'last:sentinel.incident.created']);
  ran.length = 0;
  await router.dispatch(event('sentinel.incident.updated', { incident, eventType: 'updated' }), ctx);
  assert.deepEqual(ran, ['first:inc-1', 'updates', 'last:sentinel.incident.updated']);
  assert.deepEqual(
    router.handlersFor('sentinel.incident.updated').map((r) => r.name),
    ['first', 'only updates', 'last'],
  );
});

test('a prefix matches whole name parts only, and an absent handler gives no row', async () => {
  const router = new EventRouter([...handle('playbook.run', 'runs', async () => undefined), ...handle('ticket.work.requested', 'unconfigured', undefined)]);
  assert.equal(router.handlersFor('playbook.run.requested').length, 1);
  assert.equal(router.handlersFor('playbook.run.deadline').length, 1);
  assert.equal(router.handlersFor('ticket.work.requested').length, 0);
  assert.equal(router.handlersFor('alert.received').length, 0);
});

test('every matching row runs even after one fails; the failures come back together with the event', async () => {
  const ran: string[] = [];
  const router = new EventRouter([
    ...handle('alert.received', 'fails', async () => {
      ran.push('fails');
      throw new Error('boom');
    }),
    ...handle('alert.received', 'still runs', async () => void ran.push('still runs')),
    ...handle('alert.received', 'fails too', async () => {
      throw new Error('bang');
    }),
  ]);
  const sent = event('alert.received', { alert: { id: 'a-1' } });
  await assert.rejects(router.dispatch(sent, ctx), (err: unknown) => {
    assert.ok(err instanceof EventHandlersError);
    assert.equal(err.event, sent);
    assert.deepEqual(
      err.errors.map((e: Error) => e.message),
      ['boom', 'bang'],
    );
    return true;
  });
  assert.deepEqual(ran, ['fails', 'still runs']);
});

test('an event with no rows is a no-op, not an error', async () => {
  await new EventRouter([]).dispatch(event('playbook.run.changed', { runId: 'r', incidentName: 'i', status: 'running' }), ctx);
});
