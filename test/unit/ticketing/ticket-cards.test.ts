import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureCardBytes, renderIncidentCard, type IncidentCardView } from '../../../src/cards';
import { renderTicketCard, renderTicketListCard } from '../../../src/cards/ticket-card';
import type { TicketCardTicket } from '../../../src/cards/ticket-views';
import { newLink, type TicketLink } from '../../../src/ticketing/ticket-link';
import { ticketSectionFor } from '../../../src/ticketing/ticket-section-view';
import type { Ticket } from '../../../src/ticketing/ticket';
import { actionsOf, allObjects, cardProblems, textOf } from '../cards/card-checker';
import { closedIncident, manyEntities, newIncident } from '../cards/incident-fixtures';

const ticket: Ticket = {
  provider: 'servicenow',
  id: 'a'.repeat(32),
  number: 'INC0012345',
  url: 'https://contoso.service-now.com/nav_to.do?uri=incident.do%3Fsys_id%3Daaaa',
  title: 'Sentinel incident 48213: Suspicious PowerShell download cradle',
  status: 'in_progress',
  statusLabel: 'In Progress',
  assignee: 'Beth Anglin',
  version: 3,
  updatedAt: '2026-11-21T09:30:00Z',
};

function linked(overrides: Partial<TicketLink> = {}): TicketLink {
  const incident = newIncident();
  return { ...newLink({ incidentName: incident.name, incidentNumber: incident.number, provider: 'servicenow', origin: 'policy' }), state: 'linked', ticket, work: { owed: false, attempts: 0 }, ...overrides };
}

const view = (ticketView: IncidentCardView['ticket'], overrides: Partial<IncidentCardView> = {}): IncidentCardView => ({
  incident: newIncident(),
  sentinelConnected: true,
  showActions: true,
  ticket: ticketView,
  ...overrides,
});

const section = (card: unknown) => allObjects(card).find((o) => o.id === 'section-ticket');

test('no ticket yet: the section offers Create ticket to those who may, and parses cleanly', () => {
  const incident = newIncident();
  const card = renderIncidentCard(view(ticketSectionFor(undefined, incident, { provider: 'ServiceNow', mayCreate: true })));
  assert.deepEqual(cardProblems(card), []);
  const s = section(card);
  assert.match(textOf(s), /No ticket · ServiceNow/);
  const create = actionsOf(s).find((a) => a.verb === 'ticket.create');
  assert.deepEqual(create?.data, { incidentId: incident.name });
  assert.ok(Array.isArray(card.actions) && card.actions.length <= 5, 'the card-level action set keeps its five');
  const readOnly = renderIncidentCard(view(ticketSectionFor(undefined, incident, { provider: 'ServiceNow', mayCreate: false })));
  assert.equal(actionsOf(section(readOnly)).length, 0);
  assert.equal(ticketSectionFor(undefined, closedIncident(), { provider: 'ServiceNow', mayCreate: true }), undefined, 'closed incidents get no button');
});

test('a linked ticket shows number, status, assignee and an Open link; no Create button', () => {
  const card = renderIncidentCard(view(ticketSectionFor(linked(), newIncident(), { provider: 'ServiceNow', mayCreate: true })));
  assert.deepEqual(cardProblems(card), []);
  const s = section(card);
  const text = textOf(s);
  for (const expected of ['Ticket · ServiceNow', 'INC0012345', 'In Progress', 'Beth Anglin']) assert.ok(text.includes(expected), expected);
  const actions = actionsOf(s);
  assert.deepEqual(actions.map((a) => a.type), ['Action.OpenUrl']);
  assert.equal(actions[0]?.url, ticket.url);
  const http = renderIncidentCard(view(ticketSectionFor(linked({ ticket: { ...ticket, url: 'http://intranet/x' } }), newIncident(), { provider: 'ServiceNow', mayCreate: true })));
  assert.equal(actionsOf(section(http)).length, 0, 'only https links are offered');
});

test('pending, parked and failed tickets say so; a refused one offers Retry', () => {
  const incident = newIncident();
  const pending = ticketSectionFor({ ...linked(), state: 'requested', ticket: undefined, work: { owed: true, attempts: 0 } }, incident, { provider: 'ServiceNow', mayCreate: true });
  assert.equal(pending?.state, 'pending');
  assert.match(pending?.detail?.text ?? '', /Opening a ticket in ServiceNow/);
  const parked = ticketSectionFor(
    { ...linked(), state: 'requested', ticket: undefined, work: { owed: true, attempts: 3, since: '2026-11-21T09:31:00Z', retryAt: '2026-11-21T09:40:00Z', lastError: 'servicenow answered 503' } },
    incident,
    { provider: 'ServiceNow', mayCreate: true },
  );
  assert.equal(parked?.detail?.text, 'ServiceNow is not answering (since 09:31 UTC); Argus keeps trying, next try 09:40 UTC.');
  assert.equal(parked?.detail?.style, 'warning');
  const failed = renderIncidentCard(view(ticketSectionFor({ ...linked(), state: 'failed', ticket: undefined, failure: 'servicenow refused POST: 403 ACL' }, incident, { provider: 'ServiceNow', mayCreate: true })));
  assert.deepEqual(cardProblems(failed), []);
  assert.match(textOf(section(failed)), /ServiceNow refused to open a ticket: servicenow refused POST: 403 ACL/);
  assert.equal(actionsOf(section(failed)).find((a) => a.verb === 'ticket.create')?.title, 'Retry ticket');
});

