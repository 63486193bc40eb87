import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSentinelIncidentResource, parseSentinelWebhook, type SentinelWebhook } from '../../../src/incidents/sentinel-mapping';
import { fixture as sharedFixture } from '../../helpers/shared';

const fixture = (name: string) => sharedFixture(`sentinel/${name}`);

function accept(body: unknown): SentinelWebhook {
  const result = parseSentinelWebhook(body);
  if (!result.ok) assert.fail(`rejected: ${JSON.stringify(result.details)}`);
  return result.value;
}

function reject(body: unknown): { path?: string; message: string }[] {
  const result = parseSentinelWebhook(body);
  assert.equal(result.ok, false, 'expected the body to be rejected');
  return result.ok ? [] : result.details;
}

const hash = 'f8810179ab033a9b79cd7006c1a74fbcde6ed0451c92fbb8c7ce15b52499353a';

test('the Logic App "created" trigger body maps to a created incident with entities, alerts and workspace', () => {
  const hook = accept(fixture('logic-app-incident-created.json'));
  const { incident } = hook;
  assert.equal(hook.eventType, 'created');
  assert.equal(hook.eventUniqueId, '5f1c2a7e-3b8d-4c61-9a0e-7d2b4e6f8a10');
  assert.equal(hook.updates, undefined);
  assert.deepEqual(hook.workspace, {
    subscriptionId: 'd0cfe6b2-9ac0-4464-9919-dccaee2e48c0',
    resourceGroup: 'soc-rg',
    workspaceName: 'soc-workspace',
    workspaceId: 'c8c99641-985d-4e4e-8e91-fb3466cd0e5b',
  });
  assert.equal(incident.name, '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21');
  assert.equal(incident.number, 48213);
  assert.equal(incident.title, 'Suspicious PowerShell download cradle on FIN-WS-042');
  assert.equal(incident.severity, 'High');
  assert.equal(incident.status, 'New');
  assert.equal(incident.owner, undefined, 'an owner of nulls is no owner');
  assert.deepEqual(incident.labels, ['finance']);
  assert.deepEqual(incident.tactics, ['Execution', 'CommandAndControl']);
  assert.deepEqual(incident.techniques, ['T1059', 'T1105']);
  assert.equal(incident.alertCount, 2);
  assert.deepEqual(incident.alertProducts, ['Azure Sentinel', 'Microsoft Defender for Endpoint']);
  assert.equal(incident.etag, '"1a00c3f2-0000-0d00-0000-6740f1a20000"');
  assert.match(incident.portalUrl ?? '', /^https:\/\/portal\.azure\.com\/#asset\/.+2b7e9f1c/);
  assert.equal(incident.createdTimeUtc, '2026-11-21T09:05:02.331Z');
  assert.equal(incident.lastModifiedTimeUtc, '2026-11-21T09:05:02.331Z');
  assert.deepEqual(
    incident.entities.map((e) => [e.kind, e.id, e.displayName]),
    [
      ['Host', 'e-host-1', 'FIN-WS-042.corp.contoso.com'],
      ['Account', 'e-acct-1', 'j.doe@contoso.com'],
      ['Ip', 'e-ip-1', '203.0.113.45'],
      ['Url', 'e-url-1', 'http://203.0.113.45/a.ps1'],
      ['FileHash', 'e-hash-1', `SHA256:${hash}`],
    ],
  );
  assert.equal(incident.entities[0]?.properties.osFamily, 'Windows');
  assert.deepEqual(
    hook.alerts.map((a) => [a.id, a.displayName, a.productName, a.severity]),
    [
      ['0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b', 'PowerShell download cradle', 'Azure Sentinel', 'High'],
      ['1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', 'Connection to known malicious IP', 'Microsoft Defender for Endpoint', 'Medium'],
    ],
  );
  const commandLine = hook.alerts[0]?.customDetails?.CommandLine;
  assert.ok(Array.isArray(commandLine), 'custom details string parsed into an object');
  assert.match(String(commandLine[0]), /^powershell -nop -w hidden/);
  assert.equal(hook.alerts[1]?.customDetails, undefined);
});

test('the "updated" trigger body carries the owner, new status and normalised incidentUpdates', () => {
  const hook = accept(fixture('logic-app-incident-updated.json'));
  assert.equal(hook.eventType, 'updated');
  assert.equal(hook.incident.status, 'Active');
  assert.equal(hook.incident.lastModifiedTimeUtc, '2026-11-21T09:20:44.002Z');
  assert.deepEqual(hook.incident.owner, {
    objectId: '2046feea-040d-4a46-9e2b-91c2941bfa70',
    email: 'alex.analyst@contoso.com',
    assignedTo: 'Alex Analyst',
    userPrincipalName: 'alex.analyst@contoso.com',
  });
  assert.deepEqual(hook.updates, {
    fields: ['status', 'owner'],
    status: true,
    owner: true,
    updatedTime: '2026-11-21T09:20:44.002Z',
    updatedBy: { source: 'User', name: 'Alex Analyst' },
  });
});

test('a bare REST incident resource is accepted; unmodified since creation means "created"', () => {
  const body = fixture('incident-rest-get.json');
  const hook = accept(body);
  const { incident } = hook;
  assert.equal(hook.eventType, 'created');
  assert.equal(incident.number, 3177);
  assert.equal(incident.title, 'My incident');
  assert.equal(incident.status, 'Closed');
  assert.equal(incident.classification, 'FalsePositive');
  assert.equal(incident.classificationReason, 'InaccurateData');
  assert.equal(incident.classificationComment, 'Not a malicious activity');
  assert.equal(incident.owner?.userPrincipalName, 'john@contoso.com');
  assert.deepEqual(incident.tactics, ['InitialAccess', 'Persistence']);
  assert.equal(incident.alertCount, 0);
  assert.deepEqual(incident.entities, []);
  assert.equal(incident.etag, '"0300bf09-0000-0000-0000-5c37296e0000"');
  assert.deepEqual(hook.workspace, {
    subscriptionId: 'd0cfe6b2-9ac0-4464-9919-dccaee2e48c0',
    resourceGroup: 'myRg',
    workspaceName: 'myWorkspace',
  });

  const rest = parseSentinelIncidentResource(body);
  assert.ok(rest.ok);
  assert.deepEqual(rest.value, incident);

  body.properties.lastModifiedTimeUtc = '2019-01-02T08:00:00Z';
  assert.equal(accept(body).eventType, 'updated');
});

test('entities in the REST entities shape (name, no id) and lower-case `alerts` of another product are mapped', () => {
  const body = fixture('incident-rest-get.json');
  body.properties.relatedEntities = fixture('incident-entities-rest.json').entities;
  body.properties.alerts = fixture('incident-alerts-rest.json').value;
  body.properties.additionalData.alertProductNames = ['Azure Security Center'];
  const hook = accept(body);
  const [account] = hook.incident.entities;
  assert.equal(account?.kind, 'Account');
  assert.equal(account?.displayName, 'domain\\administrator');
  assert.match(account?.id ?? '', /\/Entities\/e1d3d618-e11f-478b-98e3-bb381539a8e1$/);
  assert.equal(hook.incident.alertCount, 1);
  assert.deepEqual(hook.incident.alertProducts, ['Azure Security Center']);
  assert.deepEqual(hook.alerts.map((a) => [a.displayName, a.severity]), [['myAlert', 'Low']]);
});

test('Defender XDR incidents: lower-case empty `alerts`, count from additionalData, providerName products', () => {
  const body = fixture('logic-app-incident-created.json');
  const props = body.object.properties;
  delete props.Alerts;
  props.providerName = 'Microsoft XDR';
  props.alerts = [];
  props.additionalData = { alertsCount: 3, alertProductNames: [] };
  let hook = accept(body);
  assert.equal(hook.incident.alertCount, 3);
  assert.deepEqual(hook.alerts, []);
  assert.deepEqual(hook.incident.tactics, []);

  props.alerts = [
    { properties: { alertDisplayName: 'Suspicious sign-in', providerName: 'AAD Identity Protection', tactics: ['InitialAccess'], additionalData: { 'Custom Details': 'not json' } } },
  ];
  hook = accept(body);
  assert.deepEqual(hook.incident.alertProducts, ['AAD Identity Protection']);
  assert.deepEqual(hook.incident.tactics, ['InitialAccess']);
  assert.equal(hook.alerts[0]?.customDetails, undefined, 'a custom details string that is not JSON is left out');
  assert.equal(hook.alerts[0]?.id, 'alert-1');
});

test('unknown entity kinds are kept; kinds are matched case-insensitively; id-less entities get a stable id', () => {
  const body = fixture('logic-app-incident-created.json');
  body.object.properties.relatedEntities = [
    { kind: 'QuantumThing', properties: { friendlyName: 'qubit-7' } },
    { kind: 'Mystery', properties: {} },
    { kind: 'host', properties: { HostName: 'srv01' } },
    { kind: 'File', properties: { fileName: 'a.ps1', directory: 'C:\\temp' } },
    { kind: 'Process', properties: { commandLine: 'cmd.exe /c whoami', processId: '42' } },
    { kind: 'Process', properties: { processId: 4242 } },
    { kind: 'Account', properties: { userPrincipalName: 'eve@contoso.com', accountName: 'eve' } },
  ];
  const first = accept(body).incident.entities;
  assert.deepEqual(
    first.map((e) => [e.kind, e.displayName]),
    [
      ['QuantumThing', 'qubit-7'],
      ['Mystery', 'Mystery'],
      ['Host', 'srv01'],
      ['File', 'a.ps1'],
      ['Process', 'cmd.exe /c whoami'],
      ['Process', '4242'],
      ['Account', 'eve@contoso.com'],
    ],
  );
  const again = accept(body).incident.entities;
  assert.equal(first[0]?.id, again[0]?.id);
  assert.match(first[0]?.id ?? '', /^QuantumThing:[0-9a-f]{16}$/);
  assert.notEqual(first[4]?.id, first[5]?.id);
});

test('a missing or invalid required field is rejected with its path', () => {
  const envelope = fixture('logic-app-incident-created.json');
  delete envelope.object.properties.severity;
  assert.deepEqual(reject(envelope).map((d) => d.path), ['object.properties.severity']);

  const bare = fixture('incident-rest-get.json');
  bare.properties.severity = 'Critical';
  delete bare.properties.incidentNumber;
  bare.properties.lastModifiedTimeUtc = 'yesterday';
  assert.deepEqual(
    reject(bare).map((d) => d.path).sort(),
    ['properties.incidentNumber', 'properties.lastModifiedTimeUtc', 'properties.severity'],
  );

  const badEntity = fixture('logic-app-incident-created.json');
  badEntity.object.properties.relatedEntities[1] = { properties: { address: '10.0.0.1' } };
  assert.deepEqual(reject(badEntity).map((d) => d.path), ['object.properties.relatedEntities[1].kind']);
});

test('envelope event and schema types other than incident Create/Update are rejected', () => {
  const deleted = fixture('logic-app-incident-created.json');
  deleted.objectEventType = 'Delete';
  assert.deepEqual(reject(deleted).map((d) => d.path), ['objectEventType']);
  const alert = fixture('logic-app-incident-created.json');
  alert.objectSchemaType = 'Alert';
  assert.deepEqual(reject(alert).map((d) => d.path), ['objectSchemaType']);
  const nullObject = fixture('logic-app-incident-created.json');
  nullObject.object = null;
  assert.deepEqual(reject(nullObject).map((d) => d.path), ['object']);
});

test('incidentUpdates in the per-field flag form are normalised too', () => {
  const body = fixture('logic-app-incident-updated.json');
  body.incidentUpdates = { severityUpdated: true, statusUpdated: false, AlertsUpdated: true };
  assert.deepEqual(accept(body).updates, { fields: ['severity', 'alerts'], severity: true, status: false, alerts: true });
});

test('garbage bodies are rejected with details and never throw', () => {
  for (const body of [42, [], null, undefined, 'incident', true]) {
    const details = reject(body);
    assert.ok(details.length > 0 && details.every((d) => d.message.length > 0), `details for ${JSON.stringify(body)}`);
  }
  const empty = reject({}).map((d) => d.path);
  assert.deepEqual(empty.sort(), ['name', 'properties']);
  assert.equal(parseSentinelIncidentResource([1, 2]).ok, false);
});
