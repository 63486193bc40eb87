import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Features } from '../../../src/app/compose';
import { handlerTable } from '../../../src/app/handlers';
import type { ArgusEventMap, EventName } from '../../../src/events/event-map';
import { EventRouter } from '../../../src/events/router';

/** Features whose handlers only record that they ran. */
function recordingFeatures(ran: string[], withTicketing: boolean): Features {
  const h = (name: string) => async () => void ran.push(name);
  return {
    incidents: { handlers: { ingestVersion: h('incidents.ingestVersion'), writeBack: h('incidents.writeBack') } },
    ticketing: withTicketing
      ? {
          handlers: {
            followIncident: h('ticketing.followIncident'),
            followCardChange: h('ticketing.followCardChange'),
            doWork: h('ticketing.doWork'),
            applyItsmChange: h('ticketing.applyItsmChange'),
          },
        }
      : {},
    playbooks: { handlers: { trigger: h('playbooks.trigger'), notify: h('playbooks.notify'), applyReport: h('playbooks.applyReport'), checkDeadline: h('playbooks.checkDeadline') } },
    detections: { handlers: { recordAlert: h('detections.recordAlert') } },
    triage: { handlers: { decide: h('triage.decide') } },
  };
}

const allEvents: Record<EventName, true> = {
  'sentinel.incident.created': true,
  'sentinel.incident.updated': true,
  'incident.writeback.requested': true,
  'alert.received': true,
  'ticket.work.requested': true,
  'itsm.ticket.updated': true,
  'playbook.run.requested': true,
  'playbook.run.changed': true,
  'playbook.run.reported': true,
  'playbook.run.deadline': true,
} satisfies Record<keyof ArgusEventMap, true>;

async function run(name: EventName, withTicketing = true): Promise<string[]> {
  const ran: string[] = [];
  const router = new EventRouter(handlerTable(recordingFeatures(ran, withTicketing)));
  const event = { id: 'e', name, idempotencyKey: 'k', source: 't', receivedAt: '', correlationId: 'c', payload: {} } as never;
  await router.dispatch(event, { log: undefined as never, correlationId: 'c', attempt: 0 });
  return ran;
}

test('the incident is stored before ticketing reads it, for Sentinel versions and card changes', async () => {
  assert.deepEqual(await run('sentinel.incident.created'), ['incidents.ingestVersion', 'ticketing.followIncident']);
  assert.deepEqual(await run('sentinel.incident.updated'), ['incidents.ingestVersion', 'ticketing.followIncident']);
  assert.deepEqual(await run('incident.writeback.requested'), ['incidents.writeBack', 'ticketing.followCardChange']);
});

test('every event of the vocabulary has a handler; without an ITSM, ticket events have none and incidents still do', async () => {
  for (const name of Object.keys(allEvents) as EventName[]) assert.ok((await run(name)).length > 0, `${name} has a handler`);
  assert.deepEqual(await run('sentinel.incident.updated', false), ['incidents.ingestVersion']);
  assert.deepEqual(await run('ticket.work.requested', false), []);
  assert.deepEqual(await run('playbook.run.reported'), ['playbooks.applyReport']);
  assert.deepEqual(await run('alert.received'), ['detections.recordAlert', 'triage.decide']);
});
