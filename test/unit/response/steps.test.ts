import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changePhase } from '../../../src/response/phase-change';
import { ensureState } from '../../../src/response/plan-assignment';
import { completeStep, skipStep } from '../../../src/response/step-actions';
import { statusFromRuns } from '../../../src/response/step-rules';
import { followRun, runStep } from '../../../src/response/step-runs';
import { person, responseWorld } from './response-fixtures';

const rui = person('responder');
const ada = person('admin', 'Ada Admin');

async function world() {
  const w = responseWorld();
  await ensureState(w.deps, w.incident);
  const ref = (stepId: string) => ({ incidentId: w.incident.name, planId: 'ransomware', stepId });
  const step = async (id: string) => (await w.deps.store.load(w.incident.name)).steps.find((s) => s.id === id)!;
  return { ...w, ref, step };
}

test('a manual step requiring evidence completes only once evidence is registered on the incident (or the named item is)', async () => {
  const w = await world();
  const refused = await completeStep(w.deps, rui, w.ref('identify-strain'));
  assert.deepEqual(refused, { ok: false, reason: "'Identify the strain and entry point' needs evidence: register it on the incident first (argus evidence add)" });
  assert.equal((await w.step('identify-strain')).status, 'pending');
  assert.deepEqual((await w.auditRows('step.complete')).map((r) => [r.outcome, r.detail.stepId]), [['rejected', 'identify-strain']]);
  const foreign = await completeStep(w.deps, rui, { ...w.ref('identify-strain'), evidenceId: 'ev-elsewhere' });
  assert.deepEqual(foreign, { ok: false, reason: 'evidence ev-elsewhere is not registered on this incident' });

  w.addEvidence('ev-1');
  w.addEvidence('ev-2');
  const done = await completeStep(w.deps, rui, { ...w.ref('identify-strain'), note: 'LockBit 3.0 via RDP' });
  assert.deepEqual(done, { ok: true, text: "Step 'Identify the strain and entry point' done by Rui Responder" });
  const s = await w.step('identify-strain');
  assert.deepEqual([s.status, s.by, s.note, s.evidence], ['done', 'Rui Responder', 'LockBit 3.0 via RDP', ['ev-2']]);
  assert.ok(s.doneAt && s.startedAt && typeof s.durationMs === 'number');
  assert.deepEqual(w.notes, ["✓ Step 'Identify the strain and entry point' done by Rui Responder: LockBit 3.0 via RDP"]);
  assert.equal((await completeStep(w.deps, rui, w.ref('identify-strain'))).ok, false, 'done once');
  // A named item on the incident is what the step records.
  const named = await completeStep(w.deps, rui, { ...w.ref('restore-data'), evidenceId: 'ev-1' });
  assert.equal(named.ok, true);
  assert.deepEqual((await w.step('restore-data')).evidence, ['ev-1']);
});

test("a step's required role is checked on the server; unknown plans and steps are not found; a closed incident takes no step", async () => {
  const w = await world();
  const refused = await completeStep(w.deps, rui, w.ref('protect-backups'));
  assert.deepEqual(refused, { ok: false, reason: "'Take backups offline and verify they are untouched' needs the admin role; your role is responder" });
  assert.equal((await completeStep(w.deps, ada, w.ref('protect-backups'))).ok, true);
  assert.deepEqual(await completeStep(w.deps, rui, { ...w.ref('scope-hosts'), planId: 'phishing' }), { ok: false, reason: 'Incident #48213 does not follow the plan \'phishing\'.', missing: true });
  assert.equal((await completeStep(w.deps, rui, w.ref('format-c'))).ok, false);
  await w.table.upsert({ partitionKey: w.incident.name, rowKey: 'phase', phase: 'closed', since: new Date().toISOString(), history: '[]' }, 'merge');
  assert.deepEqual(await completeStep(w.deps, rui, w.ref('scope-hosts')), { ok: false, reason: 'the incident is closed' });
});

test('skipping needs a reason and is kept with the step; a skipped step is settled for the gates', async () => {
  const w = await world();
  assert.deepEqual(await skipStep(w.deps, rui, w.ref('scope-hosts')), { ok: false, reason: "skipping 'Scope affected hosts and shares' needs a reason" });
  assert.equal((await skipStep(w.deps, rui, { ...w.ref('scope-hosts'), reason: 'one host only' })).ok, true);
  const s = await w.step('scope-hosts');
  assert.deepEqual([s.status, s.note, s.by], ['skipped', 'one host only', 'Rui Responder']);
  assert.deepEqual((await w.auditRows('step.skip')).map((r) => r.outcome), ['rejected', 'succeeded']);
});

