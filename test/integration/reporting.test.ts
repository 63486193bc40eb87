import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tableNames } from '../../src/storage/table-store';
import { startHarness, type Harness } from '../helpers/argus-harness';
import { startFakeArm, type FakeArm } from '../helpers/fake-arm';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import { testUser, type ConnectorCall, type TestUser } from '../helpers/fake-bot-connector';
import { installActivity, invoke, messageActivity, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';

const people = testPeople('30000000');
const nobody = testUser('Nina Nobody', '30000000-0000-4000-8000-000000000009', home);
const outsider = testUser('Olaf Outsider', '30000000-0000-4000-8000-000000000008', 'cccccccc-0000-4000-8000-000000000003');
const socChannel = '19:soc-reports@thread.tacv2';
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

let h: Harness;
let arm: FakeArm;
let identity: FakeManagedIdentity;
let channel: ChannelSpot;

/** The user's personal chat with Argus, as Teams addresses it. */
function personalSpot(user: TestUser): ChannelSpot {
  return { serviceUrl: h.connector.url, conversationId: `a:personal-${user.id}`, teamId: '', tenantId: user.tenantId };
}

function inPersonalChat<T extends Record<string, any>>(activity: T, user: TestUser): T {
  return {
    ...activity,
    conversation: { id: `a:personal-${user.id}`, conversationType: 'personal', isGroup: false, tenantId: user.tenantId },
    channelData: { tenant: { id: user.tenantId } },
  };
}

function messageActionInvoke(user: TestUser, name: 'composeExtension/fetchTask' | 'composeExtension/submitAction', data?: Record<string, unknown>) {
  const base = messageActivity(channel, user, '');
  return {
    ...base,
    type: 'invoke',
    name,
    text: undefined,
    entities: undefined,
    value: {
      commandId: 'reportToSoc',
      commandContext: 'message',
      ...(data ? { data } : {}),
      messagePayload: {
        id: '1712345678901',
        createdDateTime: '2026-03-02T09:40:00.000Z',
        linkToMessage: 'https://teams.microsoft.com/l/message/19:soc-reports@thread.tacv2/1712345678901',
        from: { user: { id: '29:someone', displayName: 'Mallory Mailer', userIdentityType: 'aadUser' } },
        body: { contentType: 'html', content: '<p>Your mailbox is full, <b>sign in</b> at [portal](https://evil.example) &amp; verify</p>' },
      },
    },
  };
}

const newCalls = (from: number, pred: (c: ConnectorCall) => boolean) => h.connector.calls.slice(from).filter(pred);

async function auditRows(action: string) {
  const rows: Record<string, unknown>[] = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>()) if (e.action === action) rows.push(e);
  return rows;
}

const form = { summary: 'Odd sign-in prompt on my laptop', occurredAt: 'today 09:40', affected: 'LAPTOP-17, my account', urgency: 'high' };

