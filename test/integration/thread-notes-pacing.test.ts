import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { signBody, signatureHeader } from '../../src/security/signature';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { testUser, type ConnectorCall } from '../helpers/fake-bot-connector';
import { startFakeServiceNow, type FakeServiceNow } from '../helpers/fake-servicenow';
import { invoke, type ChannelSpot } from '../helpers/teams-activities';
import { waitFor } from '../helpers/wait-for';

const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const admin = testUser('Ada Admin', '10000000-0000-4000-8000-000000000001', home);
const itsmSecret = 'test-itsm-webhook-secret';
const created = sentinelFixture('logic-app-incident-created.json') as { object: { name: string; id: string; properties: Record<string, unknown> } };
const A = created.object.name;
const B = '6fbc3d5a-8b7e-4c2f-9a53-4eab9c8f7a65';
/** A note must be in the thread this soon after it was written; changes Argus tells wait a minute. */
const promptly = 5_000;

let h: Harness;
let sn: FakeServiceNow;
let spot: ChannelSpot;

/** A Sentinel Logic App body for one version of an incident (the fixture, renamed and changed). */
function incidentEvent(o: { name: string; number: number; severity: string; status: string; modified: string; classification?: string }) {
  const body = structuredClone(created) as unknown as { eventUniqueId: string; objectEventType: string; object: { name: string; id: string; etag: string; properties: Record<string, unknown> } };
  body.eventUniqueId = randomUUID();
  body.objectEventType = o.status === 'New' ? 'Create' : 'Update';
  body.object.name = o.name;
  body.object.id = body.object.id.replace(A, o.name);
  body.object.etag = `"${randomUUID()}"`;
  Object.assign(body.object.properties, {
    incidentNumber: o.number,
    providerIncidentId: String(o.number),
    severity: o.severity,
    status: o.status,
    lastModifiedTimeUtc: o.modified,
    classification: o.classification ?? null,
    classificationReason: o.classification ? 'SuspiciousActivity' : null,
  });
  return body;
}

const textOf = (c: ConnectorCall) => String(c.activity.text ?? '');
const cardText = (c: ConnectorCall) => JSON.stringify(h.connector.cardOf(c) ?? c.activity);
const replyWith = (marker: string) => (c: ConnectorCall) => c.kind === 'reply' && textOf(c).includes(marker);

function itsmCallback(body: unknown) {
  const text = JSON.stringify(body);
  return h.post('/api/webhooks/itsm/servicenow', text, { [signatureHeader]: signBody(itsmSecret, text) });
}

async function workNote(sysId: string, text: string): Promise<void> {
  sn.humanUpdate(sysId, { workNote: text, by: 'Beth Anglin' });
  assert.equal((await itsmCallback(sn.callbackFor(sysId, { workNote: true }))).status, 202);
}

async function comment(incidentId: string, cardActivityId: string, text: string): Promise<void> {
  const res = await invoke(h, spot, admin, 'incident.comment', { incidentId, comment: text }, cardActivityId);
  assert.equal(res.type, 'application/vnd.microsoft.card.adaptive');
}

async function postedCard(number: number): Promise<string> {
  const posted = await h.connector.waitFor((c) => c.kind === 'send' && cardText(c).includes(`${number}`));
  return posted.activityId;
}

describe('card threads: notes people write go at once; changes Argus tells keep their cadence', () => {
  before(async () => {
    sn = await startFakeServiceNow();
    h = await startHarness({
      configYaml: `tenantId: ${home}
access: { roles: { admin: { users: [${admin.aadObjectId}] } } }
itsm:
  provider: servicenow
  createFor: [High]
  retry: { baseSeconds: 0.15, maxSeconds: 0.4, sweepSeconds: 0.1 }
  servicenow: { instanceUrl: "${sn.instanceUrl}", username: ${sn.credentials.username}, assignmentGroup: soc-l2 }
`,
      env: { ARGUS_SECRET_SERVICENOW_PASSWORD: sn.credentials.password, ARGUS_SECRET_ITSM_WEBHOOK_SECRET: itsmSecret },
      // The production cadence: a second change reply to one card waits a minute.
      cardDelivery: { replyIntervalMs: 60_000 },
    });
    spot = await subscribedChannel(h, '19:pacing@thread.tacv2', admin, home);
  });
  after(async () => {
    await h.stop();
    await sn.close();
  });

  test('ServiceNow work notes and card comments written in quick succession all reach the thread within seconds', async () => {
    assert.equal((await h.signedPost('/api/webhooks/sentinel', created)).status, 202);
    const cardId = await postedCard(48213);
    const record = await waitFor(() => [...sn.records.values()].find((r) => r.correlation_id === A), { what: 'the ticket', timeoutMs: 8_000 });
    await h.connector.waitFor((c) => c.kind !== 'reply' && cardText(c).includes(record.number));

    const written: Array<{ marker: string; at: number }> = [];
    await workNote(record.sys_id, 'First: FIN-WS-042 pulled off the network.');
    written.push({ marker: 'First: FIN-WS-042', at: Date.now() });
    await comment(A, cardId, 'Second: the user is on the phone with us.');
    written.push({ marker: 'Second: the user', at: Date.now() });
    await workNote(record.sys_id, 'Third: memory image taken.');
    written.push({ marker: 'Third: memory image', at: Date.now() });
    for (const { marker, at } of written) {
      const reply = await h.connector.waitFor(replyWith(marker), Math.max(1, at + promptly - Date.now())).catch(() => {
        throw new Error(`"${marker}…" did not reach the card thread within ${promptly} ms`);
      });
      assert.ok(reply.conversationId.endsWith(`;messageid=${cardId}`), 'a reply in the card thread');
      assert.ok(reply.at - at < promptly, `"${marker}…" took ${reply.at - at} ms`);
    }
    const notes = h.connector.calls.filter((c) => c.kind === 'reply' && /First:|Second:|Third:/.test(textOf(c)));
    assert.equal(notes.length, 3, 'each note once, as its own reply');
    assert.match(textOf(notes.find((c) => textOf(c).includes('Second:'))!), /Ada Admin/);
  });

  test('status changes Argus tells still coalesce while a comment goes through at once', async () => {
    const t = Date.parse('2026-03-01T10:00:00Z');
    const at = (minutes: number) => new Date(t + minutes * 60_000).toISOString();
    assert.equal((await h.signedPost('/api/webhooks/sentinel', incidentEvent({ name: B, number: 48300, severity: 'Low', status: 'New', modified: at(0) }))).status, 202);
    const cardId = await postedCard(48300);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', incidentEvent({ name: B, number: 48300, severity: 'Low', status: 'Active', modified: at(1) }))).status, 202);
    await h.connector.waitFor(replyWith('Status: New → Active'), promptly);
    assert.equal(
      (await h.signedPost('/api/webhooks/sentinel', incidentEvent({ name: B, number: 48300, severity: 'Low', status: 'Closed', modified: at(2), classification: 'TruePositive' }))).status,
      202,
    );
    await h.connector.waitFor((c) => c.kind === 'update' && c.activityId === cardId && /Closed/.test(cardText(c)), promptly);
    await comment(B, cardId, 'Closing note: contained by the SOC.');
    await h.connector.waitFor(replyWith('Closing note: contained'), promptly);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!h.connector.calls.some(replyWith('Active → Closed')), 'the second status change waits for the cadence');
  });
});