test('an automated step runs its playbook; the step follows the run to done, or to failed with the reason', async () => {
  const w = await world();
  assert.deepEqual(await runStep(w.deps, rui, w.ref('scope-hosts')), { ok: false, reason: "'Scope affected hosts and shares' is a manual step: mark it done instead" });
  const started = await runStep(w.deps, rui, w.ref('collect-package'));
  assert.equal(started.ok, true);
  assert.deepEqual(w.requested, [{ playbookId: 'collect-investigation-package', by: 'Rui Responder' }]);
  assert.deepEqual([(await w.step('collect-package')).status, (await w.step('collect-package')).runIds], ['running', ['run-1']]);
  assert.equal((await runStep(w.deps, rui, w.ref('collect-package'))).ok, false, 'already running');
  assert.equal((await completeStep(w.deps, rui, w.ref('collect-package'))).ok, false, 'a running step is not ticked by hand');

  await followRun(w.deps, { incidentName: w.incident.name, runId: 'run-1' });
  assert.equal((await w.step('collect-package')).status, 'running', 'still active');
  w.runStates.set('run-1', { state: 'failed', label: 'Failed', message: 'device offline' });
  await followRun(w.deps, { incidentName: w.incident.name, runId: 'run-1' });
  const failed = await w.step('collect-package');
  assert.deepEqual([failed.status, failed.note], ['failed', 'Failed: device offline']);
  assert.deepEqual((await w.auditRows('step.run')).map((r) => [r.outcome, r.actorName]), [['rejected', 'Rui Responder'], ['succeeded', 'Rui Responder'], ['rejected', 'Rui Responder'], ['failed', 'Argus']]);

  // A failed step runs again with a new run, which succeeds.
  assert.equal((await runStep(w.deps, rui, w.ref('collect-package'))).ok, true);
  w.runStates.set('run-2', { state: 'succeeded', label: 'Succeeded' });
  await followRun(w.deps, { incidentName: w.incident.name, runId: 'run-2' });
  await followRun(w.deps, { incidentName: w.incident.name, runId: 'run-2' });
  const done = await w.step('collect-package');
  assert.deepEqual([done.status, done.runIds], ['done', ['run-2']]);
  assert.equal((await w.auditRows('step.run')).filter((r) => r.outcome === 'succeeded' && r.actorName === 'Argus').length, 1, 'settled once');
});

test('a run the playbooks feature refuses: a click is refused; a phase entry marks the step failed with the reason', async () => {
  const w = await world();
  w.outcomes(() => [{ kind: 'denied', reason: 'Collect investigation package cannot run here: sentinel is not configured.' }]);
  const clicked = await runStep(w.deps, rui, w.ref('collect-package'));
  assert.equal(clicked.ok, false);
  assert.equal((await w.step('collect-package')).status, 'pending');
  w.setOwner('ana');
  await changePhase(w.deps, rui, { incidentId: w.incident.name, to: 'investigation' });
  const s = await w.step('collect-package');
  assert.deepEqual([s.status, s.note], ['failed', "'Collect investigation package' was not started: Collect investigation package cannot run here: sentinel is not configured."]);
  // An approved step asks for approval: the step runs while the run awaits it.
  w.outcomes(() => [{ kind: 'started', runId: 'r-a', awaitingApproval: true }]);
  const approved = await runStep(w.deps, rui, w.ref('isolate-hosts'));
  assert.deepEqual(approved, { ok: true, text: "Step 'Isolate affected hosts' awaits approval of its playbook run (Rui Responder)" });
});

test("a step's status from its runs: running while any is active, failed when any failed, done when all succeeded", () => {
  const ok = { state: 'succeeded' as const, label: 'Succeeded' };
  assert.deepEqual(statusFromRuns([]), { status: 'running' });
  assert.deepEqual(statusFromRuns([ok, undefined]), { status: 'running' });
  assert.deepEqual(statusFromRuns([ok, { state: 'active', label: 'Running' }]), { status: 'running' });
  assert.deepEqual(statusFromRuns([ok, { state: 'failed', label: 'Timed out' }]), { status: 'failed', note: 'Timed out' });
  assert.deepEqual(statusFromRuns([ok, ok]), { status: 'done' });
});
