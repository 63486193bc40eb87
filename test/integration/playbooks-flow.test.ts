import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tableNames } from '../../src/storage/table-store';
import { sentinelFixture, startHarness, type Harness } from '../helpers/argus-harness';
import { startFakeArm, type FakeArm } from '../helpers/fake-arm';
import { botId, type ConnectorCall, type TestUser } from '../helpers/fake-bot-connector';
import { startFakeLogicApp, type FakeLogicApp } from '../helpers/fake-logic-app';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import { accessYaml, home, partner, testPeople } from '../helpers/test-people';
import { installActivity, invoke as sendInvoke, messageActivity, type ChannelSpot, type InvokeAnswer } from '../helpers/teams-activities';
import { waitFor } from '../helpers/wait-for';

const people = testPeople('20000000');
const { admin, responder, reader, partnerUser: federated } = people;
const callbackSecret = 'test-playbook-callback-secret';
const created = sentinelFixture('logic-app-incident-created.json') as { object: object };
const incidentName = '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21';
const channel = '19:soc-playbooks@thread.tacv2';
const adminChat = `a:personal-${admin.aadObjectId}`;

/** Test playbooks: the shipped ones' shapes with short clocks and local targets. */
const playbooks: Record<string, string> = {
  'isolate-host': `title: Isolate host\nappliesTo: { entityKinds: [Host] }\nactsOn: Host\napproval: { required: true, approverRole: admin, expiresAfter: PT30S }\ntarget: { type: http, urlSecret: pb-isolate-url }\ntimeout: PT1M`,
  'disable-account': `title: Disable account\nappliesTo: { entityKinds: [Account] }\nactsOn: Account\napproval: { required: true, expiresAfter: PT1S }\ntarget: { type: http, urlSecret: pb-disable-url }`,
  'block-ip': `title: Block IP\nappliesTo: { entityKinds: [Ip], severities: [High] }\nactsOn: Ip\ntarget: { type: http, urlSecret: pb-block-url }\ntimeout: PT1M`,
  'revoke-sessions': `title: Revoke sessions of\nappliesTo: { entityKinds: [Account] }\nactsOn: Account\ntarget: { type: http, urlSecret: pb-revoke-url }\ntimeout: PT2S`,
  'reset-password': `title: Reset password of\nappliesTo: { entityKinds: [Account] }\nactsOn: Account\nrequiredRole: admin\ntarget: { type: http, urlSecret: pb-reset-url }`,
  'collect-package': `title: Collect package\nlabel: Collect package ({entity})\nappliesTo: { entityKinds: [Host] }\nactsOn: Host\ntarget: { type: sentinel, logicAppResourceId: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Logic/workflows/argus-collect' }\ntimeout: PT1M`,
  'notify-owner': `title: Notify owner\nlabel: Notify owner ({entity})\nappliesTo: { entityKinds: [Host] }\nactsOn: Host\ntarget: { type: sentinel, logicAppResourceId: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Logic/workflows/argus-notify' }\ntimeout: PT2S`,
  'url-hunt': `title: URL hunt\nappliesTo: { entityKinds: [Url], severities: [Low] }\nactsOn: Url\ntarget: { type: http, urlSecret: pb-hunt-url }`,
};

let h: Harness;
let arm: FakeArm;
let logicApp: FakeLogicApp;
let identity: FakeManagedIdentity;
let dir: string;
let spot: ChannelSpot;
let cardActivityId: string;
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

const text = (v: unknown) => JSON.stringify(v);

const invoke = (user: TestUser, verb: string, data: Record<string, unknown>): Promise<InvokeAnswer> => sendInvoke(h, spot, user, verb, data, cardActivityId);

const runPlaybook = (user: TestUser, playbookId: string, entityId?: string) => invoke(user, 'playbook.run', { incidentId: incidentName, playbookId, entityId: entityId ?? '' });

