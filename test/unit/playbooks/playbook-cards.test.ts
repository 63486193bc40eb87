import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  measureCardBytes,
  renderApprovalCard,
  renderIncidentCard,
  renderPlaybookListCard,
  type ApprovalCardView,
  type IncidentCardView,
  type PlaybooksSectionView,
} from '../../../src/cards';
import { actionsOf, allObjects, cardProblems, textOf } from '../cards/card-checker';
import { newIncident } from '../cards/incident-fixtures';

const incident = newIncident();

function section(overrides: Partial<PlaybooksSectionView> = {}): PlaybooksSectionView {
  return {
    offers: [
      { playbookId: 'isolate-host', entityId: 'e-host-1', label: 'Isolate host FIN-WS-042', needsApproval: true },
      { playbookId: 'block-ip', entityId: 'e-ip-1', label: 'Block IP 203.0.113.45', needsApproval: false },
      { playbookId: 'collect-investigation-package', label: 'Collect investigation package (FIN-WS-042)', needsApproval: false },
    ],
    runs: [
      {
        title: 'Disable account · j.doe@contoso.com',
        status: 'Awaiting approval',
        tone: 'warning',
        detail: 'requested by Rui Responder · needs admin approval · correlation id 6f1c2d3e',
      },
      { title: 'Revoke sessions · j.doe@contoso.com', status: 'Timed out: triggered, no confirmation', tone: 'attention', detail: 'requested by Rui' },
    ],
    ...overrides,
  };
}

function view(playbooks?: PlaybooksSectionView): IncidentCardView {
  return { incident, sentinelConnected: true, showActions: true, playbooks };
}

const playbookActions = (card: unknown) => actionsOf(card).filter((a) => a.verb === 'playbook.run');
const actionSets = (card: unknown) => allObjects(card).filter((o) => o.type === 'ActionSet');

test('the playbooks section shows runs with their status and a button per offer, and parses cleanly', () => {
  const card = renderIncidentCard(view(section()));
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  assert.match(text, /Playbooks · 2 run\(s\)/);
  assert.match(text, /Disable account · j\.doe@contoso\.com/);
  assert.match(text, /Awaiting approval/);
  assert.match(text, /correlation id 6f1c2d3e/);
  assert.match(text, /Timed out: triggered, no confirmation/);
  const status = allObjects(card).find((o) => o.text === 'Timed out: triggered, no confirmation');
  assert.equal(status?.color, 'Attention');
  assert.deepEqual(
    playbookActions(card).map((a) => [a.title, a.data]),
    [
      ['Isolate host FIN-WS-042 (approval)', { incidentId: incident.name, playbookId: 'isolate-host', entityId: 'e-host-1' }],
      ['Block IP 203.0.113.45', { incidentId: incident.name, playbookId: 'block-ip', entityId: 'e-ip-1' }],
      ['Collect investigation package (FIN-WS-042)', { incidentId: incident.name, playbookId: 'collect-investigation-package', entityId: '' }],
    ],
  );
  // The incident's own buttons are unchanged.
  assert.ok(actionsOf(card).some((a) => a.verb === 'incident.acknowledge'));
});

test('without a playbooks view, or with nothing in it, the section is absent', () => {
  for (const v of [view(), view({ offers: [], runs: [] })]) {
    const card = renderIncidentCard(v);
    assert.equal(allObjects(card).find((o) => o.id === 'section-playbooks'), undefined);
    assert.equal(playbookActions(card).length, 0);
  }
  const runsOnly = renderIncidentCard(view(section({ offers: [] })));
  assert.deepEqual(cardProblems(runsOnly), []);
  assert.equal(actionSets(runsOnly).length, 1, 'only the footer ActionSet: no empty one for offers');
});

test('many offers go in action sets of at most five, are capped, and say how many more there are', () => {
  const offers = Array.from({ length: 23 }, (_, i) => ({ playbookId: `pb-${i}`, entityId: `e-${i}`, label: `Playbook ${i} on host-${i}`, needsApproval: i % 2 === 0 }));
  const card = renderIncidentCard(view(section({ offers })));
  assert.deepEqual(cardProblems(card), []);
  for (const set of actionSets(card)) assert.ok((set.actions as unknown[]).length <= 5);
  assert.equal(playbookActions(card).length, 15);
  assert.match(textOf(card), /\+8 more playbook actions: send "playbooks 48213"/);
  const tight = renderIncidentCard(view(section({ offers })), { maxBytes: 9000 });
  assert.ok(measureCardBytes(tight) <= 9000);
  assert.deepEqual(cardProblems(tight), []);
});