describe('reporting a suspected incident from Teams', () => {
  before(async () => {
    identity = await startFakeManagedIdentity();
    Object.assign(process.env, identity.env);
    arm = await startFakeArm();
    const c = arm.config;
    h = await startHarness({
      configYaml: `tenantId: ${home}
${accessYaml(people, 'responder')}
routing: { default: "${socChannel}" }
sentinel: { subscriptionId: ${c.subscriptionId}, resourceGroup: ${c.resourceGroup}, workspaceName: ${c.workspaceName}, armEndpoint: "${c.armEndpoint}" }
`,
    });
    channel = { serviceUrl: h.connector.url, conversationId: socChannel, teamId: socChannel, tenantId: home };
    assert.equal((await h.activity(installActivity(channel, people.admin))).status, 200);
  });
  after(async () => {
    await h.stop();
    await Promise.all([arm.close(), identity.close()]);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('a home-tenant user without any role reports from their personal chat: Sentinel incident, card in the routed channel, receipt', async () => {
    const start = h.connector.calls.length;
    await h.activity(inPersonalChat(messageActivity(personalSpot(nobody), nobody, 'report'), nobody));
    const formReply = await h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= start && c.conversationId === `a:personal-${nobody.id}`);
    const formCard = JSON.stringify(h.connector.cardOf(formReply));
    for (const id of ['summary', 'occurredAt', 'affected', 'urgency', 'report.submit']) assert.ok(formCard.includes(`"${id}"`), id);

    const receipt = await h.activity(inPersonalChat({ ...invokeBody(personalSpot(nobody), nobody, 'report.submit', form) }, nobody));
    assert.equal(receipt.status, 200);
    const made = [...arm.incidents.values()].filter((r) => String(r.properties.title).startsWith('Reported: Odd sign-in prompt'));
    assert.ok(made.length >= 1, 'the incident is made in Sentinel');
    const incident = made[0]!;
    assert.equal(incident.properties.severity, 'High');
    assert.match(String(incident.properties.description), /Nina Nobody/);
    assert.ok(arm.comments.some((c) => String(c.properties.message).includes('Odd sign-in prompt')), 'the report is a comment too');
    assert.match(JSON.stringify(receipt.json.value), new RegExp(`incident #${String(incident.properties.incidentNumber)}`));
    const card = await h.connector.waitFor((c) => c.kind === 'send' && c.conversationId === socChannel && JSON.stringify(h.connector.cardOf(c) ?? {}).includes('Reported: Odd sign-in prompt'));
    assert.ok(card);
    const audited = await auditRows('report.submit');
    assert.ok(audited.some((r) => r.outcome === 'succeeded' && r.actorId === nobody.aadObjectId));
  });

  test('the Report to SOC message action: form with the message as plain text, incident with the message, receipt in the personal chat', async () => {
    const fetched = await h.activity(messageActionInvoke(nobody, 'composeExtension/fetchTask'));
    assert.equal(fetched.status, 200);
    const task = fetched.json.task;
    assert.equal(task.type, 'continue');
    const shown = JSON.stringify(task.value.card.content);
    assert.match(shown, /Mallory Mailer/);
    assert.match(shown, /sign in at \[portal\] \(https/, 'link syntax split, tags gone');
    assert.doesNotMatch(shown, /<b>/);

    const start = h.connector.calls.length;
    const submitted = await h.activity(messageActionInvoke(nobody, 'composeExtension/submitAction', { ...form, summary: 'Phishing mail about a full mailbox', urgency: 'medium' }));
    assert.equal(submitted.status, 200);
    assert.equal(submitted.json.task.type, 'message');
    const number = /incident #(\d+)/.exec(String(submitted.json.task.value))?.[1];
    assert.ok(number, String(submitted.json.task.value));
    const incident = [...arm.incidents.values()].find((r) => String(r.properties.incidentNumber) === number)!;
    assert.equal(incident.properties.title, 'Reported: Phishing mail about a full mailbox');
    assert.match(String(incident.properties.description), /Mallory Mailer[\s\S]*https:\/\/teams\.microsoft\.com\/l\/message[\s\S]*sign in at/);
    const receipt = await h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= start && c.conversationId === `a:personal-${nobody.id}`);
    assert.match(String(receipt.activity.text), new RegExp(`incident #${number}`));
    await h.connector.waitFor((c) => c.conversationId === socChannel && JSON.stringify(h.connector.cardOf(c) ?? {}).includes('Phishing mail about a full mailbox'));

    // Acknowledged from the card: the reporter hears it in the same chat.
    const ack = await invoke(h, channel, people.responder, 'incident.acknowledge', { incidentId: incident.name });
    assert.equal(ack.statusCode, 200);
    const update = await h.connector.waitFor((c) => c.conversationId === `a:personal-${nobody.id}` && /has been acknowledged/.test(String(c.activity.text)));
    assert.match(String(update.activity.text), new RegExp(`#${number}`));
    const ackCalls = newCalls(start, (c) => /has been acknowledged/.test(String(c.activity.text)));
    assert.equal(ackCalls.length, 1, JSON.stringify(ackCalls.map((c) => [c.conversationId, c.kind, c.activity.text])));
  });

  test('a user of an unknown tenant cannot report; the refusal is audited', async () => {
    const before = arm.incidents.size;
    const start = h.connector.calls.length;
    const outsiderChat = { ...personalSpot(outsider) };
    await h.activity(inPersonalChat(messageActivity(outsiderChat, outsider, 'report'), outsider));
    const reply = await h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= start && c.conversationId === `a:personal-${outsider.id}`);
    assert.match(JSON.stringify(h.connector.cardOf(reply)), /Access denied/);
    const submitted = await h.activity({ ...messageActionInvoke(outsider, 'composeExtension/submitAction', form), channelData: { tenant: { id: outsider.tenantId } } });
    assert.equal(submitted.status, 200);
    assert.match(String(submitted.json.task.value), /organisation that runs Argus/);
    assert.equal(arm.incidents.size, before);
    assert.ok((await auditRows('message-action.reportToSoc')).some((r) => r.outcome === 'denied' && r.actorId === outsider.aadObjectId));
  });
});

function invokeBody(spot: ChannelSpot, from: TestUser, verb: string, data: Record<string, unknown>) {
  return { ...messageActivity(spot, from, ''), type: 'invoke', name: 'adaptiveCard/action', text: undefined, entities: undefined, value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } };
}