/** A Connector call made from now on that matches. */
function nextCall(pred: (c: ConnectorCall) => boolean, since = h.connector.calls.length): Promise<ConnectorCall> {
  return h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= since && pred(c)).catch((err: Error) => {
    // Say what the card showed instead, so a failure explains itself.
    const last = [...h.connector.calls].reverse().find((c) => c.kind === 'update' && c.activityId === cardActivityId);
    throw new Error(`${err.message}; the incident card last showed ${JSON.stringify(last ? runLines(h.connector.cardOf(last)) : [])}`);
  });
}

type RunLine = { title: string; status: string; detail: string };

/** The run lines of the incident card's playbooks section. */
function runLines(card: unknown): RunLine[] {
  const body = ((card as { body?: Record<string, any>[] } | undefined)?.body ?? []).find((b) => b.id === 'section-playbooks');
  return ((body?.items ?? []) as Record<string, any>[])
    .filter((i) => i.type === 'Container')
    .map((c) => ({ title: c.items[0].columns[0].items[0].text, status: c.items[0].columns[1].items[0].text, detail: c.items[1].text }));
}

/** An update of the incident card showing a run of `title` in a status matching `status`. */
const runUpdate = (title: string, status: RegExp, detail = /./) => (c: ConnectorCall) =>
  c.kind === 'update' && c.activityId === cardActivityId && runLines(h.connector.cardOf(c)).some((r) => r.title === title && status.test(r.status) && detail.test(r.detail));

async function auditRows(pred: (r: Record<string, any>) => boolean): Promise<Record<string, any>[]> {
  const rows: Record<string, any>[] = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>())
    if (e.rowKey !== 'head' && typeof e.action === 'string') {
      const row = { ...e, detail: JSON.parse(String(e.detail ?? '{}')) as Record<string, any> };
      if (pred(row)) rows.push(row);
    }
  return rows;
}

const callback = (payload: unknown, secret = callbackSecret) => h.signedPost('/api/webhooks/playbooks', payload, secret);

function personalInstall(user: TestUser) {
  return {
    id: randomUUID(),
    type: 'conversationUpdate',
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    timestamp: new Date().toISOString(),
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: botId, name: 'Argus' },
    membersAdded: [{ id: botId }],
    conversation: { id: adminChat, conversationType: 'personal', tenantId: user.tenantId },
    channelData: { tenant: { id: user.tenantId } },
  };
}

