import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changePhase, followIncident, responseCloseGate } from '../../../src/response/phase-change';
import { ensureState } from '../../../src/response/plan-assignment';
import { completeStep, skipStep } from '../../../src/response/step-actions';
import { followRun } from '../../../src/response/step-runs';
import { person, ransomwareIncident, responseWorld } from './response-fixtures';

const rui = person('responder');

test('an incident seen the first time gets the best plan, every step pending, in the phase its status implies; once', async () => {
  const w = responseWorld();
  const first = await ensureState(w.deps, w.incident);
  assert.equal(first.created, true);
  assert.equal(first.state.plan?.planId, 'ransomware');
  assert.equal(first.state.phase?.phase, 'detection');
  assert.deepEqual(first.state.steps.slice(0, 3).map((s) => [s.id, s.phase, s.type, s.status]), [
    ['scope-hosts', 'investigation', 'manual', 'pending'],
    ['collect-package', 'investigation', 'automated', 'pending'],
    ['identify-strain', 'investigation', 'manual', 'pending'],
  ]);
  assert.ok(first.state.steps.every((s) => s.status === 'pending'));
  assert.equal((await ensureState(w.deps, w.incident)).created, false);
  assert.equal((await w.auditRows('response.plan.assigned')).length, 1);
  // An Active incident arrives in investigation; a closed one in closed.
  const active = responseWorld(ransomwareIncident({ name: 'b1', status: 'Active' }));
  assert.equal((await ensureState(active.deps, active.incident)).state.phase?.phase, 'investigation');
});

test('investigation without an owner is refused, audited rejected, nothing changes; with an owner it moves, audited, Sentinel told Active', async () => {
  const w = responseWorld();
  const refused = await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'investigation' });
  assert.deepEqual(refused, { kind: 'refused', reasons: ['an owner must be assigned first'] });
  assert.deepEqual((await w.auditRows('incident.phase')).map((r) => [r.outcome, r.detail.to, r.detail.reasons]), [['rejected', 'investigation', ['an owner must be assigned first']]]);
  assert.equal((await w.deps.store.load(w.incident.name)).phase?.phase, 'detection');
  assert.equal(w.statusChanges.length, 0);

  w.setOwner('ana@contoso.com');
  const moved = await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'investigation' });
  assert.equal(moved.kind, 'changed');
  assert.equal(w.current().status, 'Active');
  assert.match(w.statusChanges[0]?.threadNote ?? '', /^Phase Detection → Investigation by Rui Responder$/);
  const rows = await w.auditRows('incident.phase');
  assert.deepEqual(rows.map((r) => r.outcome), ['rejected', 'succeeded']);
  // Entering investigation started its automated step through the playbooks port.
  assert.deepEqual(w.requested, [{ playbookId: 'collect-investigation-package', by: 'Rui Responder' }]);
  assert.deepEqual(moved.kind === 'changed' && moved.started, ['Collect investigation package']);
  const state = await w.deps.store.load(w.incident.name);
  assert.equal(state.steps.find((s) => s.id === 'collect-package')?.status, 'running');
});

