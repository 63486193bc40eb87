import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tableNames } from '../../src/storage/table-store';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { startFakeArm, type FakeArm } from '../helpers/fake-arm';
import type { ConnectorCall } from '../helpers/fake-bot-connector';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import { invoke as sendInvoke, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { waitFor } from '../helpers/wait-for';
import { runCliHere, type CliRun } from '../helpers/run-cli';

const people = testPeople('30000000');
const { responder, reader } = people;
const callbackSecret = 'test-playbook-callback-secret';
const incidentName = '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21';
const created = sentinelFixture('logic-app-incident-created.json') as { object: { properties: Record<string, any> } };
// The fixture incident as a ransomware case: the shipped ransomware plan fits (a host, the impact tactic, the title).
const ransomware = structuredClone(created);
ransomware.object.properties.title = 'Ransomware encrypted files on FIN-WS-042';
ransomware.object.properties.additionalData.tactics = ['Execution', 'Impact'];

let h: Harness;
let arm: FakeArm;
let identity: FakeManagedIdentity;
let spot: ChannelSpot;
const dir = mkdtempSync(join(tmpdir(), 'argus-response-it-'));
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

const text = (v: unknown) => JSON.stringify(v);
const invoke = (verb: string, data: Record<string, unknown>, user = responder) => sendInvoke(h, spot, user, verb, { incidentId: incidentName, ...data });
const step = { planId: 'ransomware' };

/** The notice line of an answered card. */
const noticeOf = (card: unknown) => text(((card as { body: Record<string, any>[] }).body.find((b) => b.id === 'section-notice')?.items ?? [])[0]?.text ?? '');

async function auditRows(action: string): Promise<Record<string, any>[]> {
  const rows: Record<string, any>[] = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>())
    if (e.action === action) rows.push({ ...e, detail: JSON.parse(String(e.detail ?? '{}')) });
  return rows;
}

/** `argus …` in this process, against the harness's storage. */
function argus(...args: string[]): Promise<CliRun> {
  return runCliHere(args, { env: h.azurite.env, cwd: dir });
}

async function stepRow(stepId: string): Promise<Record<string, unknown>> {
  return h.table(tableNames.response).getEntity(incidentName, `step|${stepId}`);
}