describe('playbooks: cards → roles → approval → Logic Apps and Sentinel → callbacks → audit', () => {
  before(async () => {
    identity = await startFakeManagedIdentity();
    Object.assign(process.env, identity.env);
    arm = await startFakeArm();
    arm.seed(created.object);
    logicApp = await startFakeLogicApp();
    dir = mkdtempSync(join(tmpdir(), 'argus-playbooks-it-'));
    for (const [id, body] of Object.entries(playbooks)) writeFileSync(join(dir, `${id}.yaml`), `id: ${id}\ndescription: ${id} for tests\n${body}\n`);
    const configYaml = `
tenantId: ${home}
publicUrl: https://argus.test
${accessYaml(people, 'responder')}
sentinel: { subscriptionId: ${arm.config.subscriptionId}, resourceGroup: ${arm.config.resourceGroup}, workspaceName: ${arm.config.workspaceName}, armEndpoint: '${arm.config.armEndpoint}' }
playbooks: { dir: '${dir}', sweepInterval: PT0.2S, retryBaseDelay: PT0.05S, triggerAttempts: 3 }
# The shipped response plans name the shipped playbooks; these test playbooks come without plans.
response: { plansDir: '${dir}/no-plans' }
`;
    const env: Record<string, string> = { ARGUS_SECRET_PLAYBOOK_CALLBACK_SECRET: callbackSecret };
    for (const wf of ['isolate', 'disable', 'block', 'revoke', 'reset', 'hunt']) env[`ARGUS_SECRET_PB_${wf.toUpperCase()}_URL`] = logicApp.triggerUrl(wf);
    h = await startHarness({ configYaml, env });
    spot = { serviceUrl: h.connector.url, conversationId: channel, teamId: channel, tenantId: home };
    assert.equal((await h.activity(installActivity(spot, admin))).status, 200);
    assert.equal((await h.activity(personalInstall(admin))).status, 200);
    await h.activity(messageActivity(spot, admin, 'subscribe'));
    assert.equal((await h.signedPost('/api/webhooks/sentinel', created)).status, 202);
    const post = await h.connector.waitFor((c) => c.kind === 'send' && c.conversationId === channel && /48213/.test(text(h.connector.cardOf(c))));
    cardActivityId = String(post.activity.id);
  });

  after(async () => {
    await h?.stop();
    await Promise.all([arm?.close(), logicApp?.close(), identity?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test('the incident card offers each playbook that applies, per entity; a viewer sees only what they may run', async () => {
    const posted = h.connector.calls.find((c) => c.kind === 'send' && c.activity.id === cardActivityId);
    assert.doesNotMatch(text(h.connector.cardOf(posted!)), /playbook\.run/, 'the channel card is read-only');
    const forAdmin = text((await invoke(admin, 'incident.refresh', { incidentId: incidentName })).value);
    for (const label of ['Isolate host FIN-WS-042 (approval)', 'Disable account j.doe (approval)', 'Block IP 203.0.113.45', 'Reset password of j.doe', 'Collect package (FIN-WS-042)'])
      assert.ok(forAdmin.includes(label), label);
    assert.doesNotMatch(forAdmin, /URL hunt/);
    const forResponder = text((await invoke(responder, 'incident.refresh', { incidentId: incidentName })).value);
    assert.match(forResponder, /Block IP 203\.0\.113\.45/);
    assert.doesNotMatch(forResponder, /Reset password/, 'admin-only playbooks are hidden from a responder');
    assert.doesNotMatch(text((await invoke(reader, 'incident.refresh', { incidentId: incidentName })).value), /playbook\.run/);
  });

  test('forged invokes (a playbook that does not apply, a foreign entity, an unknown playbook) are refused and audited', async () => {
    const cases: [string, string | undefined, RegExp][] = [
      ['url-hunt', 'e-url-1', /URL hunt applies to Low incidents; this one is High/],
      ['block-ip', 'e-host-1', /not one of the Ip entities of incident #48213/],
      ['block-ip', 'e-ip-of-another-incident', /not one of the Ip entities/],
      ['isolate-host', undefined, /Choose the Host entity/],
      ['format-disk', 'e-host-1', /no playbook 'format-disk'/],
    ];
    for (const [playbookId, entityId, reason] of cases) {
      const res = await runPlaybook(admin, playbookId, entityId);
      assert.equal(res.type, 'application/vnd.microsoft.card.adaptive');
      assert.match(text(res.value), /Not run: /);
      assert.match(text(res.value), reason);
    }
    assert.equal(logicApp.requests.length, 0);
    assert.equal(arm.playbookRuns.length, 0);
    const denied = await auditRows((r) => r.action === 'playbook.run.denied' && r.actorId === admin.aadObjectId);
    assert.equal(denied.length, cases.length);
    assert.ok(denied.every((r) => r.outcome === 'denied' && r.target === incidentName && r.correlationId && r.detail.reason));
  });

  test('roles: a responder may not run an admin playbook, a reader nothing, a federated user no more than maxRole', async () => {
    assert.match(text((await runPlaybook(responder, 'reset-password', 'e-acct-1')).value), /needs the admin role; your role is responder/);
    assert.match(text((await runPlaybook(reader, 'block-ip', 'e-ip-1')).value), /needs the responder role; your role is reader/);
    assert.match(text((await runPlaybook(federated, 'reset-password', 'e-acct-1')).value), /needs the admin role; your role is responder/);
    const denied = await auditRows((r) => r.action === 'playbook.run.denied' && r.actorId !== admin.aadObjectId);
    assert.deepEqual(denied.map((r) => r.actorId).sort(), [responder, reader, federated].map((u) => u.aadObjectId).sort());
    assert.equal(denied.find((r) => r.actorId === federated.aadObjectId)?.actorTenantId, partner);
    assert.equal(logicApp.requests.length, 0);
  });

  let blockRun = '';
  test('an allowed run answers at once, is triggered in the background, and follows the callbacks to the end', async () => {
    const since = h.connector.calls.length;
    const res = await runPlaybook(responder, 'block-ip', 'e-ip-1');
    assert.match(text(res.value), /Block IP · 203\.0\.113\.45 requested; Argus is starting it/);
    await waitFor(() => logicApp.runs('block').length === 1, { what: 'the Logic App call', timeoutMs: 8_000 });
    const call = logicApp.runs('block')[0]!;
    const body = call.json as Record<string, any>;
    blockRun = body.runId;
    assert.match(blockRun, /^[0-9a-f-]{36}$/);
    assert.equal(call.headers['x-ms-client-tracking-id'], blockRun);
    assert.deepEqual(body, {
      runId: blockRun,
      playbookId: 'block-ip',
      incident: { id: incidentName, number: 48213, title: 'Suspicious PowerShell download cradle on FIN-WS-042', severity: 'High' },
      entity: { kind: 'Ip', id: 'e-ip-1', name: '203.0.113.45', properties: { address: '203.0.113.45', friendlyName: '203.0.113.45' } },
      requestedBy: { aadObjectId: responder.aadObjectId, name: 'Rui Responder', tenantId: home },
      approvedBy: null,
      callbackUrl: 'https://argus.test/api/webhooks/playbooks',
    });
    await nextCall(runUpdate('Block IP · 203.0.113.45', /^Triggered$/), since);
    await nextCall((c) => c.kind === 'reply' && /▶️ Playbook Block IP · 203\.0\.113\.45: Triggered \(requested by Rui Responder; correlation id /.test(String(c.activity.text)), since);

    const again = await runPlaybook(responder, 'block-ip', 'e-ip-1');
    assert.match(text(again.value), /already in progress \(Triggered, requested by Rui Responder\)\. Nothing new was started/);

    const forged = await callback({ runId: blockRun, status: 'succeeded' }, 'not-the-secret');
    assert.equal(forged.status, 401);
    assert.equal(forged.json.error.code, 'ARGUS_BAD_SIGNATURE');
    assert.equal((await h.post('/api/webhooks/playbooks', JSON.stringify({ runId: blockRun, status: 'succeeded' }))).status, 401);
    const invalid = await callback({ runId: blockRun, status: 'done' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.json.error.details[0].path, 'status');

    assert.equal((await callback({ runId: blockRun, status: 'running' })).status, 202);
    await nextCall(runUpdate('Block IP · 203.0.113.45', /^Running$/), since);
    const done = { runId: blockRun, status: 'succeeded', message: 'Indicator 5512 created', output: { indicatorId: 5512 } };
    assert.equal((await callback(done)).status, 202);
    await nextCall(runUpdate('Block IP · 203.0.113.45', /^Succeeded: Indicator 5512 created$/), since);
    const repeat = await callback(done);
    assert.equal(repeat.status, 200);
    assert.equal(repeat.json.duplicate, true);
    assert.equal(logicApp.runs('block').length, 1, 'the duplicate click started nothing');

    const rows = await auditRows((r) => r.detail.runId === blockRun || (r.action === 'playbook.run.requested' && r.outcome === 'rejected'));
    assert.deepEqual(rows.map((r) => `${r.action}:${r.outcome}`).sort(), [
      'playbook.run.requested:allowed',
      'playbook.run.requested:rejected',
      'playbook.run.running:succeeded',
      'playbook.run.succeeded:succeeded',
      'playbook.run.triggered:succeeded',
    ]);
    const correlation = rows.find((r) => r.outcome === 'allowed')?.correlationId;
    for (const r of rows) {
      assert.equal(r.target, incidentName);
      assert.equal(r.detail.playbookId, 'block-ip');
      assert.deepEqual(r.detail.entity, { kind: 'Ip', name: '203.0.113.45', id: 'e-ip-1' });
      if (r.outcome !== 'rejected') assert.equal(r.correlationId, correlation);
    }
  });

  let timeoutRun = '';
  test('a 429 from the Logic App is retried with the same runId (Retry-After honoured)', async () => {
    logicApp.answerNext('revoke', { status: 429, retryAfter: '0' });
    const before = logicApp.requests.length;
    await runPlaybook(responder, 'revoke-sessions', 'e-acct-1');
    await waitFor(() => logicApp.runs('revoke').length === 1, { what: 'the retried Logic App call', timeoutMs: 8_000 });
    const calls = logicApp.requests.slice(before);
    assert.equal(calls.length, 2);
    timeoutRun = (calls[0]?.json as { runId: string }).runId;
    for (const c of calls) {
      assert.equal((c.json as { runId: string }).runId, timeoutRun);
      assert.equal(c.headers['x-ms-client-tracking-id'], timeoutRun);
    }
    const warned = h.logs.lines.find((l) => l.msg === 'playbook trigger failed; retrying with the same runId');
    assert.match(String(warned?.problem), /^429 WorkflowRequestsThrottled/);
    assert.doesNotMatch(JSON.stringify(h.logs.lines), /fake-sas-signature/, 'the trigger URL is never logged');
  });

  test('a Logic App answering 400 fails the run, with its reason on the card', async () => {
    logicApp.answerNext('reset', { status: 400, code: 'InvalidRequestContent', message: 'The account is synced from on-premises' });
    const since = h.connector.calls.length;
    await runPlaybook(admin, 'reset-password', 'e-acct-1');
    await nextCall(runUpdate('Reset password of · j.doe@contoso.com', /^Failed: The Logic App refused the run \(400 InvalidRequestContent: The account is synced from on-premises\)\.$/), since);
    const failed = await auditRows((r) => r.action === 'playbook.run.failed' && r.detail.playbookId === 'reset-password');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.actorId, admin.aadObjectId);
  });

  let expiringSince = 0;
  test('approval: neither the requester, a federated user nor a reader may approve; another admin does, and it runs', async () => {
    const since = h.connector.calls.length;
    // Asked for now, so its one-second approval window runs out during this test (checked in the next).
    expiringSince = since;
    assert.match(text((await runPlaybook(responder, 'disable-account', 'e-acct-1')).value), /awaits approval/);
    const runIdOf = (c: ConnectorCall) => (h.connector.cardOf(c)!.actions as { verb: string; data: { runId: string } }[]).find((a) => a.verb === 'playbook.approve')!.data.runId;
    const isApproval = (c: ConnectorCall, not?: string) =>
      /playbook\.approve/.test(text(h.connector.cardOf(c)) ?? '') && /Isolate host/.test(text(h.connector.cardOf(c))) && runIdOf(c) !== not;

    // A first request is rejected: it ends, and frees the host for a new request.
    await runPlaybook(responder, 'isolate-host', 'e-host-1');
    const first = runIdOf(await nextCall((c) => c.kind === 'reply' && isApproval(c), since));
    assert.match(text((await invoke(admin, 'playbook.reject', { incidentId: incidentName, runId: first })).value), /Rejected by Ada Admin/);
    assert.equal((await auditRows((r) => r.action === 'playbook.approval.rejected' && r.detail.runId === first)).length, 1);

    const res = await runPlaybook(responder, 'isolate-host', 'e-host-1');
    assert.match(text(res.value), /Isolate host · FIN-WS-042\.corp\.contoso\.com awaits approval by an admin other than you/);
    const inThread = await nextCall((c) => c.kind === 'reply' && c.conversationId === `${channel};messageid=${cardActivityId}` && isApproval(c, first), since);
    const inChat = await nextCall((c) => c.kind === 'send' && c.conversationId === adminChat && isApproval(c, first), since);
    const runId = runIdOf(inThread);
    assert.match(text(h.connector.cardOf(inChat)), new RegExp(runId));
    const approve = (user: TestUser) => invoke(user, 'playbook.approve', { incidentId: incidentName, runId });

    assert.match(text((await approve(responder)).value), /You requested this run; another person must approve it/);
    assert.match(text((await approve(federated)).value), /another organisation can never approve/);
    assert.match(text((await approve(reader)).value), /Approving needs the admin role; your role is reader/);
    assert.equal(logicApp.runs('isolate').length, 0);

    const approved = await approve(admin);
    assert.match(text(approved.value), /Approved by Ada Admin/);
    assert.doesNotMatch(text(approved.value), /playbook\.approve/);
    await waitFor(() => logicApp.runs('isolate').length === 1, { what: 'the approved run', timeoutMs: 8_000 });
    const body = logicApp.runs('isolate')[0]?.json as Record<string, any>;
    assert.equal(body.runId, runId);
    assert.deepEqual(body.approvedBy, { aadObjectId: admin.aadObjectId, name: 'Ada Admin', tenantId: home });
    assert.deepEqual(body.requestedBy.aadObjectId, responder.aadObjectId);
    for (const sent of [inThread, inChat])
      await nextCall((c) => c.kind === 'update' && c.activity.id === sent.activity.id && /Approved by Ada Admin · Triggered/.test(text(h.connector.cardOf(c))), since);
    await nextCall(runUpdate('Isolate host · FIN-WS-042.corp.contoso.com', /^Triggered$/, /requested by Rui Responder · approved by Ada Admin · correlation id /), since);
    assert.match(text((await approve(admin)).value), /no longer pending \(Triggered\)/);

    const rows = await auditRows((r) => r.detail.runId === runId);
    const actions = rows.map((r) => `${r.action}:${r.outcome}:${r.actorName}`);
    for (const expected of [
      'playbook.run.requested:allowed:Rui Responder',
      'playbook.approval.requested:succeeded:Rui Responder',
      'playbook.approval.denied:denied:Rui Responder',
      'playbook.approval.denied:denied:Pat Partner',
      'playbook.approval.denied:denied:Rita Reader',
      'playbook.approval.approved:allowed:Ada Admin',
      'playbook.run.triggered:succeeded:Rui Responder',
    ])
      assert.ok(actions.includes(expected), `${expected} in ${actions.join(', ')}`);
  });

  test('an approval expires; approving it late starts nothing', async () => {
    const ask = await nextCall((c) => c.kind === 'reply' && /Disable account/.test(text(h.connector.cardOf(c)) ?? ''), expiringSince);
    const runId = (h.connector.cardOf(ask)!.actions as { data: { runId: string } }[])[0]!.data.runId;
    await nextCall(runUpdate('Disable account · j.doe@contoso.com', /^Approval expired: no decision in time$/), expiringSince);
    await nextCall((c) => c.kind === 'update' && c.activity.id === ask.activity.id && /Expired: nobody decided in time/.test(text(h.connector.cardOf(c))), expiringSince);
    assert.match(text((await invoke(admin, 'playbook.approve', { incidentId: incidentName, runId })).value), /no longer pending \(Approval expired\)/);
    assert.equal((await auditRows((r) => r.action === 'playbook.approval.expired' && r.detail.runId === runId)).length, 1);
    assert.equal(logicApp.runs('disable').length, 0);
  });

  test('Sentinel target: runPlaybook with the Logic App and tenant; a callback by incident + playbook completes it; silence times out', async () => {
    const since = h.connector.calls.length;
    const workflow = (name: string) => `/subscriptions/${arm.config.subscriptionId}/resourceGroups/myRg/providers/Microsoft.Logic/workflows/${name}`;
    // Nobody reports back for this one: it times out while the other completes.
    await runPlaybook(responder, 'notify-owner');
    await runPlaybook(responder, 'collect-package');
    await waitFor(() => arm.playbookRuns.length === 2, { what: 'the runPlaybook calls', timeoutMs: 8_000 });
    assert.deepEqual(
      arm.playbookRuns.map((r) => r.body).sort((a, b) => text(a).localeCompare(text(b))),
      [{ logicAppsResourceId: workflow('argus-collect'), tenantId: home }, { logicAppsResourceId: workflow('argus-notify'), tenantId: home }],
    );
    assert.ok(arm.playbookRuns.every((r) => r.incident === incidentName));
    const call = arm.requests.find((r) => r.path.endsWith('/runPlaybook'));
    assert.equal(call?.query.get('api-version'), '2024-09-01');
    await nextCall(runUpdate('Collect package · whole incident', /^Triggered$/), since);
    const report = { incidentId: `${arm.incidentsPath}/${incidentName}`, playbookId: 'collect-package', status: 'succeeded', message: 'Package collected from 1 device' };
    assert.equal((await callback(report)).status, 202);
    await nextCall(runUpdate('Collect package · whole incident', /^Succeeded: Package collected from 1 device$/), since);

    await nextCall(runUpdate('Notify owner · whole incident', /^Timed out: triggered, no confirmation$/), since);
    const timedOut = await auditRows((r) => r.action === 'playbook.run.timed-out');
    assert.deepEqual(timedOut.map((r) => r.detail.playbookId).sort(), ['notify-owner', 'revoke-sessions']);
    assert.equal(timedOut.find((r) => r.detail.playbookId === 'revoke-sessions')?.detail.runId, timeoutRun);
    assert.match(timedOut.find((r) => r.detail.playbookId === 'revoke-sessions')?.detail.message, /no result within 2 s/);
  });

  test('a report for an unknown run changes nothing and is audited', async () => {
    const runId = randomUUID();
    assert.equal((await callback({ runId, status: 'succeeded' })).status, 202);
    await waitFor(async () => (await auditRows((r) => r.action === 'playbook.run.report-rejected' && r.detail.runId === runId)).length === 1, { what: 'the audit row', timeoutMs: 8_000 });
  });

  test('commands: "playbooks" lists the catalog; "playbooks <n>" what applies, with buttons for what the user may run', async () => {
    const ask = async (user: TestUser, words: string) => {
      const since = h.connector.calls.length;
      await h.activity(messageActivity(spot, user, words));
      return text(h.connector.cardOf(await nextCall((c) => c.kind === 'reply' && /Playbooks/.test(text(h.connector.cardOf(c)) ?? ''), since)));
    };
    const catalog = await ask(reader, 'playbooks');
    assert.match(catalog, /Playbooks \(8\)/);
    assert.match(catalog, /Reset password of \(reset-password\)/);
    assert.match(catalog, /role admin · no approval/);
    assert.match(catalog, /role responder · approval by another admin within 30 s/);
    const applicable = await ask(responder, 'playbooks 48213');
    assert.match(applicable, /Playbooks for incident #48213/);
    assert.match(applicable, /Block IP 203\.0\.113\.45/);
    assert.doesNotMatch(applicable, /URL hunt/);
    assert.ok(applicable.includes('"text":"role admin · no approval · timeout 15 min · you may not run it (your role is responder)"'));
    assert.ok(applicable.includes(`"playbookId":"isolate-host","entityId":"e-host-1"`));
    assert.ok(!applicable.includes(`"playbookId":"reset-password"`));
  });

  test('every step is audited with actor, playbook, entity, incident and correlation id', async () => {
    const rows = await auditRows((r) => String(r.action).startsWith('playbook.'));
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['requested', 'denied', 'triggered', 'running', 'succeeded', 'failed', 'timed-out'].map((x) => `playbook.run.${x}`)) assert.ok(actions.has(a), a);
    for (const a of ['requested', 'approved', 'denied', 'rejected', 'expired'].map((x) => `playbook.approval.${x}`)) assert.ok(actions.has(a), a);
    for (const r of rows) {
      if (r.action !== 'playbook.run.report-rejected') assert.equal(r.target, incidentName, r.action);
      assert.ok(r.correlationId, r.action);
      assert.ok('entity' in r.detail && 'playbookId' in r.detail, r.action);
      if (r.action !== 'playbook.run.report-rejected') assert.ok(r.actorId, r.action);
    }
  });
});
