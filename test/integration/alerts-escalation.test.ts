import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TableDetectionOutcomeStore } from '../../src/detections/outcomes/table-outcome-store';
import { tableNames } from '../../src/storage/table-store';
import { TableTriageStore } from '../../src/triage/triage-store';
import { startHarness, type Harness } from '../helpers/argus-harness';
import { startFakeAbuseIpdb, type FakeAbuseIpdb } from '../helpers/fake-abuseipdb';
import { startFakeArm, type FakeArm } from '../helpers/fake-arm';
import type { ConnectorCall } from '../helpers/fake-bot-connector';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import { startFakeVirusTotal, type FakeVirusTotal } from '../helpers/fake-virustotal';
import { installActivity, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { waitFor } from '../helpers/wait-for';
import { runCliHere } from '../helpers/run-cli';

/** Escalated alerts become Sentinel incidents, grouped per rule + host, and closing one overrules triage. */

const alertsSecret = 'alerts-secret';
const socChannel = '19:soc-high@thread.tacv2';
const ip = '185.220.101.7';
const people = testPeople();
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };
let h: Harness;
let arm: FakeArm;
let vt: FakeVirusTotal;
let abuse: FakeAbuseIpdb;
let identity: FakeManagedIdentity;
let spot: ChannelSpot;

let seq = 0;
function alert(minutes: number) {
  seq += 1;
  return {
    id: seq.toString(16).padStart(32, 'e'),
    ruleId: 'win-encoded-powershell',
    title: `Encoded PowerShell #${seq} on FIN-WS-042`,
    level: 'high',
    tags: ['attack.execution'],
    detectedAt: new Date(Date.parse('2025-03-01T10:00:00Z') + minutes * 60_000).toISOString(),
    source: 'test',
    eventIndex: 0,
    event: { Computer: 'FIN-WS-042', CommandLine: 'powershell -enc SQBFAFgA' },
    explanation: { condition: 'selection', logsource: 'sysmon-process-creation', matchedSelections: ['selection'], unmatchedSelections: [], matches: [] },
    indicators: [{ type: 'ip', value: ip }],
  };
}

const incidentPuts = () => arm.requests.filter((r) => r.method === 'PUT' && /\/incidents\/[^/]+$/.test(r.path) && !(r.json as { etag?: string }).etag);
const channelSends = (number: number) =>
  h.connector.calls.filter((c: ConnectorCall) => c.kind === 'send' && c.conversationId.split(';')[0] === socChannel && JSON.stringify(h.connector.cardOf(c) ?? {}).includes(`Incident #${number}`));
const records = () => new TableTriageStore(h.table(tableNames.alerts));

function argus(...args: string[]) {
  return runCliHere(args, { env: h.azurite.env });
}

async function receive(a: ReturnType<typeof alert>) {
  assert.equal((await h.signedPost('/api/webhooks/alerts', a, alertsSecret)).status, 202);
  await h.argus.idle();
  return (await records().get(a.id))?.record;
}

