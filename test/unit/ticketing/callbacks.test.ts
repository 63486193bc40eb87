import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TicketUpdatedPayload } from '../../../src/events/event-map';
import { jiraWebhookSpec } from '../../../src/ticketing/jira/jira-webhook';
import { parseJournalEntry, serviceNowWebhookSpec } from '../../../src/ticketing/servicenow/servicenow-callback';
import { StateMap } from '../../../src/ticketing/servicenow/servicenow-record';

const snBody = {
  sys_id: '9d385017c611228701d22104cc95c371',
  number: 'INC0010042',
  state: '6',
  assigned_to: 'Beth Anglin',
  work_notes: '2026-11-21 09:31:02 - Beth Anglin (Work notes)\nPatched and rebooted.\nAll good.',
  correlation_id: '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21',
  sys_updated_on: '2026-11-21 09:31:02',
  sys_mod_count: '7',
};

test('a ServiceNow callback becomes itsm.ticket.updated keyed by sys_id + sys_mod_count', () => {
  const spec = serviceNowWebhookSpec(new StateMap());
  const parsed = spec.parse(snBody);
  assert.ok(parsed.ok);
  const event = spec.toEvent(parsed.value, {} as never);
  assert.equal(event.name, 'itsm.ticket.updated');
  assert.equal(event.idempotencyKey, 'servicenow|9d385017c611228701d22104cc95c371|7');
  assert.deepEqual(event.payload, {
    provider: 'servicenow',
    ticketId: snBody.sys_id,
    number: 'INC0010042',
    status: 'resolved',
    statusLabel: 'Resolved',
    assignee: 'Beth Anglin',
    note: { text: 'Patched and rebooted.\nAll good.', author: 'Beth Anglin' },
    correlationId: snBody.correlation_id,
    version: 7,
    updatedAt: '2026-11-21T09:31:02Z',
    kind: 'servicenow.update',
  });
});

test('ServiceNow callbacks: an empty assignee is "unassigned"; unknown states keep their value; bad bodies name the field', () => {
  const spec = serviceNowWebhookSpec(new StateMap({ '10': 'resolved' }));
  const p = spec.parse({ ...snBody, assigned_to: '', work_notes: '', state: '10' });
  assert.ok(p.ok);
  const payload = spec.toEvent(p.value, {} as never).payload as TicketUpdatedPayload;
  assert.equal(payload.assignee, null);
  assert.equal(payload.note, undefined);
  assert.equal(payload.status, 'resolved');
  const odd = spec.parse({ ...snBody, state: '42' });
  assert.ok(odd.ok);
  assert.equal((spec.toEvent(odd.value, {} as never).payload as TicketUpdatedPayload).statusLabel, 'State 42');
  const bad = spec.parse({ ...snBody, sys_id: 'x', sys_mod_count: 7 });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.details.map((d) => d.path).sort(), ['sys_id', 'sys_mod_count']);
});

test('journal entries: the header gives the author; a bare text is kept as is', () => {
  assert.deepEqual(parseJournalEntry('plain words'), { text: 'plain words' });
  assert.equal(parseJournalEntry('   '), undefined);
  assert.deepEqual(parseJournalEntry('2026-11-21 09:31:02 - Ana (Additional comments)\nhi'), { text: 'hi', author: 'Ana' });
});

const jiraHook = {
  timestamp: 1_795_000_000_123,
  webhookEvent: 'jira:issue_updated',
  issue_event_type_name: 'issue_generic',
  issue: {
    id: '10040',
    key: 'SEC-1',
    fields: {
      status: { name: 'Resolved', statusCategory: { key: 'done' } },
      assignee: { displayName: 'Sam Servicedesk', accountId: 'abc' },
      labels: ['argus', 'argus-2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21'],
    },
  },
  comment: { id: '1', body: 'repeated with issue_commented', author: { displayName: 'Sam' } },
};

test('a Jira webhook becomes itsm.ticket.updated keyed by issue id + timestamp + event', () => {
  const spec = jiraWebhookSpec('labels');
  const parsed = spec.parse(jiraHook);
  assert.ok(parsed.ok);
  const event = spec.toEvent(parsed.value, {} as never);
  assert.equal(event.idempotencyKey, 'jira|10040|1795000000123|jira:issue_updated');
  const p = event.payload as TicketUpdatedPayload;
  assert.equal(p.status, 'resolved');
  assert.equal(p.statusLabel, 'Resolved');
  assert.equal(p.assignee, 'Sam Servicedesk');
  assert.equal(p.correlationId, '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21');
  assert.equal(p.note, undefined, 'comments come from comment_created only');
});

test('Jira comment_created: wiki or ADF bodies give text; a custom correlation field is read', () => {
  const spec = jiraWebhookSpec('customfield_10090');
  const adf = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Line one' }] }, { type: 'paragraph', content: [{ type: 'text', text: 'Line two' }] }] };
  const parsed = spec.parse({ ...jiraHook, webhookEvent: 'comment_created', issue: { id: 10040, key: 'SEC-1', fields: { customfield_10090: 'inc-9' } }, comment: { id: '2', body: adf, author: { displayName: 'Sam' } } });
  assert.ok(parsed.ok);
  const p = spec.toEvent(parsed.value, {} as never).payload as TicketUpdatedPayload;
  assert.deepEqual(p.note, { text: 'Line one\nLine two', author: 'Sam' });
  assert.equal(p.correlationId, 'inc-9');
  assert.equal(p.status, undefined);
  assert.equal(p.assignee, undefined, 'not reported, so not "unassigned"');
  const bad = spec.parse({ webhookEvent: 'jira:issue_updated', issue: { key: 'SEC-1' } });
  assert.ok(!bad.ok);
  assert.ok(bad.details.some((d) => d.path === 'timestamp'));
});
