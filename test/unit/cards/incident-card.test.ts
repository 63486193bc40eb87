import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classificationReasons, classifications, severities } from '../../../src/incidents/incident';
import { incidentInputs, incidentVerbs, measureCardBytes, renderIncidentCard, type IncidentCardView } from '../../../src/cards';
import { actionsOf, allObjects, cardProblems, textOf } from './card-checker';
import { activeIncident, closedIncident, manyEntities, newIncident } from './incident-fixtures';

function view(overrides: Partial<IncidentCardView> = {}): IncidentCardView {
  return { incident: newIncident(), sentinelConnected: true, showActions: true, ...overrides };
}

const verbs = (card: unknown): string[] =>
  actionsOf(card)
    .filter((a) => a.type === 'Action.Execute')
    .map((a) => String(a.verb));

const inputIds = (card: unknown): string[] =>
  allObjects(card)
    .filter((o) => typeof o.type === 'string' && o.type.startsWith('Input.'))
    .map((o) => String(o.id));

test('the incident card for every fixture state parses cleanly with the official library', () => {
  const variants: IncidentCardView[] = [
    view({ notice: { text: 'Acknowledged by Ana Silva · 10:02 UTC', style: 'good' }, refreshUserIds: ['29:1a', '29:2b'] }),
    view({ incident: activeIncident(), sentinelConnected: false }),
    view({ incident: closedIncident(), showActions: false }),
    view({ incident: { ...newIncident(), entities: manyEntities(500) } }),
  ];
  for (const v of variants) assert.deepEqual(cardProblems(renderIncidentCard(v)), [], v.incident.title);
});

test('an open incident shows what a responder needs: number, link, severity, status, owner, tactics, entities', () => {
  const incident = activeIncident();
  const card = renderIncidentCard(view({ incident }));
  const text = textOf(card);
  assert.match(text, new RegExp(`\\[Incident #${incident.number}\\]\\(https://portal\\.azure\\.com/`));
  assert.ok(text.includes(incident.title));
  assert.ok(text.includes('Alex Analyst'));
  assert.match(text, /Execution, Command and control/);
  assert.match(text, /T1059, T1105/);
  assert.match(text, /2 · Azure Sentinel, Microsoft Defender for Endpoint/);
  for (const group of ['Hosts (1)', 'Accounts (1)', 'IP addresses (1)', 'URLs (1)', 'File hashes (1)']) assert.ok(text.includes(group), group);
  assert.ok(text.includes('FIN-WS-042.corp.contoso.com'));
  assert.match(text, /Updated \{\{DATE\(2026-11-21T09:20:4\dZ, SHORT\)\}\} \{\{TIME\(2026-11-21T09:20:4\dZ\)\}\}/);
  const severity = allObjects(card).find((o) => o.type === 'TextBlock' && o.text === 'High');
  assert.equal(severity?.color, 'Attention');
  assert.doesNotMatch(text, /Sentinel is not connected/);
});

test('severities are coloured: High attention, Medium warning, Low accent, Informational default', () => {
  const expected = { High: 'Attention', Medium: 'Warning', Low: 'Accent', Informational: 'Default' } as const;
  for (const severity of severities) {
    const card = renderIncidentCard(view({ incident: { ...newIncident(), severity } }));
    const block = allObjects(card).find((o) => o.type === 'TextBlock' && o.text === severity && o.color !== undefined);
    assert.equal(block?.color, expected[severity], severity);
  }
});

test('every action is an Action.Execute carrying the incident id, with the forms Teams submits', () => {
  const incident = newIncident();
  const card = renderIncidentCard(view({ incident, refreshUserIds: ['29:1a'] }));
  assert.deepEqual(new Set(verbs(card)), new Set(Object.values(incidentVerbs).filter((v) => v !== 'incident.view')));
  for (const action of actionsOf(card).filter((a) => a.type === 'Action.Execute')) {
    assert.deepEqual(action.data, { incidentId: incident.name }, String(action.verb));
  }
  assert.deepEqual(inputIds(card).sort(), Object.values(incidentInputs).flat().sort());
  assert.equal(actionsOf(card).filter((a) => a.type === 'Action.Submit').length, 0);
  // Card-level list stays within the official five; the rest sit in a second ActionSet.
  assert.ok(Array.isArray(card.actions) && card.actions.length <= 5);

  const choices = (id: string): unknown[] =>
    ((allObjects(card).find((o) => o.id === id)?.choices ?? []) as { value: string }[]).map((c) => c.value);
  assert.deepEqual(choices('severity'), [...severities]);
  assert.deepEqual(new Set(choices('classification')), new Set(classifications));
  assert.deepEqual(choices('classificationReason'), [...classificationReasons]);
  const classification = allObjects(card).find((o) => o.id === 'classification');
  assert.equal(classification?.isRequired, true);
  const comment = allObjects(card).find((o) => o.id === 'comment');
  assert.equal(comment?.isRequired, true);
  assert.equal(comment?.isMultiline, true);
  const severityInput = allObjects(card).find((o) => o.id === 'severity');
  assert.equal(severityInput?.value, incident.severity);
});

test('a closed incident shows no acknowledge or close; refresh and comment remain', () => {
  const card = renderIncidentCard(view({ incident: closedIncident() }));
  assert.deepEqual(verbs(card).sort(), ['incident.comment', 'incident.refresh', 'incident.timeline']);
  assert.match(textOf(card), /False positive · Inaccurate data: Not a malicious activity/);
  assert.deepEqual(cardProblems(card), []);
});