test('containment waits for every investigation step; moving two phases on passes both gates; going back needs a reason', async () => {
  const w = responseWorld();
  w.setOwner('ana');
  await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'investigation' });
  const refused = await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'containment' });
  assert.equal(refused.kind, 'refused');
  assert.match(refused.kind === 'refused' ? refused.reasons[0]! : '', /^3 required steps are not done or skipped: 'Scope affected hosts and shares', 'Collect investigation package', 'Identify the strain/);
  w.runStates.set('run-1', { state: 'succeeded', label: 'Succeeded' });
  await followRun(w.deps, { incidentName: w.incident.name, runId: 'run-1' });
  const ref = { incidentId: w.incident.name, planId: 'ransomware' };
  assert.equal((await completeStep(w.deps, rui, { ...ref, stepId: 'scope-hosts' })).ok, true);
  assert.equal((await skipStep(w.deps, rui, { ...ref, stepId: 'identify-strain', reason: 'strain named by the vendor' })).ok, true);
  assert.equal((await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'eradication' })).kind, 'refused', 'containment steps are open');
  assert.equal((await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'containment' })).kind, 'changed');
  assert.deepEqual(w.statusChanges.map((c) => c.status), ['Active', undefined], 'Active already: no second write-back');
  assert.deepEqual(await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'investigation' }), { kind: 'refused', reasons: ['going back a phase needs a reason'] });
  const back = await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'investigation', reason: 'a second host found' });
  assert.equal(back.kind, 'changed');
  assert.equal(back.kind === 'changed' && back.started.length, 0, 'going back starts nothing');
  assert.deepEqual((await w.deps.store.load(w.incident.name)).phase?.history.at(-1), { phase: 'investigation', at: (await w.deps.store.load(w.incident.name)).phase?.since, by: 'Rui Responder', reason: 'a second host found' });
  const detection = await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'detection', reason: 'misread' });
  assert.equal(detection.kind, 'changed');
  assert.equal(w.current().status, 'New', 'detection maps to New');
});

test('the closing gate: a classification, and for High a completed post-mortem; a close moves the phase to closed', async () => {
  const w = responseWorld();
  const gate = responseCloseGate(w.deps);
  assert.deepEqual(await gate.check(w.incident, 'TruePositive'), ['a High incident closes only after its post-mortem is completed']);
  await w.table.upsert({ partitionKey: w.incident.name, rowKey: 'postmortem', status: 'draft' }, 'merge');
  assert.equal((await gate.check(w.incident, 'TruePositive')).length, 1, 'a draft is not enough');
  await w.table.upsert({ partitionKey: w.incident.name, rowKey: 'postmortem', status: 'completed' }, 'merge');
  assert.deepEqual(await gate.check(w.incident, 'TruePositive'), []);
  const medium = responseWorld(ransomwareIncident({ name: 'm1', severity: 'Medium' }));
  assert.deepEqual(await responseCloseGate(medium.deps).check(medium.incident, 'FalsePositive'), []);

  await gate.closed(w.incident, 'incident.close', rui);
  assert.equal((await w.deps.store.load(w.incident.name)).phase?.phase, 'closed');
  const row = (await w.auditRows('incident.phase')).at(-1);
  assert.deepEqual([row?.outcome, row?.detail.to, row?.detail.via], ['succeeded', 'closed', 'incident.close']);
  assert.equal((await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'investigation' })).kind, 'refused', 'reopening needs a reason');
});

test('a close or reopen in Sentinel moves the phase; a version older than the last phase change does not', async () => {
  const w = responseWorld();
  // First sight makes the state (no card refresh is asked for: a render makes it too); a second maker finds it there.
  assert.equal(await followIncident(w.deps, w.incident), 'created');
  assert.equal(await followIncident(w.deps, w.incident), undefined);
  assert.equal(await followIncident(w.deps, w.incident, { likelyNew: true }), undefined, 'a redelivered "created" finds the state made');
  assert.equal((await ensureState(w.deps, w.incident)).created, false);
  const since = Date.parse((await w.deps.store.load(w.incident.name)).phase!.since);
  const old = new Date(since - 60_000).toISOString();
  assert.equal(await followIncident(w.deps, { ...w.incident, status: 'Closed', lastModifiedTimeUtc: old }), undefined);
  const later = new Date(since + 60_000).toISOString();
  assert.equal(await followIncident(w.deps, { ...w.incident, status: 'Closed', lastModifiedTimeUtc: later }), 'moved');
  assert.equal((await w.deps.store.load(w.incident.name)).phase?.phase, 'closed');
  const reopened = new Date(Date.now() + 120_000).toISOString();
  assert.equal(await followIncident(w.deps, { ...w.incident, status: 'Active', lastModifiedTimeUtc: reopened }), 'moved');
  assert.equal((await w.deps.store.load(w.incident.name)).phase?.phase, 'investigation');
});
