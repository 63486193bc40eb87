import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  measureCardBytes,
  noticeStyles,
  renderHelpCard,
  renderIncidentListCard,
  renderNoticeCard,
  renderWhoAmICard,
} from '../../../src/cards';
import type { Incident } from '../../../src/incidents/incident';
import { actionsOf, allObjects, cardProblems, textOf } from './card-checker';
import { activeIncident, closedIncident, newIncident } from './incident-fixtures';

function incidents(count: number): Incident[] {
  const base = [newIncident(), activeIncident(), closedIncident()];
  return Array.from({ length: count }, (_, i) => {
    const template = base[i % base.length] ?? newIncident();
    return { ...template, name: `incident-${i}`, number: 48000 + i };
  });
}

test('the incident list shows number, severity, title, status and owner, each row opening the incident', () => {
  const list = incidents(3);
  const card = renderIncidentListCard({ title: 'Open incidents', incidents: list, total: 3 });
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  assert.match(text, /Open incidents/);
  assert.match(text, /#48000\n/);
  assert.match(text, /Suspicious PowerShell download cradle on FIN-WS-042/);
  assert.match(text, /Active · Alex Analyst/);
  assert.match(text, /New · Unassigned/);
  assert.match(text, /Closed · john doe/);
  const rowActions = actionsOf(card);
  assert.deepEqual(
    rowActions.map((a) => [a.type, a.verb, (a.data as { incidentId: string }).incidentId]),
    list.map((i) => ['Action.Execute', 'incident.view', i.name]),
  );
  assert.doesNotMatch(text, /more/);
});

test('the incident list shows at most 25 rows and "+N more" for the rest of the total', () => {
  const card = renderIncidentListCard({ title: 'All incidents', incidents: incidents(40), total: 130 });
  assert.deepEqual(cardProblems(card), []);
  assert.equal(actionsOf(card).length, 25);
  assert.match(textOf(card), /Showing 25 of 130/);
  assert.match(textOf(card), /^\+105 more$/m);
  assert.ok(measureCardBytes(card) <= 28 * 1024);
});

test('an empty list says so and still parses', () => {
  const card = renderIncidentListCard({ title: 'High incidents', incidents: [], total: 0 });
  assert.deepEqual(cardProblems(card), []);
  assert.match(textOf(card), /No incidents match/);
  assert.equal(actionsOf(card).length, 0);
});

test('huge titles shrink the list until it fits', () => {
  const list = incidents(25).map((i) => ({ ...i, title: 'x'.repeat(5000) }));
  const card = renderIncidentListCard({ title: 'y'.repeat(5000), incidents: list, total: 25 }, { maxBytes: 6000 });
  assert.ok(measureCardBytes(card) <= 6000);
  assert.ok(actionsOf(card).length < 25);
  assert.match(textOf(card), /^\+\d+ more$/m);
  assert.deepEqual(cardProblems(card), []);
});

test('the help card lists usage, summary and role of every command', () => {
  const commands = [
    { name: 'help', usage: 'help', summary: 'Shows this list', role: 'reader' as const },
    { name: 'incident', usage: 'incident <number>', summary: 'Shows the card of one incident', role: 'reader' as const },
    { name: 'subscribe', usage: 'subscribe [severity…]', summary: 'Sends new incidents of these severities here', role: 'responder' as const },
  ];
  const card = renderHelpCard({ commands });
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  for (const c of commands) {
    assert.ok(text.includes(c.usage), c.usage);
    assert.ok(text.includes(c.summary), c.summary);
  }
  assert.match(text, /^responder$/m);
  assert.equal(actionsOf(card).length, 0);
});

test('the whoami card with details shows identity, role, federation and the reasons', () => {
  const card = renderWhoAmICard({
    name: 'Ana Silva',
    tenantId: 'c8c99641-985d-4e4e-8e91-fb3466cd0e5b',
    role: 'responder',
    roles: ['responder', 'reader'],
    details: {
      aadObjectId: '6c2f1b0e-9d8a-4c7b-a6e5-3f4d2c1b0a99',
      federated: false,
      reasons: ['member of group 5f1c2a7e… (responder)', 'listed in access.roles.reader.users'],
    },
  });
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  for (const expected of ['Ana Silva', 'responder, reader', '6c2f1b0e-9d8a-4c7b-a6e5-3f4d2c1b0a99', 'c8c99641-985d-4e4e-8e91-fb3466cd0e5b', '• member of group 5f1c2a7e… (responder)']) {
    assert.ok(text.includes(expected), expected);
  }
  assert.doesNotMatch(text, /every action is denied/);
});

test('a user without a role is told every action is denied', () => {
  const card = renderWhoAmICard({
    name: 'Guest User',
    tenantId: '99999999-8888-7777-6666-555555555555',
    roles: [],
    details: {
      aadObjectId: '11111111-2222-3333-4444-555555555555',
      federated: true,
      reasons: Array.from({ length: 30 }, (_, i) => `tenant not in the federation list (${i})`),
    },
  });
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  assert.match(text, /You have no Argus role: every action is denied/);
  assert.match(text, /yes: another tenant/);
  assert.match(text, /^\+10 more$/m);
});

test('the whoami card without details shows name, tenant and roles only', () => {
  const card = renderWhoAmICard({ name: 'Rui Responder', tenantId: 'c8c99641-985d-4e4e-8e91-fb3466cd0e5b', role: 'responder', roles: ['responder'] });
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  for (const expected of ['Rui Responder', 'c8c99641-985d-4e4e-8e91-fb3466cd0e5b', 'responder', 'shown to Argus administrators only']) assert.ok(text.includes(expected), expected);
  assert.doesNotMatch(text, /Federated|Object id|Why/);
});

test('notice cards render in every style', () => {
  for (const style of noticeStyles) {
    const card = renderNoticeCard({ title: 'Access denied', text: 'You need the responder role to close incidents.', style });
    assert.deepEqual(cardProblems(card), [], style);
    assert.equal(allObjects(card).find((o) => o.type === 'Container')?.style, style);
    assert.match(textOf(card), /Access denied\nYou need the responder role/);
  }
  const titleOnly = renderNoticeCard({ title: 'Subscribed', text: '', style: 'good' });
  assert.deepEqual(cardProblems(titleOnly), []);
  assert.equal(textOf(titleOnly), 'Subscribed');
});
