import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureCardBytes, MAX_CARD_BYTES, renderIncidentCard, type IncidentCardView } from '../../../src/cards';
import { responseCardDecorator, responseView } from '../../../src/response/card-section';
import { ensureState } from '../../../src/response/plan-assignment';
import type { ResponseState, StepState } from '../../../src/response/response-store';
import { actionsOf, allObjects, cardProblems, textOf } from '../cards/card-checker';
import { manyEntities, newIncident } from '../cards/incident-fixtures';
import { responseWorld } from './response-fixtures';

async function ransomwareState(): Promise<ResponseState> {
  const w = responseWorld();
  return (await ensureState(w.deps, w.incident)).state;
}

const at = (state: ResponseState, phase: StepState['phase']): ResponseState => ({ ...state, phase: { phase, since: '2026-11-21T10:00:00Z', history: [], etag: '' } });
const card = (response: IncidentCardView['response'], over: Partial<IncidentCardView> = {}) =>
  renderIncidentCard({ incident: newIncident(), sentinelConnected: true, showActions: true, response, ...over });

test('the response section: phase strip, the current phase steps with their buttons, next and back; parsed by the official library', async () => {
  const state = at(await ransomwareState(), 'investigation');
  state.steps = state.steps.map((s) => (s.id === 'scope-hosts' ? { ...s, status: 'done', by: 'Ana', durationMs: 720_000 } : s));
  const c = card(responseView(state, { canAct: true }));
  assert.deepEqual(cardProblems(c), []);
  const section = allObjects(c).find((o) => o.id === 'section-response');
  const text = textOf(section);
  assert.match(text, /Response: Investigation · Ransomware plan · 1\/11 steps settled/);
  assert.match(text, /✓ Detection › \*\*Investigation\*\* › Containment › Eradication › Recovery › Post-incident$/m);
  assert.match(text, /Manual · by Ana, 12 min/);
  assert.match(text, /Automated · collect-investigation-package/);
  assert.match(text, /needs evidence/);
  assert.doesNotMatch(text, /Isolate affected hosts/, 'only the current phase steps are listed');
  const actions = actionsOf(section).filter((a) => a.type === 'Action.Execute');
  assert.deepEqual(
    actions.map((a) => [a.verb, a.title, a.data]),
    [
      ['step.run', 'Run', { incidentId: newIncident().name, planId: 'ransomware', stepId: 'collect-package' }],
      ['step.complete', 'Done', { incidentId: newIncident().name, planId: 'ransomware', stepId: 'identify-strain' }],
      ['incident.phase', 'Next: Containment', { incidentId: newIncident().name, phase: 'containment' }],
      ['step.complete', 'Mark done', { incidentId: newIncident().name, planId: 'ransomware' }],
      ['step.skip', 'Skip', { incidentId: newIncident().name, planId: 'ransomware' }],
      ['incident.phase', 'Go back', { incidentId: newIncident().name }],
    ],
  );
  const stepChoices = (allObjects(section).find((o) => o.id === 'stepId')?.choices as { value: string }[]).map((o) => o.value);
  assert.deepEqual(stepChoices, ['collect-package', 'identify-strain'], 'open steps of this phase and earlier ones');
  assert.deepEqual((allObjects(section).find((o) => o.id === 'phase')?.choices as { value: string }[]).map((o) => o.value), ['detection']);
});

test('a reader sees the phase and steps without a button; a responder no buttons of admin steps; closed offers only going back', async () => {
  const contained = at(await ransomwareState(), 'containment');
  const reader = card(responseView(contained, { canAct: false, role: 'reader' }), { showActions: false });
  assert.deepEqual(cardProblems(reader), []);
  assert.deepEqual(actionsOf(allObjects(reader).find((o) => o.id === 'section-response')), []);
  assert.match(textOf(reader), /Take backups offline/);

  const responder = responseView(contained, { canAct: true, role: 'responder' });
  assert.deepEqual(responder.steps.map((s) => [s.stepId, s.canRun, s.canComplete]), [
    ['isolate-hosts', true, false],
    ['disable-accounts', true, false],
    ['protect-backups', false, false],
  ]);
  assert.equal(responseView(contained, { canAct: true, role: 'admin' }).steps[2]?.canComplete, true);
  assert.match(responseView(contained, { canAct: true }).steps[0]?.detail ?? '', /^Needs approval · isolate-host$/);

  const closed = responseView(at(await ransomwareState(), 'closed'), { canAct: true });
  assert.equal(closed.next, undefined);
  assert.deepEqual(closed.strip.at(-1), { title: 'Closed', state: 'current' });
  assert.deepEqual(closed.open, []);
  assert.equal(closed.back.length, 6);
  const post = responseView(at(await ransomwareState(), 'post-incident'), { canAct: true });
  assert.equal(post.next, undefined, 'closing goes through Close… (it needs a classification)');
});

test('with a long plan, long titles and hundreds of entities the card stays under 28 KB and keeps the response section', async () => {
  const state = at(await ransomwareState(), 'investigation');
  const long = 'Reconstruct the attacker timeline across every affected host and cloud tenant '.repeat(3);
  state.steps = Array.from({ length: 40 }, (_, i) => ({ ...state.steps[0]!, id: `s-${i}`, title: `${long} ${i}`, note: long, status: 'failed' as const, phase: i < 20 ? 'investigation' : 'containment' }));
  const c = card(responseView(state, { canAct: true }), { incident: { ...newIncident(), entities: manyEntities(300) } });
  assert.ok(measureCardBytes(c) <= MAX_CARD_BYTES, `${measureCardBytes(c)} bytes`);
  assert.deepEqual(cardProblems(c), []);
  assert.match(textOf(allObjects(c).find((o) => o.id === 'section-response')), /more step\(s\) in this phase/);
});

test('an incident Argus made itself (no Sentinel event) gets its plan at its first render; a reader\'s view has no buttons', async () => {
  const w = responseWorld();
  const decorate = responseCardDecorator(w.deps);
  const first = await decorate({ incident: w.incident, etag: '1' }, { role: 'responder' });
  assert.equal(first.response?.plan?.id, 'ransomware');
  assert.equal((await w.deps.store.load(w.incident.name)).steps.length, 11);
  const forReader = await decorate({ incident: w.incident, etag: '1' }, { role: 'reader' });
  assert.equal(forReader.response?.next, undefined);
  assert.deepEqual(forReader.response?.back, []);
  assert.equal((await w.auditRows('response.plan.assigned')).length, 1);
});
