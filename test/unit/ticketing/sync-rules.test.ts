import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Incident } from '../../../src/incidents/incident';
import { applyIncoming, conflictOf, describeTicketChanges, planOutbound, syncedFrom } from '../../../src/ticketing/sync-rules';
import { newLink, type TicketLink } from '../../../src/ticketing/ticket-link';
import type { Ticket } from '../../../src/ticketing/ticket';
import { newIncident } from '../cards/incident-fixtures';

const ticket: Ticket = { provider: 'servicenow', id: 's1', number: 'INC0010001', url: 'https://x/', title: 't', status: 'new', statusLabel: 'New', version: 0 };

function link(incident: Incident, overrides: Partial<TicketLink> = {}): TicketLink {
  return {
    ...newLink({ incidentName: incident.name, incidentNumber: incident.number, provider: 'servicenow', origin: 'policy' }),
    state: 'linked',
    ticket,
    synced: syncedFrom(incident),
    work: { owed: false, attempts: 0 },
    ...overrides,
  };
}

const opts = { resolveOnClose: true };

test('nothing changed: nothing to push', () => {
  const i = newIncident();
  assert.equal(planOutbound(i, link(i), opts), undefined);
  assert.equal(planOutbound(i, { ...link(i), state: 'requested' }, opts), undefined);
});

test('closing the incident resolves an open ticket with the classification as notes', () => {
  const i = newIncident();
  const closed: Incident = { ...i, status: 'Closed', classification: 'TruePositive', classificationReason: 'SuspiciousActivity', classificationComment: 'Host isolated.' };
  const plan = planOutbound(closed, link(i), opts)!;
  assert.equal(plan.update.status, 'resolved');
  assert.deepEqual(plan.update.resolution, { classification: 'TruePositive', notes: 'Sentinel incident 48213 was closed as True positive (Suspicious activity): Host isolated.' });
  assert.equal(plan.synced.status, 'Closed');
  const already = planOutbound(closed, link(i, { ticket: { ...ticket, status: 'resolved' } }), opts)!;
  assert.equal(already.update.status, undefined, 'a ticket already resolved is left alone');
  const noteOnly = planOutbound(closed, link(i), { resolveOnClose: false })!;
  assert.equal(noteOnly.update.status, undefined);
  assert.match(noteOnly.notes[0] ?? '', /stays open for the service desk/);
});

test('acknowledging moves a New ticket to In Progress; severity and owner changes are pushed', () => {
  const i = newIncident();
  const active: Incident = { ...i, status: 'Active', severity: 'Medium', owner: { assignedTo: 'Alex Analyst', email: 'alex@contoso.com' } };
  const plan = planOutbound(active, link(i), opts)!;
  assert.equal(plan.update.status, 'in_progress');
  assert.equal(plan.update.severity, 'Medium');
  assert.deepEqual(plan.assign, active.owner);
  const started = planOutbound(active, link(i, { ticket: { ...ticket, status: 'on_hold' } }), opts)!;
  assert.equal(started.update.status, undefined, 'only a New ticket is started');
});

test('a reopened incident does not reopen the ticket: a note says so', () => {
  const i = { ...newIncident(), status: 'Closed' as const };
  const reopened = { ...i, status: 'Active' as const };
  const plan = planOutbound(reopened, link(i, { ticket: { ...ticket, status: 'resolved' } }), opts)!;
  assert.equal(plan.update.status, undefined);
  assert.match(plan.notes[0] ?? '', /was reopened \(now Active\)/);
});

test('incoming ticket versions: newer applies and lists changes; older or equal is stale', () => {
  const i = newIncident();
  const l = link(i, { ticket: { ...ticket, version: 4 } });
  const newer = applyIncoming(l, { ...ticket, version: 5, status: 'resolved', statusLabel: 'Resolved', assignee: 'Beth' });
  assert.equal(newer.stale, false);
  assert.deepEqual(newer.changes, [
    { field: 'status', from: 'New', to: 'Resolved' },
    { field: 'assignee', from: undefined, to: 'Beth' },
  ]);
  assert.equal(describeTicketChanges(newer.ticket, newer.changes), '🎫 INC0010001 is now Resolved (was New) and was assigned to Beth in ServiceNow.');
  assert.equal(applyIncoming(l, { ...ticket, version: 4, status: 'closed' }).stale, true);
  assert.equal(applyIncoming(l, { ...ticket, version: 2, status: 'closed' }).ticket.status, 'new');
});

test('conflicts: ticket done while the incident is open, or the reverse; none while Argus still works on it', () => {
  const i = newIncident();
  assert.equal(conflictOf(i, link(i)), undefined);
  const done = conflictOf(i, link(i, { ticket: { ...ticket, status: 'canceled', statusLabel: 'Canceled' } }));
  assert.match(done?.text ?? '', /INC0010001 is Canceled in ServiceNow, but the incident is still New/);
  const closed = { ...i, status: 'Closed' as const };
  assert.ok(conflictOf(closed, link(i))?.key.startsWith('incident-closed@'));
  assert.equal(conflictOf(closed, link(i, { work: { owed: true, attempts: 1 } })), undefined);
});
