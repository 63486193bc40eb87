import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { parsePlaybook } from '../../../src/playbooks/catalog';
import { createHttpRunner } from '../../../src/playbooks/http-runner';
import type { PlaybookRun } from '../../../src/playbooks/playbook';
import type { TriggerRequest } from '../../../src/playbooks/runner';
import { startFakeLogicApp, type FakeLogicApp } from '../../helpers/fake-logic-app';

let app: FakeLogicApp;
before(async () => (app = await startFakeLogicApp()));
after(() => app.close());

const playbook = parsePlaybook(
  'id: block-ip\ntitle: Block IP\ndescription: d\nappliesTo: { entityKinds: [Ip] }\nactsOn: Ip\ntarget: { type: http, urlSecret: block-url }\n',
  'block-ip.yaml',
  { publicUrl: 'https://argus.example.com' },
);

function request(runId: string): TriggerRequest {
  const run: PlaybookRun = {
    runId,
    playbookId: 'block-ip',
    playbookTitle: 'Block IP',
    incidentName: 'inc-1',
    incidentNumber: 7,
    incidentTitle: 'Beacon',
    severity: 'High',
    entity: { kind: 'Ip', id: 'e-ip-1', displayName: '203.0.113.45' },
    target: 'http',
    status: 'triggering',
    requestedBy: { aadObjectId: 'u1', name: 'Rui', tenantId: 't1', teamsUserId: '29:x' },
    requestedAt: new Date().toISOString(),
    attempts: 1,
    correlationId: 'c1',
    approvalCards: [],
  };
  const entities = [{ kind: 'Ip', id: 'e-ip-1', displayName: '203.0.113.45', properties: { address: '203.0.113.45' } }];
  return { run, playbook, incident: { name: 'inc-1', number: 7, title: 'Beacon', severity: 'High', entities }, callbackUrl: 'https://argus.example.com/api/webhooks/playbooks' };
}

function runner(url: string | undefined, logs = createMemoryLogStream()) {
  return createHttpRunner({
    secrets: { get: async (name) => (name === 'block-url' ? url : undefined) },
    attempts: 3,
    baseDelayMs: 5,
    maxRetryAfterMs: 2000,
    log: createLogger({ level: 'debug', destination: logs }),
  });
}

const calls = (workflow: string) => app.requests.filter((r) => r.path === `/workflows/${workflow}/triggers/manual/paths/invoke`);

test('the Logic App gets the run, entity, people and callback URL; 5xx is retried with the same runId', async () => {
  const logs = createMemoryLogStream();
  app.answerNext('wf-retry', { status: 503 }, { status: 502 });
  const outcome = await runner(app.triggerUrl('wf-retry'), logs).trigger(request('11111111-0000-4000-8000-000000000001'));
  assert.deepEqual(outcome, { ok: true, detail: 'Logic App accepted the run (202)' });
  assert.equal(calls('wf-retry').length, 3);
  for (const call of calls('wf-retry')) {
    assert.equal(call.headers['x-ms-client-tracking-id'], '11111111-0000-4000-8000-000000000001');
    assert.equal((call.json as { runId: string }).runId, '11111111-0000-4000-8000-000000000001');
  }
  assert.deepEqual(app.runs('wf-retry')[0]?.json, {
    runId: '11111111-0000-4000-8000-000000000001',
    playbookId: 'block-ip',
    incident: { id: 'inc-1', number: 7, title: 'Beacon', severity: 'High' },
    entity: { kind: 'Ip', id: 'e-ip-1', name: '203.0.113.45', properties: { address: '203.0.113.45' } },
    requestedBy: { aadObjectId: 'u1', name: 'Rui', tenantId: 't1' },
    approvedBy: null,
    callbackUrl: 'https://argus.example.com/api/webhooks/playbooks',
  });
  const text = JSON.stringify(logs.lines);
  assert.match(text, /retrying with the same runId/);
  assert.doesNotMatch(text, /sig=|fake-sas-signature/, 'the trigger URL carries a signature and is never logged');
});

test('a 4xx fails at once with the Logic App reason; a long Retry-After fails instead of waiting', async () => {
  app.answerNext('wf-bad', { status: 400, code: 'InvalidRequestContent', message: 'entity.id is required' });
  const bad = await runner(app.triggerUrl('wf-bad')).trigger(request('11111111-0000-4000-8000-000000000002'));
  assert.deepEqual(bad, { ok: false, reason: 'The Logic App refused the run (400 InvalidRequestContent: entity.id is required).' });
  assert.equal(calls('wf-bad').length, 1);
  app.answerNext('wf-slow', { status: 429, retryAfter: '120' });
  const slow = await runner(app.triggerUrl('wf-slow')).trigger(request('11111111-0000-4000-8000-000000000003'));
  assert.equal(slow.ok, false);
  assert.match((slow as { reason: string }).reason, /throttling \(429 WorkflowRequestsThrottled/);
  const unsigned = await runner(app.triggerUrl('wf-x').replace(/&sig=[^&]+/, '')).trigger(request('11111111-0000-4000-8000-000000000004'));
  assert.match((unsigned as { reason: string }).reason, /401 DirectApiAuthorizationRequired/);
});

test('an unreachable Logic App is retried, then the run fails saying so', async () => {
  const closed = await startFakeLogicApp();
  const url = closed.triggerUrl('wf');
  await closed.close();
  const outcome = await runner(url).trigger(request('11111111-0000-4000-8000-000000000005'));
  assert.deepEqual(outcome, { ok: false, reason: 'The Logic App could not be reached after 3 attempts (ECONNREFUSED).' });
});

test('a missing secret or a URL that is not https fails without any call', async () => {
  const before = app.requests.length;
  assert.deepEqual(await runner(undefined).trigger(request('11111111-0000-4000-8000-000000000006')), { ok: false, reason: "The trigger URL secret 'block-url' is not set." });
  const plain = await runner('http://logic.example.com/workflows/x/triggers/manual/paths/invoke?sig=1').trigger(request('11111111-0000-4000-8000-000000000007'));
  assert.deepEqual(plain, { ok: false, reason: "The trigger URL in secret 'block-url' is not an https URL." });
  assert.equal(app.requests.length, before);
});