test('a mismatch between ticket and incident is shown, unless Argus is still applying the change', () => {
  const resolved = linked({ ticket: { ...ticket, status: 'resolved', statusLabel: 'Resolved' } });
  const v = ticketSectionFor(resolved, newIncident(), { provider: 'ServiceNow', mayCreate: true });
  assert.match(v?.detail?.text ?? '', /INC0012345 is Resolved in ServiceNow, but the incident is still New/);
  const closed = { ...newIncident(), status: 'Closed' as const };
  assert.match(ticketSectionFor(linked(), closed, { provider: 'ServiceNow', mayCreate: true })?.detail?.text ?? '', /The incident is closed, but INC0012345 is still In Progress/);
  assert.equal(ticketSectionFor(linked({ work: { owed: true, attempts: 0 } }), closed, { provider: 'ServiceNow', mayCreate: true })?.detail, undefined);
});

test('the incident card with a ticket section still fits 28 KB with 500 entities', () => {
  const card = renderIncidentCard(view(ticketSectionFor(linked(), newIncident(), { provider: 'ServiceNow', mayCreate: true }), { incident: { ...newIncident(), entities: manyEntities(500) } }));
  assert.ok(measureCardBytes(card) <= 28 * 1024);
  assert.deepEqual(cardProblems(card), []);
});

const cardTicket: TicketCardTicket = { number: 'INC0012345', title: ticket.title, provider: 'ServiceNow', statusLabel: 'In Progress', open: true, assignee: 'Beth Anglin', url: ticket.url, updatedAt: ticket.updatedAt };

test('the ticket card: status, assignee, incident and actions to open both', () => {
  const incident = newIncident();
  const card = renderTicketCard({ ticket: cardTicket, incident: { name: incident.name, number: incident.number, title: incident.title, severity: 'High', status: 'New' } });
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  for (const expected of ['Ticket INC0012345 · ServiceNow', 'In Progress', 'Beth Anglin', '#48213 · High', `Incident #48213: ${incident.title}`]) assert.ok(text.includes(expected), expected);
  assert.deepEqual(
    actionsOf(card).map((a) => [a.type, a.verb ?? a.url]),
    [['Action.OpenUrl', ticket.url], ['Action.Execute', 'incident.view']],
  );
  const alone = renderTicketCard({ ticket: { ...cardTicket, assignee: undefined, url: undefined }, notice: { text: 'ServiceNow did not answer', style: 'warning' } });
  assert.deepEqual(cardProblems(alone), []);
  assert.match(textOf(alone), /Unassigned/);
  assert.match(textOf(alone), /ServiceNow did not answer/);
  assert.equal(actionsOf(alone).length, 0);
});

test('the ticket card of a ticket without an incident: its priority, and that no incident is linked', () => {
  const card = renderTicketCard({ ticket: { ...cardTicket, priority: '2 - High' } });
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  assert.match(text, /^Priority$/m);
  assert.match(text, /^2 - High$/m);
  assert.match(text, /Not linked to an incident Argus knows/);
  assert.doesNotMatch(text, /Incident #/);
  assert.deepEqual(actionsOf(card).map((a) => a.type), ['Action.OpenUrl']);
  const linked = renderTicketCard({ ticket: cardTicket, incident: { name: 'inc-1', number: 7, title: 'x', severity: 'Low', status: 'New' } });
  assert.doesNotMatch(textOf(linked), /Not linked|Priority/);
});

test('the ticket list: rows with incident and link, "+N more", and an empty list', () => {
  const rows = Array.from({ length: 30 }, (_, i) => ({ ticket: { ...cardTicket, number: `INC00${10000 + i}` }, incident: { name: `inc-${i}`, number: 100 + i } }));
  const card = renderTicketListCard({ title: 'Open tickets', rows, total: 40 });
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  assert.match(text, /Showing 25 of 40/);
  assert.match(text, /^\+15 more$/m);
  assert.match(text, /Beth Anglin · incident #100/);
  const views = actionsOf(card).filter((a) => a.verb === 'incident.view');
  assert.equal(views.length, 25);
  assert.deepEqual(views[0]?.data, { incidentId: 'inc-0' });
  const empty = renderTicketListCard({ title: 'Your open tickets', rows: [] });
  assert.deepEqual(cardProblems(empty), []);
  assert.match(textOf(empty), /No tickets match/);
  const huge = renderTicketListCard({ title: 'x', rows: rows.map((r) => ({ ...r, ticket: { ...r.ticket, title: 'y'.repeat(3000) } })) }, { maxBytes: 8000 });
  assert.ok(measureCardBytes(huge) <= 8000);
  assert.deepEqual(cardProblems(huge), []);
});
