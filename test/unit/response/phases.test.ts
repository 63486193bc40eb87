import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkTransition,
  defaultGatePolicy,
  nextPhase,
  phaseForSentinelStatus,
  sentinelStatusFor,
  transitionKind,
  type PhaseFacts,
} from '../../../src/response/phases';

const base: PhaseFacts = { phase: 'detection', severity: 'High', steps: [], postMortemComplete: false };

test('investigation needs an owner; the refusal says so', () => {
  assert.deepEqual(checkTransition(base, 'investigation', defaultGatePolicy), {
    allowed: false,
    kind: 'forward',
    reasons: ['an owner must be assigned first'],
  });
  assert.deepEqual(checkTransition({ ...base, owner: 'alex@contoso.com' }, 'investigation', defaultGatePolicy), { allowed: true, kind: 'forward' });
  assert.equal(checkTransition(base, 'investigation', { ...defaultGatePolicy, ownerForInvestigation: false }).allowed, true);
});

test('containment waits for the investigation steps, done or skipped', () => {
  const facts: PhaseFacts = {
    ...base,
    phase: 'investigation',
    owner: 'alex',
    steps: [
      { id: 'scope', title: 'Scope affected hosts', phase: 'investigation', status: 'done' },
      { id: 'triage', title: 'Collect triage package', phase: 'investigation', status: 'pending' },
      { id: 'isolate', title: 'Isolate hosts', phase: 'containment', status: 'pending' },
    ],
  };
  const refused = checkTransition(facts, 'containment', defaultGatePolicy);
  assert.equal(refused.allowed, false);
  assert.deepEqual(!refused.allowed && refused.reasons, ["1 required step is not done or skipped: 'Collect triage package'"]);
  const settled = { ...facts, steps: facts.steps.map((s) => (s.id === 'triage' ? { ...s, status: 'skipped' as const } : s)) };
  assert.equal(checkTransition(settled, 'containment', defaultGatePolicy).allowed, true);
  // Jumping to recovery also passes containment's steps through the gate.
  assert.equal(checkTransition(settled, 'recovery', defaultGatePolicy).allowed, false);
});

test('closing needs a classification and, for High, a completed post-mortem; Medium closes without one', () => {
  const post: PhaseFacts = { ...base, phase: 'post-incident', owner: 'alex' };
  const refused = checkTransition(post, 'closed', defaultGatePolicy);
  assert.deepEqual(!refused.allowed && refused.reasons, [
    'closing needs a classification',
    'a High incident closes only after its post-mortem is completed',
  ]);
  assert.equal(checkTransition({ ...post, classification: 'TruePositive', postMortemComplete: true }, 'closed', defaultGatePolicy).allowed, true);
  assert.equal(checkTransition({ ...post, severity: 'Medium', classification: 'TruePositive' }, 'closed', defaultGatePolicy).allowed, true);
  // A false positive is closed straight from detection.
  assert.equal(checkTransition({ ...base, severity: 'Low', classification: 'FalsePositive' }, 'closed', defaultGatePolicy).allowed, true);
  // A High false or benign positive needs no post-mortem (postMortemNotFor); a High true positive does.
  for (const classification of ['FalsePositive', 'BenignPositive']) assert.equal(checkTransition({ ...post, classification }, 'closed', defaultGatePolicy).allowed, true, classification);
  assert.equal(checkTransition({ ...post, classification: 'TruePositive' }, 'closed', defaultGatePolicy).allowed, false);
});

test('going back a phase needs a reason; a closed incident reopens only with one', () => {
  const contained: PhaseFacts = { ...base, phase: 'containment', owner: 'alex' };
  assert.deepEqual(checkTransition(contained, 'investigation', defaultGatePolicy), {
    allowed: false,
    kind: 'back',
    reasons: ['going back a phase needs a reason'],
  });
  assert.deepEqual(checkTransition(contained, 'investigation', defaultGatePolicy, 'new host found'), { allowed: true, kind: 'back' });
  assert.equal(transitionKind('closed', 'investigation'), 'back');
  assert.equal(checkTransition({ ...base, phase: 'closed' }, 'closed', defaultGatePolicy).allowed, false);
  assert.equal(checkTransition(contained, 'containment', defaultGatePolicy).allowed, false);
});

test('phases map to Sentinel status and back', () => {
  assert.equal(sentinelStatusFor('detection'), 'New');
  for (const p of ['investigation', 'containment', 'eradication', 'recovery', 'post-incident'] as const) assert.equal(sentinelStatusFor(p), 'Active');
  assert.equal(sentinelStatusFor('closed'), 'Closed');
  assert.equal(phaseForSentinelStatus('Active'), 'investigation');
  assert.equal(phaseForSentinelStatus('New'), 'detection');
  assert.equal(nextPhase('recovery'), 'post-incident');
  assert.equal(nextPhase('closed'), undefined);
});
