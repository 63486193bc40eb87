import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { testUser, type ConnectorCall } from '../helpers/fake-bot-connector';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { invoke, type ChannelSpot } from '../helpers/teams-activities';

const people = testPeople('30000000');
const { admin, responder, reader } = people;
const stranger = testUser('Sam Stranger', '30000000-0000-4000-8000-000000000009', home);
const channel = '19:soc-views@thread.tacv2';
const incidentName = '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21';

/** Every `Action.Execute` verb anywhere in a card (actions, action sets, show-card forms). */
function verbs(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) verbs(item, found);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.type === 'Action.Execute' && typeof o.verb === 'string') found.add(o.verb);
    for (const [key, value] of Object.entries(o)) if (key !== 'refresh') verbs(value, found);
  }
  return found;
}

const sorted = (s: Set<string>) => [...s].sort();
/** Buttons that only show something to the one who presses them. */
const viewing = new Set(['incident.refresh', 'incident.view', 'incident.timeline']);
const actingIn = (card: unknown) => sorted(verbs(card)).filter((v) => !viewing.has(v));
const acting = ['incident.acknowledge', 'incident.assign', 'incident.severity', 'incident.close', 'incident.comment'];

let h: Harness;
let spot: ChannelSpot;
let posted: ConnectorCall;

describe('per-user views: the channel card is read-only; each member refreshes into the buttons of their role', () => {
  before(async () => {
    h = await startHarness({ configYaml: `tenantId: ${home}\n${accessYaml(people, 'reader')}\n` });
    // Two members a page: the listing has to follow continuation tokens.
    h.connector.setMembers(channel, [stranger, reader, responder, admin], 2);
    spot = await subscribedChannel(h, channel, admin, home);
    const res = await h.signedPost('/api/webhooks/sentinel', sentinelFixture('logic-app-incident-created.json'));
    assert.equal(res.status, 202);
    posted = await h.connector.waitFor((c) => c.kind === 'send' && c.conversationId === channel && /48213/.test(JSON.stringify(h.connector.cardOf(c) ?? {})));
  });
  after(() => h.stop());

  test('the base card shows no button that acts, only Refresh, and names the members with a role for refreshes', () => {
    const card = h.connector.cardOf(posted)!;
    assert.deepEqual(actingIn(card), []);
    assert.ok(verbs(card).has('incident.refresh'));
    const refresh = card.refresh as { action: { type: string; verb: string }; userIds: string[] };
    assert.deepEqual(refresh.action, { ...refresh.action, type: 'Action.Execute', verb: 'incident.refresh' });
    assert.deepEqual([...refresh.userIds].sort(), [admin.id, responder.id, reader.id].sort(), 'everyone with a role, nobody without');
    assert.equal(h.connector.memberRequests, 2, 'two pages, one listing');
  });

  test("each member's refresh shows exactly the buttons their role allows", async () => {
    const shown = async (user: typeof admin) => {
      const answer = await invoke(h, spot, user, 'incident.refresh', { incidentId: incidentName }, String(posted.activity.id));
      assert.equal(answer.type, 'application/vnd.microsoft.card.adaptive');
      return actingIn(answer.value);
    };
    const forAdmin = await shown(admin);
    const forResponder = await shown(responder);
    for (const verb of acting) {
      assert.ok(forAdmin.includes(verb), `admin sees ${verb}`);
      assert.ok(forResponder.includes(verb), `responder sees ${verb}`);
    }
    assert.deepEqual(await shown(reader), [], 'a reader gets no button that acts');
    const denied = await invoke(h, spot, stranger, 'incident.refresh', { incidentId: incidentName }, String(posted.activity.id));
    assert.doesNotMatch(JSON.stringify(denied.value), /incident\.acknowledge/);
  });

  test('the server still checks every click: a reader pressing Acknowledge is denied', async () => {
    const answer = await invoke(h, spot, reader, 'incident.acknowledge', { incidentId: incidentName }, String(posted.activity.id));
    assert.match(JSON.stringify(answer.value), /Access denied/);
  });

  test('whoever acted comes first in the next update; the member list is reused within its lifetime', async () => {
    await invoke(h, spot, responder, 'incident.acknowledge', { incidentId: incidentName }, String(posted.activity.id));
    const update = await h.connector.waitFor((c) => c.kind === 'update' && c.activityId === String(posted.activity.id) && /Acknowledged by/.test(JSON.stringify(h.connector.cardOf(c) ?? {})));
    const card = h.connector.cardOf(update)!;
    assert.equal((card.refresh as { userIds: string[] }).userIds[0], responder.id);
    assert.deepEqual(actingIn(card), []);
    assert.equal(h.connector.memberRequests, 2);
  });
});
