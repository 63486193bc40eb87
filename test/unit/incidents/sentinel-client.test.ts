import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DefaultAzureCredential } from '@azure/identity';
import { isArgusError, type ArgusError } from '../../../src/errors/catalog';
import { createSentinelClient, type SentinelClient } from '../../../src/incidents/sentinel-client';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { startFakeArm, type FakeArm } from '../../helpers/fake-arm';
import { fakeObjectId, hasTokenFor, startFakeManagedIdentity, type FakeManagedIdentity } from '../../helpers/fake-managed-identity';
import { fixture as sharedFixture } from '../../helpers/shared';

const fixture = (name: string) => sharedFixture(`sentinel/${name}`);
const name = '73e01a99-5cd7-4139-a149-9f2736ff2ab5';
const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';

let identity: FakeManagedIdentity;
let credential: DefaultAzureCredential;
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

before(async () => {
  identity = await startFakeManagedIdentity();
  Object.assign(process.env, identity.env);
  credential = new DefaultAzureCredential();
});

after(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await identity.close();
});

async function setup(options: { armScope?: string } = {}) {
  const arm = await startFakeArm();
  const logs = createMemoryLogStream();
  const client: SentinelClient = createSentinelClient({
    config: { ...arm.config, ...options },
    credential,
    log: createLogger({ level: 'debug', destination: logs }),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
  // An open incident: the fixture is closed.
  arm.seed(fixture('incident-rest-get.json'), {
    properties: { status: 'Active', classification: undefined, classificationReason: undefined, classificationComment: undefined, labels: [{ labelName: 'vip', labelType: 'User' }] },
  });
  return { arm, client, logs };
}

async function rejects(promise: Promise<unknown>, code: ArgusError['code']): Promise<ArgusError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isArgusError(err, code), `expected ${code}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

const puts = (arm: FakeArm) => arm.requests.filter((r) => r.method === 'PUT');

test('getIncident reads the incident with its etag, with an ARM-audience token from the managed identity', async () => {
  const { arm, client } = await setup();
  try {
    const incident = await client.getIncident(name);
    assert.equal(incident.number, 3177);
    assert.equal(incident.title, 'My incident');
    assert.equal(incident.status, 'Active');
    assert.equal(incident.etag, '"0300bf09-0000-0000-0000-5c37296e0000"');
    const [req] = arm.requests;
    assert.equal(req?.path, `${arm.incidentsPath}/${name}`);
    assert.equal(req?.query.get('api-version'), '2024-09-01');
    assert.ok(hasTokenFor(req?.headers.authorization, 'https://management.azure.com'));
    assert.ok(identity.issued.includes('https://management.azure.com'));

    await rejects(client.getIncident('00000000-0000-0000-0000-000000000000'), 'ARGUS_NOT_FOUND');
    const before = arm.requests.length;
    await rejects(client.getIncident('../../alertRules/x'), 'ARGUS_BAD_REQUEST');
    assert.equal(arm.requests.length, before, 'a bad name never reaches Sentinel');
  } finally {
    await arm.close();
  }
});

test('listIncidents filters open incidents newest first and follows nextLink; top limits', async () => {
  const { arm, client } = await setup();
  try {
    const base = fixture('incident-rest-get.json');
    for (const [i, status] of (['New', 'Closed', 'Active', 'New'] as const).entries())
      arm.seed(base, { name: `inc-${i}`, properties: { status, createdTimeUtc: `2026-01-0${i + 1}T00:00:00Z`, incidentNumber: 100 + i } });
    arm.pageSize = 2;
    const open = await client.listIncidents({ openOnly: true });
    assert.deepEqual(open.map((i) => i.number), [103, 102, 100, 3177]);
    const lists = arm.requests.filter((r) => r.method === 'GET');
    assert.equal(lists.length, 2, 'the second page came from nextLink');
    assert.equal(lists[0]?.query.get('$filter'), "properties/status ne 'Closed'");
    assert.equal(lists[0]?.query.get('$orderby'), 'properties/createdTimeUtc desc');

    const top = await client.listIncidents({ top: 1 });
    assert.deepEqual(top.map((i) => i.number), [103]);
    assert.equal((await client.listIncidents()).length, 5);
  } finally {
    await arm.close();
  }
});

test('createIncident PUTs a New incident with its labels; the same name again (or made meanwhile) answers the one there', async () => {
  const { arm, client } = await setup();
  try {
    const fresh = '9b2d5f8e-3c1a-4e7b-8d6f-1a2b3c4d5e6f';
    const made = await client.createIncident(fresh, { title: 'Encoded PowerShell', description: 'Escalated by Argus triage', severity: 'High', labels: ['argus-triage'] });
    assert.equal(made.created, true);
    assert.deepEqual([made.incident.name, made.incident.status, made.incident.severity, made.incident.labels], [fresh, 'New', 'High', ['argus-triage']]);
    assert.ok(made.incident.number > 0);
    const [put] = puts(arm);
    assert.equal(put?.path, `${arm.incidentsPath}/${fresh}`);
    assert.deepEqual(put?.json, { properties: { title: 'Encoded PowerShell', description: 'Escalated by Argus triage', severity: 'High', status: 'New', labels: [{ labelName: 'argus-triage', labelType: 'User' }] } });

    const again = await client.createIncident(fresh, { title: 'Other', severity: 'Low', labels: [] });
    assert.deepEqual([again.created, again.incident.number, again.incident.title], [false, made.incident.number, 'Encoded PowerShell']);
    assert.equal(puts(arm).length, 1, 'an incident there is answered, not written over');

    // Made by another writer between the GET and the PUT: the 409 reads it back.
    const raced = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
    arm.seed(fixture('incident-rest-get.json'), { name: raced });
    const seen = arm.requests.length;
    arm.failNext(1, 404, { code: 'NotFound', message: `Incident '${raced}' was not found` });
    const found = await client.createIncident(raced, { title: 'x', severity: 'Low', labels: [] });
    assert.deepEqual([found.created, found.incident.number], [false, 3177]);
    assert.deepEqual(arm.requests.slice(seen).map((r) => r.method), ['GET', 'PUT', 'GET']);
  } finally {
    await arm.close();
  }
});

test('updateIncident sends the whole incident with the etag and changes status and owner', async () => {
  const { arm, client } = await setup();
  try {
    const before = arm.incidents.get(name)!;
    const owner = { objectId: '2046feea-040d-4a46-9e2b-91c2941bfa70', userPrincipalName: 'alex@contoso.com' };
    const updated = await client.updateIncident(name, { status: 'Active', severity: 'Medium', owner });
    assert.equal(updated.severity, 'Medium');
    assert.deepEqual(updated.owner, owner);
    assert.notEqual(updated.etag, '"0300bf09-0000-0000-0000-5c37296e0000"');
    const put = puts(arm)[0]?.json as { etag: string; properties: Record<string, unknown> };
    assert.equal(put.etag, '"0300bf09-0000-0000-0000-5c37296e0000"');
    assert.equal(put.properties.title, 'My incident');
    assert.equal(put.properties.description, 'This is a demo incident');
    assert.deepEqual(put.properties.owner, { ...owner, email: null, assignedTo: null });
    assert.equal(put.properties.incidentNumber, undefined, 'read-only properties are not sent');
    assert.equal(put.properties.additionalData, undefined);
    const stored = arm.incidents.get(name)!;
    assert.deepEqual(stored.properties.labels, [{ labelName: 'vip', labelType: 'User' }], 'the PUT kept what it did not change');
    assert.equal(stored.properties.incidentNumber, before.properties.incidentNumber);
  } finally {
    await arm.close();
  }
});

test('closing sends the classification; closing without one is refused before any HTTP call', async () => {
  const { arm, client } = await setup();
  try {
    const issuedBefore = identity.requests.length;
    const err = await rejects(client.updateIncident(name, { status: 'Closed' }), 'ARGUS_BAD_REQUEST');
    assert.deepEqual(err.details.map((d) => d.path), ['classification']);
    await rejects(
      client.updateIncident(name, { status: 'Closed', classification: 'TruePositive', classificationReason: 'InaccurateData' }),
      'ARGUS_BAD_REQUEST',
    );
    await rejects(client.updateIncident(name, {}), 'ARGUS_BAD_REQUEST');
    assert.equal(arm.requests.length, 0);
    assert.equal(identity.requests.length, issuedBefore);

    const closed = await client.updateIncident(name, {
      status: 'Closed',
      classification: 'TruePositive',
      classificationReason: 'SuspiciousActivity',
      classificationComment: 'Confirmed by the SOC',
    });
    assert.equal(closed.status, 'Closed');
    assert.equal(closed.classification, 'TruePositive');
    assert.equal(closed.classificationReason, 'SuspiciousActivity');
    assert.equal(closed.classificationComment, 'Confirmed by the SOC');
  } finally {
    await arm.close();
  }
});

test('a 409 (someone else wrote first) re-reads and succeeds; endless conflicts end in ARGUS_CONFLICT', async () => {
  const { arm, client } = await setup();
  try {
    arm.modifyBeforeNextPut(1);
    const updated = await client.updateIncident(name, { severity: 'Low' });
    assert.equal(updated.severity, 'Low');
    assert.deepEqual(updated.labels, ['vip', 'changed-elsewhere'], 'the other writer’s change survives');
    assert.deepEqual(arm.requests.map((r) => r.method), ['GET', 'PUT', 'GET', 'PUT']);
    const [first, second] = puts(arm).map((r) => (r.json as { etag: string }).etag);
    assert.notEqual(first, second, 'the retry carries the fresh etag');

    arm.requests.length = 0;
    arm.modifyBeforeNextPut(10);
    await rejects(client.updateIncident(name, { severity: 'High' }), 'ARGUS_CONFLICT');
    assert.equal(puts(arm).length, 3);
  } finally {
    await arm.close();
  }
});

test('429 waits for Retry-After, then succeeds; 503 retries with backoff; a dropped connection is retried', async () => {
  const { arm, client, logs } = await setup();
  try {
    arm.failNext(1, 429, { retryAfter: '1' });
    const started = Date.now();
    assert.equal((await client.getIncident(name)).number, 3177);
    assert.ok(Date.now() - started >= 950, 'Retry-After was honoured');
    assert.equal(arm.requests.length, 2);
    assert.ok(logs.lines.some((l) => l.status === 429 && l.level === 40));

    arm.failNext(2, 503);
    assert.equal((await client.getIncident(name)).number, 3177);
    arm.resetNext(1);
    assert.equal((await client.getIncident(name)).number, 3177);
    assert.equal(arm.requests.length, 2 + 3 + 2);

    arm.failNext(3, 503);
    const err = await rejects(client.getIncident(name), 'ARGUS_DEPENDENCY_UNAVAILABLE');
    assert.match(err.details[0]?.message ?? '', /^503 ServiceUnavailable/);
  } finally {
    await arm.close();
  }
});

test('other 4xx answers become ARGUS_DEPENDENCY_FAILED carrying Sentinel’s code and message, without retry', async () => {
  const { arm, client } = await setup();
  try {
    arm.failNext(1, 400, { code: 'BadRequest', message: 'Owner objectId is not a valid user' });
    const err = await rejects(client.updateIncident(name, { owner: { objectId: fakeObjectId } }), 'ARGUS_DEPENDENCY_FAILED');
    assert.deepEqual(err.details, [{ path: 'sentinel', message: '400 BadRequest: Owner objectId is not a valid user' }]);
    assert.equal(arm.requests.length, 1);
  } finally {
    await arm.close();
  }
});

test('addComment PUTs the comment under a fresh GUID; a retried PUT lands on the same comment', async () => {
  const { arm, client } = await setup();
  try {
    const { id, resourceId } = await client.addComment(name, 'Isolated FIN-WS-042');
    assert.match(id, /^[0-9a-f-]{36}$/);
    const [req] = arm.requests;
    assert.equal(req?.method, 'PUT');
    assert.equal(req?.path, `${arm.incidentsPath}/${name}/comments/${id}`);
    assert.deepEqual(req?.json, { properties: { message: 'Isolated FIN-WS-042' } });
    assert.equal(resourceId, `${arm.incidentsPath}/${name}/comments/${id}`);
    assert.equal(arm.comments[0]?.properties.author && (arm.comments[0].properties.author as { objectId: string }).objectId, fakeObjectId);

    arm.requests.length = 0;
    arm.resetNext(1);
    await client.addComment(name, 'second');
    assert.equal(arm.requests.length, 2);
    assert.equal(arm.requests[0]?.path, arm.requests[1]?.path);
    assert.equal(arm.comments.length, 2);
    await rejects(client.addComment(name, '   '), 'ARGUS_BAD_REQUEST');
  } finally {
    await arm.close();
  }
});

test('runPlaybook POSTs {logicAppsResourceId, tenantId} and accepts 204; it is never retried after a 503', async () => {
  const { arm, client } = await setup();
  try {
    const { logicAppsResourceId, tenantId: sampleTenant } = fixture('run-playbook-request.json');
    await rejects(client.runPlaybook(name, logicAppsResourceId, sampleTenant), 'ARGUS_BAD_REQUEST');
    await rejects(client.runPlaybook(name, '/subscriptions/x/providers/Microsoft.Web/sites/y', tenantId), 'ARGUS_BAD_REQUEST');
    assert.equal(arm.requests.length, 0);

    await client.runPlaybook(name, logicAppsResourceId, tenantId);
    assert.equal(arm.requests[0]?.method, 'POST');
    assert.equal(arm.requests[0]?.path, `${arm.incidentsPath}/${name}/runPlaybook`);
    assert.deepEqual(arm.playbookRuns, [{ incident: name, body: { logicAppsResourceId, tenantId } }]);

    arm.failNext(1, 503);
    await rejects(client.runPlaybook(name, logicAppsResourceId, tenantId), 'ARGUS_DEPENDENCY_FAILED');
    assert.equal(arm.requests.length, 2, 'a playbook run is not repeated blindly');
  } finally {
    await arm.close();
  }
});

test('the fake checks the token audience, and the token never reaches the logs', async () => {
  const { arm, client, logs } = await setup({ armScope: 'https://graph.microsoft.com/.default' });
  try {
    const err = await rejects(client.getIncident(name), 'ARGUS_DEPENDENCY_FAILED');
    assert.match(err.details[0]?.message ?? '', /^401 InvalidAuthenticationTokenAudience/);
    const token = arm.requests[0]?.headers.authorization?.replace('Bearer ', '') ?? '';
    assert.ok(token.length > 20);

    const good = await setup();
    try {
      good.arm.failNext(1, 503);
      await good.client.getIncident(name);
      const goodToken = good.arm.requests[0]?.headers.authorization?.replace('Bearer ', '') ?? '';
      const logged = JSON.stringify([...logs.lines, ...good.logs.lines]) + JSON.stringify(err) + String(err.stack);
      assert.ok(good.logs.lines.length > 0);
      assert.ok(!logged.includes(token) && !logged.includes(goodToken));
    } finally {
      await good.arm.close();
    }
  } finally {
    await arm.close();
  }
});

test('a plain-http ARM endpoint is refused unless it is this machine', () => {
  assert.throws(
    () => createSentinelClient({ config: { subscriptionId: tenantId, resourceGroup: 'rg', workspaceName: 'ws', armEndpoint: 'http://management.example.com', apiVersion: '2024-09-01' }, credential }),
    (err) => isArgusError(err, 'ARGUS_CONFIG_INVALID'),
  );
});
