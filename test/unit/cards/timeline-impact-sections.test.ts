import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureCardBytes, MAX_CARD_BYTES, renderIncidentCard, type IncidentCardView } from '../../../src/cards';
import type { EvidenceSectionView } from '../../../src/cards/evidence-section';
import type { ImpactSectionView } from '../../../src/cards/impact-section';
import type { TimelineSectionView } from '../../../src/cards/timeline-section';
import { responseView } from '../../../src/response/card-section';
import { ensureState } from '../../../src/response/plan-assignment';
import { attackTactics } from '../../../src/response/attack';
import { responseWorld } from '../response/response-fixtures';
import { actionsOf, allObjects, cardProblems, textOf } from './card-checker';
import { activeIncident, manyEntities } from './incident-fixtures';

const card = (over: Partial<IncidentCardView>) => renderIncidentCard({ incident: activeIncident(), sentinelConnected: true, showActions: true, ...over });

/** A long story: every tactic with several techniques, many entries with long titles. */
function bigTimeline(entries: number): TimelineSectionView {
  return {
    incidentNumber: 42,
    chain: attackTactics().map((t, i) => ({ tactic: t.name, techniques: Array.from({ length: 6 }, (_, j) => ({ id: `T1${String(i).padStart(2, '0')}${j}`, name: `Technique with a rather long name ${'x'.repeat(40)}` })) })),
    entries: Array.from({ length: entries }, (_, i) => ({
      at: new Date(Date.parse('2026-03-02T10:00:00Z') + i * 60_000).toISOString(),
      kind: 'action',
      title: `Step done: ${'Collect and preserve volatile memory of the affected host '.repeat(3)} ${i}`,
      actor: 'Forensics Analyst (Contoso Incident Response Team)',
      tactic: 'Command and Control',
      technique: 'T1071.001',
      techniqueName: 'Web Protocols',
    })),
  };
}

function evidence(count: number): EvidenceSectionView {
  return {
    canAdd: true,
    items: Array.from({ length: count }, (_, i) => ({ filename: `collection-package-${i}-${'x'.repeat(60)}.zip`, sha256: 'ab'.repeat(32), custodian: `Forensics Analyst ${i} (Contoso Incident Response Team)` })),
  };
}

const impact: ImpactSectionView = {
  canAssess: true,
  clockRegimes: ['gdpr', 'nis2'],
  assessment: {
    level: 'high',
    suggestedSeverity: 'High',
    rule: 'Impact is the worst dimension (each scored 0–4): operational major → 3 (high).',
    input: { financial: '10k-100k', operational: 'major', reputational: 'low', regimes: ['gdpr', 'nis2', 'pci'], affectedAssets: 12, affectedUsers: 40, downtimeMinutes: 90 },
    assessedBy: 'Ana Silva',
  },
};

test('with a plan, a timeline view, an impact and 50 evidence items the incident card stays under 28 KB (real renderer, official parser)', async () => {
  const w = responseWorld();
  const { state } = await ensureState(w.deps, w.incident);
  const c = card({
    incident: { ...activeIncident(), entities: manyEntities(60) },
    response: responseView(state, { canAct: true }),
    timeline: bigTimeline(300),
    evidence: evidence(50),
    impact,
  });
  assert.deepEqual(cardProblems(c), []);
  const bytes = measureCardBytes(c);
  assert.ok(bytes <= MAX_CARD_BYTES, `${bytes} bytes`);
  const ids = allObjects(c).map((o) => o.id);
  for (const section of ['section-response', 'section-timeline', 'section-evidence', 'section-impact']) assert.ok(ids.includes(section), section);
  assert.match(textOf(c), /earlier entries: argus incident timeline 42/);
});

test('the timeline section: tactic columns in kill-chain order, the latest entries with their technique', () => {
  const c = card({
    timeline: {
      incidentNumber: 7,
      chain: [
        { tactic: 'Initial Access', techniques: [{ id: 'T1566', name: 'Phishing' }] },
        { tactic: 'Impact', techniques: [{ id: 'T1486', name: 'Data Encrypted for Impact' }] },
      ],
      entries: [
        { at: '2026-03-02T10:05:00Z', kind: 'alert', title: 'Alert: [x](https://evil.example/)', tactic: 'Impact', technique: 'T1486', techniqueName: 'Data Encrypted for Impact' },
        { at: '2026-03-02T10:10:00Z', kind: 'action', title: 'Acknowledged', actor: 'Ana Silva' },
      ],
    },
  });
  assert.deepEqual(cardProblems(c), []);
  const section = allObjects(c).find((o) => o.id === 'section-timeline');
  const columns = allObjects(section).filter((o) => o.type === 'Column');
  assert.deepEqual(columns.map((col) => textOf(col).split('\n')[0]), ['Initial Access', 'Impact']);
  const text = textOf(section);
  assert.match(text, /🧭 ATT&CK chain · 2 tactic\(s\)/);
  assert.match(text, /Alert: \[x\] \(https:\/\/evil\.example\/\) · Impact \/ T1486 Data Encrypted for Impact/);
  assert.match(text, /Acknowledged · Ana Silva/);
  assert.equal(allObjects(card({})).some((o) => o.id === 'section-timeline'), false, 'shown only to the viewer who asked');
  assert.ok(actionsOf(card({})).some((a) => a.verb === 'incident.timeline'), 'every card offers the timeline');
});

test('the impact section: level, suggested severity, the rule, a clock button per regime, the form prefilled', () => {
  const c = card({ impact });
  assert.deepEqual(cardProblems(c), []);
  const section = allObjects(c).find((o) => o.id === 'section-impact');
  const text = textOf(section);
  assert.match(text, /💥 Impact · high · suggests severity High/);
  assert.match(text, /operational major → 3 \(high\)/);
  assert.match(text, /Financial 10k-100k · operational major · reputational low · 12 asset\(s\) · 40 user\(s\) · 90 min down · GDPR, NIS2, PCI DSS · by Ana Silva/);
  const name = activeIncident().name;
  const clocks = actionsOf(section).filter((a) => a.verb === 'incident.regulation');
  assert.deepEqual(clocks.map((a) => [a.title, a.data]), [
    ['Start GDPR clock', { incidentId: name, regime: 'gdpr' }],
    ['Start NIS2 clock', { incidentId: name, regime: 'nis2' }],
  ]);
  assert.deepEqual(actionsOf(section).find((a) => a.verb === 'incident.impact')?.data, { incidentId: name });
  const inputs = Object.fromEntries(allObjects(section).filter((o) => String(o.type).startsWith('Input.')).map((o) => [o.id, o.value]));
  assert.deepEqual(inputs, { financial: '10k-100k', operational: 'major', reputational: 'low', regimes: 'gdpr,nis2,pci', affectedAssets: 12, affectedUsers: 40, downtimeMinutes: 90 });

  const reader = card({ impact: { ...impact, canAssess: false, clockRegimes: [] }, showActions: false });
  assert.deepEqual(actionsOf(allObjects(reader).find((o) => o.id === 'section-impact')).map((a) => a.verb), []);
  assert.equal(allObjects(card({ impact: { canAssess: false, clockRegimes: [] } })).some((o) => o.id === 'section-impact'), false);
});
