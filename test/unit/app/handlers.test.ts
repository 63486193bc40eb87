import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Features } from '../../../src/app/compose';
import { handlerTable } from '../../../src/app/handlers';
import type { ArgusEventMap, EventName } from '../../../src/events/event-map';
import { EventRouter } from '../../../src/events/router';

/** Features whose handlers only record that they ran. */
function recordingFeatures(ran: string[], withTicketing: boolean): Features {
  const h = (name: string) => async () => void ran.push(name);
  const unused = undefined as never;
  return {
    incidents: { handlers: { ingestVersion: h('incidents.ingestVersion'), writeBack: h('incidents.writeBack') }, state: unused, closeIncident: unused },
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
    playbooks: { runs: unused, handlers: { trigger: h('playbooks.trigger'), notify: h('playbooks.notify'), applyReport: h('playbooks.applyReport'), checkDeadline: h('playbooks.checkDeadline') } },
    detections: { handlers: { recordAlert: h('detections.recordAlert'), recordSentinelAlerts: h('detections.recordSentinelAlerts') } },
    triage: { handlers: { decide: h('triage.decide') } },
    response: { plans: unused, closeGate: unused, handlers: { followIncident: h('response.followIncident'), followRun: h('response.followRun') } },
    escalation: {
      port: { escalate: async (r) => r, request: async () => {} },
      handlers: { escalate: h('escalation.escalate'), followCardClose: h('escalation.followCardClose'), followSentinelClose: h('escalation.followSentinelClose') },
    },
    queries: { handlers: { run: h('queries.run') } },
    clocks: { service: unused, handlers: { followIncident: h('clocks.followIncident') } },
  };
}

const allEvents: Record<EventName, true> = {
  'sentinel.incident.created': true,
  'sentinel.incident.updated': true,
  'incident.writeback.requested': true,
  'alert.received': true,
  'alert.escalation.requested': true,
  'ticket.work.requested': true,
  'itsm.ticket.updated': true,
  'playbook.run.requested': true,
  'playbook.run.changed': true,
  'playbook.run.reported': true,
  'playbook.run.deadline': true,
  'query.run.requested': true,
} satisfies Record<keyof ArgusEventMap, true>;

async function run(name: EventName, withTicketing = true): Promise<string[]> {
  const ran: string[] = [];
  const router = new EventRouter(handlerTable(recordingFeatures(ran, withTicketing)));
  const event = { id: 'e', name, idempotencyKey: 'k', source: 't', receivedAt: '', correlationId: 'c', payload: {} } as never;
  await router.dispatch(event, { log: undefined as never, correlationId: 'c', attempt: 0 });
  return ran;
}

test('the incident is stored before ticketing reads it, for Sentinel versions and card changes', async () => {
  assert.deepEqual(await run('sentinel.incident.created'), ['incidents.ingestVersion', 'ticketing.followIncident', 'escalation.followSentinelClose', 'response.followIncident', 'clocks.followIncident', 'detections.recordSentinelAlerts']);
  assert.deepEqual(await run('sentinel.incident.updated'), ['incidents.ingestVersion', 'ticketing.followIncident', 'escalation.followSentinelClose', 'response.followIncident', 'clocks.followIncident', 'detections.recordSentinelAlerts']);
  assert.deepEqual(await run('incident.writeback.requested'), ['incidents.writeBack', 'ticketing.followCardChange', 'escalation.followCardClose']);
});

test('every event of the vocabulary has a handler; without an ITSM, ticket events have none and incidents still do', async () => {
  for (const name of Object.keys(allEvents) as EventName[]) assert.ok((await run(name)).length > 0, `${name} has a handler`);
  assert.deepEqual(await run('sentinel.incident.updated', false), ['incidents.ingestVersion', 'escalation.followSentinelClose', 'response.followIncident', 'clocks.followIncident', 'detections.recordSentinelAlerts']);
  // A plan step follows its run after the playbooks feature told the cards.
  assert.deepEqual(await run('playbook.run.changed'), ['playbooks.notify', 'response.followRun']);
  assert.deepEqual(await run('ticket.work.requested', false), []);
  assert.deepEqual(await run('playbook.run.reported'), ['playbooks.applyReport']);
  assert.deepEqual(await run('alert.received'), ['detections.recordAlert', 'triage.decide']);
  assert.deepEqual(await run('alert.escalation.requested'), ['escalation.escalate']);
  assert.deepEqual(await run('query.run.requested'), ['queries.run']);
});
