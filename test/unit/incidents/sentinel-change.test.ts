import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isArgusError } from '../../../src/errors/catalog';
import { applyIncidentChange, validateIncidentChange } from '../../../src/incidents/sentinel-change';
import { retryAfterMs } from '../../../src/net/retry';

const current = {
  title: 'T',
  severity: 'High',
  status: 'Closed',
  classification: 'FalsePositive',
  classificationReason: 'InaccurateData',
  classificationComment: 'old',
  labels: [{ labelName: 'x' }],
  incidentNumber: 7,
  additionalData: { alertsCount: 1 },
  owner: { objectId: '2046feea-040d-4a46-9e2b-91c2941bfa70', email: 'a@b.c', assignedTo: 'A', userPrincipalName: 'a@b.c' },
};

test('a new classification replaces the old verdict instead of mixing reasons', () => {
  const next = applyIncidentChange(current, validateIncidentChange({ status: 'Closed', classification: 'TruePositive' }));
  assert.equal(next.classification, 'TruePositive');
  assert.equal('classificationReason' in next, false);
  assert.equal('classificationComment' in next, false);
  assert.deepEqual(next.labels, current.labels);
  assert.equal('incidentNumber' in next || 'additionalData' in next, false);
});

test('an empty owner unassigns; a partial owner does not keep the previous owner’s fields', () => {
  assert.deepEqual(applyIncidentChange(current, { owner: {} }).owner, { objectId: null, email: null, assignedTo: null, userPrincipalName: null });
  assert.deepEqual(applyIncidentChange(current, { owner: { userPrincipalName: 'z@b.c' } }).owner, {
    objectId: null,
    email: null,
    assignedTo: null,
    userPrincipalName: 'z@b.c',
  });
});

test('changes are validated at runtime with the failing field named', () => {
  const cases: [unknown, string][] = [
    [{ status: 'Resolved' }, 'status'],
    [{ owner: { objectId: 'not-a-guid' } }, 'owner.objectId'],
    [{ classification: 'TruePositive' }, 'status'],
    [{ status: 'Closed', classification: 'Undetermined', classificationReason: 'SuspiciousActivity' }, 'classificationReason'],
    [{ severity: 'High', extra: 1 }, ''],
  ];
  for (const [change, path] of cases) {
    assert.throws(
      () => validateIncidentChange(change),
      (err) => isArgusError(err, 'ARGUS_BAD_REQUEST') && err.details.some((d) => (d.path ?? '') === path),
      JSON.stringify(change),
    );
  }
  assert.deepEqual(validateIncidentChange({ status: 'Closed', classification: 'BenignPositive', classificationReason: 'SuspiciousButExpected' }), {
    status: 'Closed',
    classification: 'BenignPositive',
    classificationReason: 'SuspiciousButExpected',
  });
});

test('Retry-After is read as seconds, as an HTTP date, or from the *-ms headers', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  assert.equal(retryAfterMs({ 'retry-after': '7' }, now), 7000);
  assert.equal(retryAfterMs({ 'retry-after': 'Sat, 21 Nov 2026 10:00:05 GMT' }, now), 5000);
  assert.equal(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, now), 250);
  assert.equal(retryAfterMs({ 'x-ms-retry-after-ms': '40' }, now), 40);
  assert.equal(retryAfterMs({ 'retry-after': 'soon' }, now), undefined);
  assert.equal(retryAfterMs({}, now), undefined);
});