describe('escalation into Sentinel incidents', () => {
  const first = alert(0);
  let incident: { name: string; number: number };

  before(async () => {
    identity = await startFakeManagedIdentity();
    Object.assign(process.env, identity.env);
    [arm, vt, abuse] = await Promise.all([startFakeArm(), startFakeVirusTotal(), startFakeAbuseIpdb()]);
    vt.set('ip_addresses', ip, { malicious: 60, harmless: 10, lastAnalysisDate: 1772400000 });
    abuse.set(ip, { abuseConfidenceScore: 95, totalReports: 80, numDistinctUsers: 40 });
    const c = arm.config;
    const configYaml = `tenantId: ${home}
${accessYaml(people, 'responder')}
routing: { rules: [{ match: { severity: [High] }, conversationId: "${socChannel}" }] }
sentinel: { subscriptionId: ${c.subscriptionId}, resourceGroup: ${c.resourceGroup}, workspaceName: ${c.workspaceName}, armEndpoint: "${c.armEndpoint}" }
enrichment:
  virustotal: { apiUrl: "${vt.apiUrl}" }
  abuseipdb: { apiUrl: "${abuse.apiUrl}" }
triage: { conversationId: "19:soc-triage@thread.tacv2", groupWindow: PT1H }
`;
    h = await startHarness({
      configYaml,
      env: { ARGUS_SECRET_ALERTS_WEBHOOK_SECRET: alertsSecret, ARGUS_SECRET_VIRUSTOTAL_API_KEY: vt.apiKey, ARGUS_SECRET_ABUSEIPDB_API_KEY: abuse.apiKey },
    });
    spot = { serviceUrl: h.connector.url, conversationId: socChannel, teamId: socChannel, tenantId: home };
    assert.equal((await h.activity(installActivity(spot, people.admin))).status, 200);
  });
  after(async () => {
    await h.stop();
    await Promise.all([arm.close(), vt.close(), abuse.close(), identity.close()]);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('a malicious IP escalates into a Sentinel incident whose card reaches the routed channel; its webhook updates that card', async () => {
    const record = await receive(first);
    assert.deepEqual([record?.status, record?.decision], ['decided', 'escalate'], JSON.stringify(record?.reasons));
    assert.equal(incidentPuts().length, 1);
    const made = [...arm.incidents.values()][0]!;
    assert.deepEqual([made.properties.title, made.properties.status, made.properties.severity, made.properties.labels], [first.title, 'New', 'High', [{ labelName: 'argus-triage', labelType: 'User' }]]);
    incident = { name: made.name, number: made.properties.incidentNumber as number };
    assert.deepEqual(record?.incident, incident);
    await waitFor(() => channelSends(incident.number).length === 1, { what: 'the incident card in the routed channel' });

    const active = { ...structuredClone(made), etag: '"webhook-2"', properties: { ...made.properties, status: 'Active', lastModifiedTimeUtc: new Date().toISOString() } };
    assert.equal((await h.signedPost('/api/webhooks/sentinel', active)).status, 202);
    await h.argus.idle();
    const updated = await h.connector.waitFor((c) => c.kind === 'update' && /"Active"/.test(JSON.stringify(h.connector.cardOf(c) ?? {})));
    assert.equal(updated.activityId, channelSends(incident.number)[0]?.activityId);
    assert.equal(channelSends(incident.number).length, 1, 'the webhook updated the card, no second one');
  });

  test('a second alert of the rule on the host within the window joins: named in a Sentinel comment, listed on the same card', async () => {
    const second = alert(10);
    assert.deepEqual((await receive(second))?.incident, incident);
    assert.equal(incidentPuts().length, 1, 'no second incident');
    assert.equal(arm.comments.length, 1);
    assert.match(String(arm.comments[0]?.properties.message), new RegExp(`Alert joined: .*alert ${second.id}`));
    await h.connector.waitFor((c) => c.kind === 'update' && /Escalated alerts \(2\)/.test(JSON.stringify(h.connector.cardOf(c) ?? {})));
    assert.equal(channelSends(incident.number).length, 1);
  });

  test('a retried event (Sentinel failing while the alert joins) still makes one incident and one comment', async () => {
    arm.failNext(3, 503, { retryAfter: '0' });
    const third = alert(20);
    assert.equal((await h.signedPost('/api/webhooks/alerts', third, alertsSecret)).status, 202);
    const joined = await waitFor(async () => (await records().get(third.id))?.record.incident, { what: 'the third alert joined', timeoutMs: 10_000 });
    await h.argus.idle();
    assert.deepEqual(joined, incident);
    assert.ok(h.logs.lines.some((l) => l.msg === 'event processing failed; will retry'), 'the event failed once and was retried');
    assert.equal(incidentPuts().length, 1);
    assert.equal(arm.comments.filter((c) => String(c.properties.message).includes(third.id)).length, 1);
    assert.equal(arm.comments.length, 2);
  });

  test('an alert after the window makes a new incident with its own card', async () => {
    const later = await receive(alert(125));
    assert.equal(incidentPuts().length, 2);
    assert.notEqual(later?.incident?.name, incident.name);
    await waitFor(() => channelSends(later!.incident!.number).length === 1, { what: 'the second incident card' });
  });

  test('the incident closed in Sentinel as FalsePositive overrules its alerts: rules stats counts them, alerts show says so', async () => {
    const made = arm.incidents.get(incident.name)!;
    const owner = { objectId: people.responder.aadObjectId, assignedTo: 'Rui Responder', email: null, userPrincipalName: null };
    const closed = { ...structuredClone(made), etag: '"webhook-3"', properties: { ...made.properties, status: 'Closed', classification: 'FalsePositive', classificationReason: 'IncorrectAlertLogic', owner, lastModifiedTimeUtc: new Date().toISOString() } };
    assert.equal((await h.signedPost('/api/webhooks/sentinel', closed)).status, 202);
    await h.argus.idle();
    const outcomes = new TableDetectionOutcomeStore(h.table(tableNames.detectionOutcomes));
    assert.equal((await outcomes.get(first.ruleId, first.id))?.humanVerdict, 'false_positive');
    const stats = JSON.parse((await argus('rules', 'stats', '--json')).out);
    assert.deepEqual([stats.fired, stats.falsePositives, stats.truePositives, stats.overrides], [4, 3, 1, 3]);
    const shown = JSON.parse((await argus('alerts', 'show', first.id, '--json')).out);
    assert.deepEqual(shown.incident, incident);
    assert.deepEqual([shown.decision, shown.override.verdict, shown.override.by, shown.override.note], ['escalate', 'false_positive', 'Rui Responder', `incident #${incident.number} closed as FalsePositive`]);
  });
});
