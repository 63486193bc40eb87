import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureCardBytes, MAX_CARD_BYTES } from '../../../src/cards/size-guard';
import { renderIncidentCard, type IncidentCardView } from '../../../src/cards';
import type { EvidenceSectionView } from '../../../src/cards/evidence-section';
import { actionsOf, allObjects, cardProblems, textOf } from './card-checker';
import { activeIncident, manyEntities } from './incident-fixtures';

function items(count: number): EvidenceSectionView['items'] {
  // Newest first, as the feature hands them over; long names and hashes, the worst case for size.
  return Array.from({ length: count }, (_, i) => ({
    filename: `collection-package-FIN-WS-${String(count - i).padStart(3, '0')}-${'x'.repeat(60)}.zip`,
    sha256: `${String(count - i).padStart(4, '0')}${'ab'.repeat(30)}`,
    custodian: `Forensics Analyst ${count - i} (Contoso Incident Response Team)`,
  }));
}

function view(evidence: EvidenceSectionView, overrides: Partial<IncidentCardView> = {}): IncidentCardView {
  return { incident: activeIncident(), sentinelConnected: true, showActions: true, evidence, ...overrides };
}

test('50 evidence items keep the incident card under 28 KB: the latest few, a count of the rest, short hashes', () => {
  const card = renderIncidentCard(view({ items: items(50), canAdd: true }, { incident: { ...activeIncident(), entities: manyEntities(200) } }));
  assert.deepEqual(cardProblems(card), []);
  assert.ok(measureCardBytes(card) <= MAX_CARD_BYTES);
  const text = textOf(card);
  assert.match(text, /🧾 Evidence · 50 item\(s\)/);
  assert.match(text, /collection-package-FIN-WS-050-x+… · 0050abababab · Forensics Analyst 50/);
  assert.doesNotMatch(text, /FIN-WS-001-/, 'the oldest items are counted, not listed');
  assert.match(text, /\d+ older item\(s\) not shown: argus evidence list --incident \d+/);
  assert.doesNotMatch(text, /0050(ab){30}/, 'hashes are shortened on the card');
});

test('responders get the Add evidence form (evidence.add with the incident id); readers only the list', () => {
  const incident = activeIncident();
  const card = renderIncidentCard(view({ items: items(2), canAdd: true }));
  const add = actionsOf(card).find((a) => a.verb === 'evidence.add');
  assert.deepEqual(add?.data, { incidentId: incident.name });
  const inputs = allObjects(card).filter((o) => String(o.type).startsWith('Input.')).map((o) => o.id);
  for (const id of ['evidenceExcerpt', 'evidenceSource', 'evidencePurpose']) assert.equal(inputs.filter((i) => i === id).length, 1, id);

  const readOnly = renderIncidentCard(view({ items: items(2), canAdd: false }, { showActions: false }));
  assert.deepEqual(cardProblems(readOnly), []);
  assert.equal(actionsOf(readOnly).some((a) => a.verb === 'evidence.add'), false);
  assert.match(textOf(readOnly), /Evidence · 2 item\(s\)/);
  const none = renderIncidentCard(view({ items: [], canAdd: false }, { showActions: false }));
  assert.doesNotMatch(textOf(none), /Evidence/);
});

test('file names and custodians from outside cannot become links on the card', () => {
  const card = renderIncidentCard(view({ items: [{ filename: 'report](https://evil.example/x).pdf', sha256: 'f'.repeat(64), custodian: '[IT](https://evil.example/)' }], canAdd: false }));
  const line = textOf(card).split('\n').find((l) => l.includes('evil.example')) ?? '';
  assert.equal(line, 'report] (https://evil.example/x).pdf · ffffffffffff · [IT] (https://evil.example/)');
});