test('an entity name from an alert cannot smuggle a link into a button or a run line', () => {
  const evil = '[login](https://evil.example) host';
  const card = renderIncidentCard(
    view(section({ offers: [{ playbookId: 'isolate-host', entityId: 'x', label: `Isolate host ${evil}`, needsApproval: false }], runs: [{ title: evil, status: 'Running', tone: 'accent', detail: evil }] })),
  );
  assert.doesNotMatch(JSON.stringify(allObjects(card).find((o) => o.id === 'section-playbooks')), /\]\(https/);
  assert.deepEqual(cardProblems(card), []);
});

const approval: ApprovalCardView = {
  runId: '6f1c2d3e-0000-4000-8000-000000000001',
  incidentId: incident.name,
  incidentNumber: incident.number,
  incidentTitle: incident.title,
  severity: 'High',
  playbookTitle: 'Isolate host',
  playbookDescription: 'Cuts the device off the network.',
  entity: 'Host FIN-WS-042.corp.contoso.com',
  requestedBy: 'Rui Responder',
  requestedAt: '2026-11-21T09:20:41.123Z',
  expiresAt: '2026-11-21T09:50:41.123Z',
  approverRole: 'admin',
  correlationId: 'corr-1',
  pending: true,
};

test('a pending approval card offers Approve and Reject for exactly this run, with who asked and until when', () => {
  const card = renderApprovalCard(approval);
  assert.deepEqual(cardProblems(card), []);
  assert.deepEqual(
    actionsOf(card).map((a) => [a.verb, a.data]),
    [
      ['playbook.approve', { incidentId: incident.name, runId: approval.runId }],
      ['playbook.reject', { incidentId: incident.name, runId: approval.runId }],
    ],
  );
  const text = textOf(card);
  assert.match(text, /Isolate host: Host FIN-WS-042\.corp\.contoso\.com/);
  assert.match(text, /#48213 \(High\)/);
  assert.match(text, /Rui Responder · \{\{DATE\(2026-11-21T09:20:41Z, SHORT\)\}\}/);
  assert.match(text, /An admin who is not the requester/);
  assert.match(text, /corr-1/);
});

test('a decided approval card has no buttons and shows the outcome; a notice can be added', () => {
  const card = renderApprovalCard({ ...approval, pending: false, outcome: { text: 'Approved by Ada Admin · Triggered', style: 'good' }, notice: { text: 'Not allowed: you requested it', style: 'attention' } });
  assert.deepEqual(cardProblems(card), []);
  assert.equal(actionsOf(card).length, 0);
  assert.equal(card.actions, undefined);
  assert.match(textOf(card), /Approved by Ada Admin · Triggered/);
  assert.match(textOf(card), /Not allowed: you requested it/);
  assert.doesNotMatch(textOf(card), /Expires/);
});

test('the playbook list card lists, and with an incident offers a Run button per row', () => {
  const rows = [
    { title: 'Isolate host FIN-WS-042', detail: 'role responder · approval by another admin within 30 min', action: { label: 'Request', playbookId: 'isolate-host', entityId: 'e-host-1' } },
    { title: 'Reset password of j.doe', detail: 'you may not run it' },
  ];
  const withButtons = renderPlaybookListCard({ title: 'Playbooks for incident #48213', incidentId: incident.name, rows });
  assert.deepEqual(cardProblems(withButtons), []);
  assert.deepEqual(actionsOf(withButtons).map((a) => [a.title, a.data]), [['Request', { incidentId: incident.name, playbookId: 'isolate-host', entityId: 'e-host-1' }]]);
  const listOnly = renderPlaybookListCard({ title: 'Playbooks (2)', subtitle: 'Send "playbooks <incident number>"', rows });
  assert.deepEqual(cardProblems(listOnly), []);
  assert.equal(actionsOf(listOnly).length, 0);
  const many = renderPlaybookListCard({ title: 'Playbooks', rows: Array.from({ length: 60 }, (_, i) => ({ title: `p${i}`, detail: 'd'.repeat(500) })) });
  assert.deepEqual(cardProblems(many), []);
  assert.match(textOf(many), /\+20 more/);
});
