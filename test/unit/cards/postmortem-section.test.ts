import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureCardBytes, MAX_CARD_BYTES, renderIncidentCard, type IncidentCardView } from '../../../src/cards';
import type { PostMortemSectionView } from '../../../src/cards/postmortem-section';
import type { Phase } from '../../../src/response/phases';
import type { PostMortem } from '../../../src/response/postmortem';
import { postMortemCardSection, reportCardSection } from '../../../src/response/postmortem-card';
import { actionsOf, allObjects, cardProblems, textOf } from './card-checker';
import { activeIncident, manyEntities } from './incident-fixtures';

const card = (over: Partial<IncidentCardView>) => renderIncidentCard({ incident: activeIncident(), sentinelConnected: true, showActions: true, ...over });
const inputs = (json: unknown) => allObjects(json).filter((o) => String(o.type).startsWith('Input.'));
const formIds = ['summary', 'rootCause', 'contributingFactors', 'lessonsLearned', 'preventionActions', 'detectionGaps'];

const draft: PostMortem = {
  status: 'draft',
  summary: 'A download cradle ran on one workstation.',
  rootCause: 'PowerShell was not constrained for finance users.',
  contributingFactors: '',
  lessonsLearned: 'Line one\nline two',
  preventionActions: ['Enable constrained language mode', 'Alert on download cradles'],
  detectionGaps: [{ text: 'sigma: powershell download cradle', sigmaRule: 'powershell download cradle' }],
  savedAt: '2026-03-02T10:00:00.000Z',
  savedBy: 'Ana Silva',
};
const completed: PostMortem = { ...draft, status: 'completed', completedAt: '2026-03-02T11:00:00.000Z', completedBy: 'Ben Ode' };

async function sectionFor(phase: Phase, pm: PostMortem | undefined, role: 'responder' | 'reader' = 'responder'): Promise<Partial<IncidentCardView>> {
  const decorate = postMortemCardSection({
    store: { get: async () => pm && { postMortem: pm, etag: 'e' } },
    response: { loadPhase: async () => ({ phase, since: '', history: [], etag: 'e' }) },
  });
  return decorate({ incident: activeIncident(), etag: 'e' }, { role });
}

test('the post-mortem section appears in Post-incident only, with the form prefilled from the saved draft', async () => {
  for (const phase of ['investigation', 'recovery', 'closed'] as const) assert.deepEqual(await sectionFor(phase, draft), {}, phase);
  const empty = card(await sectionFor('post-incident', undefined));
  assert.deepEqual(cardProblems(empty), []);
  assert.match(textOf(empty), /Post-mortem · not started/);
  assert.ok(actionsOf(empty).some((a) => a.title === 'Write post-mortem…'));

  const json = card(await sectionFor('post-incident', draft));
  assert.deepEqual(cardProblems(json), []);
  assert.match(textOf(json), /Post-mortem · draft saved by Ana Silva/);
  const values = Object.fromEntries(inputs(json).filter((i) => formIds.includes(String(i.id))).map((i) => [i.id, i.value ?? '']));
  assert.deepEqual(values, {
    summary: draft.summary,
    rootCause: draft.rootCause,
    contributingFactors: '',
    lessonsLearned: 'Line one\nline two',
    preventionActions: 'Enable constrained language mode\nAlert on download cradles',
    detectionGaps: 'sigma: powershell download cradle',
  });
  const ids = inputs(json).map((i) => String(i.id));
  assert.equal(new Set(ids).size, ids.length, `input ids are unique across the card: ${ids.join(', ')}`);
  const verbs = actionsOf(json).filter((a) => String(a.verb).startsWith('postmortem.'));
  assert.deepEqual(verbs.map((a) => [a.verb, a.associatedInputs, a.data]), [
    ['postmortem.save', 'auto', { incidentId: activeIncident().name }],
    ['postmortem.complete', 'auto', { incidentId: activeIncident().name }],
  ]);
});

test('a completed post-mortem is read-only text, in Post-incident and after closing; readers never get the form', async () => {
  for (const phase of ['post-incident', 'closed'] as const) {
    const json = card(await sectionFor(phase, completed));
    assert.deepEqual(cardProblems(json), []);
    const text = textOf(json);
    assert.match(text, /Post-mortem · completed by Ben Ode/);
    assert.match(text, /PowerShell was not constrained for finance users\./);
    assert.match(text, /Enable constrained language mode · Alert on download cradles/);
    assert.equal(actionsOf(json).some((a) => String(a.verb).startsWith('postmortem.')), false, phase);
    assert.equal(inputs(json).some((i) => formIds.includes(String(i.id))), false, phase);
  }
  const reader = card({ ...(await sectionFor('post-incident', draft, 'reader')), showActions: false });
  assert.match(textOf(reader), /draft saved by Ana Silva[\s\S]*A download cradle ran/);
  assert.equal(actionsOf(reader).some((a) => String(a.verb).startsWith('postmortem.')), false);
  assert.deepEqual(await sectionFor('post-incident', undefined, 'reader'), { postMortem: { canEdit: false } });
});

test('post-mortem text from outside cannot become links; a draft too long for the card is shown, not offered for editing', () => {
  const hostile: PostMortemSectionView = { postMortem: { ...completed, detectionGaps: [], rootCause: 'see [here](https://evil.example/)' }, canEdit: false };
  assert.match(textOf(card({ postMortem: hostile })), /see \[here\] \(https:\/\/evil\.example\/\)/);

  const long = 'x'.repeat(3900);
  const big: PostMortemSectionView = {
    postMortem: { ...draft, detectionGaps: [], summary: long, rootCause: long, contributingFactors: long, lessonsLearned: long, preventionActions: Array.from({ length: 30 }, (_, i) => `${i} ${'y'.repeat(280)}`) },
    canEdit: true,
  };
  const json = card({ postMortem: big, incident: { ...activeIncident(), entities: manyEntities(200) } });
  assert.deepEqual(cardProblems(json), []);
  assert.ok(measureCardBytes(json) <= MAX_CARD_BYTES);
  assert.match(textOf(json), /too long to edit on the card without cutting it; it is kept as saved/);
  assert.equal(actionsOf(json).some((a) => a.verb === 'postmortem.save'), false, 'saving a cut draft would lose text');
});

test('responders get Report…: a type and html|pdf, sent as incident.report {incidentId, type, format}; readers do not', async () => {
  const json = card(await reportCardSection({ incident: activeIncident(), etag: 'e' }, { role: 'responder' }));
  assert.deepEqual(cardProblems(json), []);
  const report = actionsOf(json).find((a) => a.verb === 'incident.report');
  assert.deepEqual([report?.associatedInputs, report?.data], ['auto', { incidentId: activeIncident().name }]);
  const choice = (id: string) => inputs(json).find((i) => i.id === id) as { value: string; choices: { value: string }[] };
  assert.deepEqual(choice('type').choices.map((c) => c.value), ['initial', 'status', 'executive', 'technical', 'compliance', 'postmortem']);
  assert.deepEqual([choice('format').value, choice('format').choices.map((c) => c.value)], ['html', ['html', 'pdf']]);
  const reader = card({ ...(await reportCardSection({ incident: activeIncident(), etag: 'e' }, { role: 'reader' })), showActions: false });
  assert.equal(actionsOf(reader).some((a) => a.verb === 'incident.report'), false);
});