describe('response lifecycle: plan, phase gates, steps, Sentinel status, through /api/messages', () => {
  before(async () => {
    identity = await startFakeManagedIdentity();
    Object.assign(process.env, identity.env);
    arm = await startFakeArm();
    arm.seed(ransomware.object);
    const c = arm.config;
    // The shipped plans and playbooks (./plans, ./playbooks) are used as they are.
    h = await startHarness({
      configYaml: `tenantId: ${home}
${accessYaml(people, 'responder')}
sentinel: { subscriptionId: ${c.subscriptionId}, resourceGroup: ${c.resourceGroup}, workspaceName: ${c.workspaceName}, armEndpoint: "${c.armEndpoint}" }
`,
      env: { ARGUS_SECRET_PLAYBOOK_CALLBACK_SECRET: callbackSecret },
    });
    spot = await subscribedChannel(h, '19:response@thread.tacv2', people.admin, home);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', ransomware)).status, 202);
  });

  after(async () => {
    await h?.stop();
    await Promise.all([arm?.close(), identity?.close()]);
    rmSync(dir, { recursive: true, force: true });
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('a ransomware incident gets the ransomware plan, shown on its card in detection with every step pending', async () => {
    const shown = (c: ConnectorCall) => (c.kind === 'send' || c.kind === 'update') && /Response: Detection · Ransomware plan · 0\/11 steps settled/.test(text(h.connector.cardOf(c)));
    await h.connector.waitFor(shown);
    const plan = await h.table(tableNames.response).getEntity(incidentName, 'plan');
    assert.equal(plan.planId, 'ransomware');
    assert.equal((await stepRow('identify-strain')).status, 'pending');
    assert.equal((await auditRows('response.plan.assigned'))[0]?.outcome, 'succeeded');
  });

  test('containment is refused without an owner: the reason on the card, audited rejected; a reader may not even ask', async () => {
    const res = await invoke('incident.phase', { phase: 'containment' });
    assert.match(noticeOf(res.value), /Not moved to Containment: an owner must be assigned first; 3 required steps are not done or skipped/);
    const rows = await auditRows('incident.phase');
    assert.deepEqual(rows.map((r) => [r.outcome, r.detail.to, r.actorId]), [['rejected', 'containment', responder.aadObjectId]]);
    assert.match(text((await invoke('incident.phase', { phase: 'investigation' }, reader)).value), /Access denied: This needs the responder role/);
    assert.equal((await h.table(tableNames.response).getEntity(incidentName, 'phase')).phase, 'detection');
  });

  test('with an owner, investigation is allowed: audited, told in the thread, Sentinel set Active, and its automated step starts its playbook', async () => {
    await invoke('incident.assign', { assignee: 'rui@contoso.com' });
    const res = await invoke('incident.phase', { phase: 'investigation' });
    assert.match(noticeOf(res.value), /Phase Detection → Investigation\. Started: Collect investigation package\./);
    await waitFor(() => arm.playbookRuns.length === 1, { what: 'the Sentinel runPlaybook call', timeoutMs: 8_000 });
    assert.match(text(arm.playbookRuns[0]?.body), /argus-collect-investigation-package/);
    await waitFor(() => arm.incidents.get(incidentName)?.properties.status === 'Active', { what: 'the status write-back', timeoutMs: 8_000 });
    await h.connector.waitFor((c) => c.kind === 'reply' && /Phase Detection → Investigation by Rui Responder/.test(text(c.activity)));
    assert.equal((await stepRow('collect-package')).status, 'running');
    assert.deepEqual((await auditRows('incident.phase')).map((r) => r.outcome), ['rejected', 'succeeded']);
  });

  test('a manual step requiring evidence refuses to complete without evidence, and completes once evidence is registered', async () => {
    const res = await invoke('step.complete', { ...step, stepId: 'identify-strain' });
    assert.match(noticeOf(res.value), /Not done: 'Identify the strain and entry point' needs evidence/);
    assert.equal((await stepRow('identify-strain')).status, 'pending');
    assert.equal((await auditRows('step.complete'))[0]?.outcome, 'rejected');

    writeFileSync(join(dir, 'ransom-note.txt'), 'YOUR FILES ARE ENCRYPTED');
    const added = await argus('evidence', 'add', '--incident', '48213', '--file', join(dir, 'ransom-note.txt'), '--custodian', 'Rui Responder', '--purpose', 'strain identification', '--json');
    assert.equal(added.code, 0, added.err);
    const { evidenceId } = JSON.parse(added.out) as { evidenceId: string };
    const done = await invoke('step.complete', { ...step, stepId: 'identify-strain', note: 'LockBit 3.0' });
    assert.match(noticeOf(done.value), /Step 'Identify the strain and entry point' done by Rui Responder/);
    const row = await stepRow('identify-strain');
    assert.deepEqual([row.status, JSON.parse(String(row.evidence))], ['done', [evidenceId]]);
  });

  test('the automated step follows its playbook run to done', async () => {
    const report = { incidentId: incidentName, playbookId: 'collect-investigation-package', status: 'succeeded', message: 'package collected' };
    assert.equal((await h.signedPost('/api/webhooks/playbooks', report, callbackSecret)).status, 202);
    await waitFor(async () => (await stepRow('collect-package')).status === 'done', { what: 'the step to follow its run', timeoutMs: 8_000 });
  });

  test('once the investigation steps are settled, containment is allowed and audited', async () => {
    assert.match(noticeOf((await invoke('step.complete', { ...step, stepId: 'scope-hosts', note: 'FIN-WS-042 only' })).value), /Step 'Scope affected hosts and shares' done by Rui Responder/);
    assert.match(noticeOf((await invoke('step.skip', { ...step, stepId: 'identify-strain', note: 'again' })).value), /Not done: 'Identify the strain and entry point' is already done/);
    const res = await invoke('incident.phase', { phase: 'containment' });
    assert.match(noticeOf(res.value), /Phase Investigation → Containment\./);
    assert.match(text(res.value), /Isolate affected hosts/);
    assert.deepEqual((await auditRows('incident.phase')).map((r) => r.outcome), ['rejected', 'succeeded', 'succeeded']);
  });

  test('argus incident show --json reports the phase, owner and every step with who, when and how long', async () => {
    const { code, out, err } = await argus('incident', 'show', '48213', '--json');
    assert.equal(code, 0, err);
    const shown = JSON.parse(out);
    assert.deepEqual([shown.name, shown.number, shown.severity, shown.status, shown.phase, shown.owner, shown.clocks], [incidentName, 48213, 'High', 'Active', 'containment', 'rui@contoso.com', []]);
    assert.equal(shown.plan.id, 'ransomware');
    const byId = Object.fromEntries(shown.plan.steps.map((s: { id: string }) => [s.id, s]));
    assert.deepEqual(Object.keys(byId).slice(0, 4), ['scope-hosts', 'collect-package', 'identify-strain', 'isolate-hosts']);
    assert.deepEqual([byId['scope-hosts'].status, byId['scope-hosts'].by, typeof byId['scope-hosts'].durationMs], ['done', 'Rui Responder', 'number']);
    assert.deepEqual([byId['collect-package'].type, byId['collect-package'].status], ['automated', 'done']);
    assert.deepEqual([byId['isolate-hosts'].status, byId['isolate-hosts'].evidence], ['pending', []]);
    assert.equal(byId['identify-strain'].evidence.length, 1);
  });
});