test('showActions=false leaves only Refresh and Timeline', () => {
  const card = renderIncidentCard(view({ showActions: false }));
  assert.deepEqual(
    actionsOf(card).map((a) => `${a.type}:${a.verb}`),
    ['Action.Execute:incident.refresh', 'Action.Execute:incident.timeline'],
  );
  assert.equal(card.actions, undefined);
});

test('a card-level refresh targets the listed users only, at most 60', () => {
  const ids = Array.from({ length: 75 }, (_, i) => `29:user-${i}`);
  const card = renderIncidentCard(view({ refreshUserIds: ids }));
  const refresh = card.refresh as { action: Record<string, unknown>; userIds: string[] };
  assert.equal(refresh.action.verb, 'incident.refresh');
  assert.deepEqual(refresh.action.data, { incidentId: newIncident().name });
  assert.deepEqual(refresh.userIds, ids.slice(0, 60));
  assert.equal(renderIncidentCard(view()).refresh, undefined);
  assert.equal(renderIncidentCard(view({ refreshUserIds: [] })).refresh, undefined);
});

test('the notice line and the Sentinel-not-connected line are shown when asked for', () => {
  const card = renderIncidentCard(
    view({ sentinelConnected: false, notice: { text: 'Acknowledged by Ana Silva · 10:02 UTC', style: 'good' } }),
  );
  const notice = allObjects(card).find((o) => o.id === 'section-notice');
  assert.equal(notice?.style, 'good');
  assert.match(textOf(notice), /Acknowledged by Ana Silva · 10:02 UTC/);
  assert.match(textOf(card), /Sentinel is not connected: changes made here are kept in Argus only/);
  assert.equal(allObjects(renderIncidentCard(view())).find((o) => o.id === 'section-notice'), undefined);
});

test('500 entities render under 28 KB with "+N more", and the card still parses', () => {
  const entities = manyEntities(500);
  const card = renderIncidentCard(view({ incident: { ...newIncident(), entities } }));
  assert.ok(measureCardBytes(card) <= 28 * 1024, `${measureCardBytes(card)} bytes`);
  const text = textOf(card);
  assert.match(text, /Entities \(500\)/);
  assert.match(text, /Hosts \(72\)/);
  assert.match(text, /\+\d+ more/);
  assert.ok(text.includes('customthing-6-'), 'unknown kinds are kept');
  assert.deepEqual(cardProblems(card), []);
});

test('a tighter limit truncates further instead of failing, and an impossible one is an error', () => {
  const incident = { ...newIncident(), entities: manyEntities(500), description: 'd'.repeat(5000) };
  const loose = renderIncidentCard(view({ incident }));
  const tight = renderIncidentCard(view({ incident }), { maxBytes: 9000 });
  assert.ok(measureCardBytes(tight) <= 9000);
  assert.ok(measureCardBytes(tight) < measureCardBytes(loose));
  assert.deepEqual(cardProblems(tight), []);
  assert.throws(() => renderIncidentCard(view({ incident }), { maxBytes: 1000 }), { code: 'ARGUS_INTERNAL' });
});

test('untrusted text cannot smuggle a disguised link or a template binding', () => {
  const incident = {
    ...newIncident(),
    title: 'Reset here [portal](https://evil.example/login) ${incidentId}',
    entities: [{ kind: 'Url', id: 'u', displayName: '[safe](https://evil.example)', properties: {} }],
  };
  const card = renderIncidentCard(view({ incident }));
  const text = textOf(card);
  assert.doesNotMatch(text, /\]\(https:\/\/evil/);
  assert.ok(text.includes('Reset here [portal] (https://evil.example/login) ${incidentId}'));
  assert.deepEqual(cardProblems(card, { allowDollarBraceIn: ['Reset here'] }), []);
});

test('a portal link that is not https is shown as plain text', () => {
  const card = renderIncidentCard(view({ incident: { ...newIncident(), portalUrl: 'javascript:alert(1)' } }));
  assert.match(textOf(card), /^Incident #48213 · Microsoft Sentinel$/m);
});

test('a worst-case incident (huge texts, many kinds and lists) is re-rendered smaller until it fits 28 KB', () => {
  const long = (prefix: string, i: number): string => `${prefix}-${i}-${'w'.repeat(300)}`;
  const entities = Array.from({ length: 500 }, (_, i) => ({
    kind: i % 2 === 0 ? 'Host' : `Kind${i % 40}`,
    id: `e${i}`,
    displayName: long('entity', i),
    properties: {},
  }));
  const incident = {
    ...newIncident(),
    title: long('title', 0),
    description: long('description', 0).repeat(20),
    labels: Array.from({ length: 50 }, (_, i) => long('label', i)),
    tactics: Array.from({ length: 50 }, (_, i) => long('Tactic', i)),
    techniques: Array.from({ length: 50 }, (_, i) => long('T', i)),
    alertProducts: Array.from({ length: 50 }, (_, i) => long('product', i)),
    entities,
  };
  const card = renderIncidentCard(view({ incident, notice: { text: long('notice', 0) } }));
  assert.ok(measureCardBytes(card) <= 28 * 1024, `${measureCardBytes(card)} bytes`);
  const hosts = allObjects(card).find((o) => typeof o.title === 'string' && o.title.startsWith('Hosts ('));
  const shownHosts = String(hosts?.value).split(', ').length;
  assert.ok(shownHosts < 10, `level 0 shows 10 hosts; ${shownHosts} means a smaller level was used`);
  assert.match(String(hosts?.value), /\+\d+ more$/);
  assert.match(textOf(card), /Other kinds \(\d+\)/);
  assert.deepEqual(cardProblems(card), []);
});
