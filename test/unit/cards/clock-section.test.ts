import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureCardBytes, renderIncidentCard, type IncidentCardView } from '../../../src/cards';
import { renderEscalationCard } from '../../../src/cards/escalation-notice-card';
import { newClock, withDeadlines } from '../../../src/response/clock-records';
import { clockSectionFor } from '../../../src/response/clock-section-view';
import { actionsOf, allObjects, cardProblems, textOf } from './card-checker';
import { manyEntities, newIncident } from './incident-fixtures';

const now = Date.parse('2026-03-04T20:00:00Z');
const by = { name: 'Ana Silva' };

function clocks() {
  const incident = newIncident();
  const gdpr = newClock(incident, 'gdpr', { awareAt: new Date('2026-03-02T10:00:00Z'), by, now: new Date('2026-03-02T10:00:00Z') }, {});
  const nis2 = newClock(incident, 'nis2', { awareAt: new Date('2026-03-02T10:00:00Z'), by, now: new Date('2026-03-02T10:00:00Z') }, {});
  nis2.milestones[1]!.met = { at: '2026-03-04T18:00:00.000Z', by: 'Ana Silva', reference: 'CSIRT-117' };
  return [gdpr, withDeadlines(nis2, {})];
}

function view(overrides: Partial<IncidentCardView> = {}): IncidentCardView {
  return { incident: newIncident(), sentinelConnected: true, showActions: true, ...overrides };
}

test('the clocks section shows each milestone with its due time and time left, Done per open milestone, and the start form; the official parser accepts it', () => {
  const card = renderIncidentCard(view({ clocks: clockSectionFor(clocks(), { role: 'responder' }, now) }));
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  assert.match(text, /⏱ Compliance clocks · 3 open/);
  assert.match(text, /GDPR · Notify the supervisory authority\nDue \{\{DATE\(2026-03-05T10:00:00Z, SHORT\)\}\} \{\{TIME\(2026-03-05T10:00:00Z\)\}\} · 14 h left/);
  assert.match(text, /NIS2 · Early warning to the CSIRT \/ authority\nDue .* · overdue by 1 d 10 h/);
  assert.match(text, /NIS2 · Incident notification\nMade \{\{DATE\(2026-03-04T18:00:00Z, SHORT\)\}\} .* · by Ana Silva · ref CSIRT-117/);
  assert.match(text, /NIS2 · Final report\nDue \{\{DATE\(2026-04-04T18:00:00Z, SHORT\)\}\}/);
  const done = actionsOf(card).filter((a) => a.verb === 'clock.done').map((a) => a.data);
  const id = newIncident().name;
  assert.deepEqual(done, [
    { incidentId: id, regime: 'nis2', milestone: 'early-warning' },
    { incidentId: id, regime: 'gdpr', milestone: 'notification' },
    { incidentId: id, regime: 'nis2', milestone: 'final-report' },
  ]);
  assert.equal(done.length, 3, 'Done for each open milestone, none for the one met');
  const start = actionsOf(card).find((a) => a.verb === 'incident.regulation');
  assert.deepEqual(start?.data, { incidentId: newIncident().name });
  const inputs = allObjects(card).filter((o) => typeof o.type === 'string' && o.type.startsWith('Input.')).map((o) => String(o.id));
  assert.equal(new Set(inputs).size, inputs.length, `input ids are unique: ${inputs.join(', ')}`);
  for (const id of ['clockReference', 'clockRegime', 'clockAwareAt', 'clockReason']) assert.ok(inputs.includes(id), id);
  const colors = allObjects(card).filter((o) => o.type === 'TextBlock' && typeof o.text === 'string' && /^Due /.test(o.text)).map((o) => o.color);
  assert.deepEqual(colors, ['Attention', 'Warning', 'Default'], 'overdue first, then the one with under a fifth of its window left');
});

test('a reader sees the clocks without buttons; without clocks a reader sees no section and a responder only the start button', () => {
  const reader = renderIncidentCard(view({ clocks: clockSectionFor(clocks(), { role: 'reader' }, now) }));
  assert.deepEqual(cardProblems(reader), []);
  assert.match(textOf(reader), /Compliance clocks/);
  assert.deepEqual(actionsOf(reader).filter((a) => a.verb === 'clock.done' || a.verb === 'incident.regulation'), []);
  assert.ok(!allObjects(reader).some((o) => o.id === 'clockReference'));
  const none = renderIncidentCard(view({ clocks: clockSectionFor([], { role: 'reader' }, now) }));
  assert.ok(!allObjects(none).some((o) => o.id === 'section-clocks'));
  const responder = renderIncidentCard(view({ clocks: clockSectionFor([], { role: 'responder' }, now) }));
  assert.doesNotMatch(textOf(responder), /Compliance clocks ·/);
  assert.ok(actionsOf(responder).some((a) => a.title === 'Compliance clock…'));
});

test('the card stays under 28 KB with every regime flagged and many entities; rows beyond the budget are summarised', () => {
  const incident = { ...newIncident(), entities: manyEntities(500) };
  const all = (['gdpr', 'nis2', 'dora', 'sec', 'hipaa'] as const).map((r) => newClock(incident, r, { awareAt: new Date(now - 3_600_000), by, now: new Date(now) }, {}));
  const card = renderIncidentCard(view({ incident, clocks: clockSectionFor(all, { role: 'responder' }, now) }));
  assert.deepEqual(cardProblems(card), []);
  assert.ok(measureCardBytes(card) <= 28 * 1024);
  const shown = actionsOf(card).filter((a) => a.verb === 'clock.done').length;
  assert.ok(shown >= 1 && shown < 9, `${shown} rows`);
  assert.match(textOf(card), new RegExp(`\\+${9 - shown} more milestone\\(s\\): argus clocks list`));
});

test('the escalation message mentions people with Teams mention entities and parses with the official library', () => {
  const card = renderEscalationCard({
    incidentId: 'abc',
    incidentNumber: 12,
    severity: 'High',
    title: 'Encoded PowerShell [open](https://evil.example/)',
    waited: '15 min',
    mentions: [
      { id: '11111111-1111-1111-1111-111111111111', name: 'Ana Silva' },
      { id: '22222222-2222-2222-2222-222222222222', name: '' },
    ],
    step: 1,
    steps: 2,
  });
  assert.deepEqual(cardProblems(card), []);
  const entities = (card.msteams as { entities: Array<{ text: string }> }).entities;
  const line = allObjects(card).find((o) => o.type === 'TextBlock' && String(o.text).includes('please acknowledge'))?.text;
  assert.equal(line, '<at>Ana Silva</at>, <at>on-call 2</at>: please acknowledge it.');
  for (const e of entities) assert.ok(String(line).includes(e.text), 'each entity text appears in the card');
  assert.doesNotMatch(textOf(card), /\]\(https/, 'the title cannot make a link');
  const none = renderEscalationCard({ incidentId: 'abc', incidentNumber: 12, severity: 'High', title: 't', waited: '1 h', mentions: [], step: 2, steps: 2 });
  assert.deepEqual(cardProblems(none), []);
  assert.doesNotMatch(textOf(none), /please acknowledge/);
});
