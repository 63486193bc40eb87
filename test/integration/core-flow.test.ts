import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tableNames } from '../../src/storage/table-store';
import { countEntities, sentinelFixture, startHarness, type Harness } from '../helpers/argus-harness';
import { testUser, type ConnectorCall } from '../helpers/fake-bot-connector';
import { accessYaml, home, partner, testPeople } from '../helpers/test-people';
import { installActivity, invoke as sendInvoke, invokeActivity, messageActivity, uninstallActivity, type ChannelSpot } from '../helpers/teams-activities';

const people = testPeople();
const { admin, responder, reader, partnerUser: fedListed } = people;
const fedUnlisted = testUser('Uma Unlisted', '10000000-0000-4000-8000-000000000005', partner);
const stranger = testUser('Sam Stranger', '10000000-0000-4000-8000-000000000006', home);

const config = `
tenantId: ${home}
${accessYaml(people, 'responder')}
# Closing these High incidents is not about the post-mortem gate (docs/response.md).
response: { gates: { postMortemFor: [] } }
`;

const created = sentinelFixture('logic-app-incident-created.json');
const updated = sentinelFixture('logic-app-incident-updated.json');
const incidentName = '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21';

let h: Harness;
let spot: ChannelSpot;
let cardActivityId: string;

function cardText(card: unknown): string {
  return JSON.stringify(card);
}

const invoke = (user: typeof admin, verb: string, data: Record<string, unknown>) => sendInvoke(h, spot, user, verb, data, cardActivityId);

async function auditRows(filter: (r: Record<string, unknown>) => boolean) {
  const rows: Record<string, unknown>[] = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>()) if (e.rowKey !== 'head' && filter(e)) rows.push(e);
  return rows;
}

describe('core flow: install → subscribe → Sentinel incident → live card → actions → audit', () => {
  before(async () => {
    h = await startHarness({ configYaml: config });
    spot = { serviceUrl: h.connector.url, conversationId: '19:soc-general@thread.tacv2', teamId: '19:soc-general@thread.tacv2', tenantId: home };
  });
  after(() => h.stop());

  test('installing Argus in a team stores the conversation and audits it', async () => {
    const res = await h.activity(installActivity(spot, admin));
    assert.equal(res.status, 200);
    assert.equal(await countEntities(h.table(tableNames.conversations)), 1);
    assert.equal((await auditRows((r) => r.action === 'teams.installed')).length, 1);
  });

  test('a reader may not subscribe; the denial is audited and answered with a card', async () => {
    const before = h.connector.calls.length;
    await h.activity(messageActivity(spot, reader, 'subscribe High'));
    const reply = await h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= before && c.kind === 'reply');
    assert.match(cardText(h.connector.cardOf(reply)), /Access denied/);
    assert.equal(await countEntities(h.table(tableNames.subscriptions)), 0);
    const denied = await auditRows((r) => r.action === 'command.subscribe' && r.outcome === 'denied');
    assert.equal(denied.length, 1);
    assert.equal(denied[0]?.actorId, reader.aadObjectId);
  });

  test('an admin subscribes the channel (mention stripped, case-insensitive)', async () => {
    const before = h.connector.calls.length;
    await h.activity(messageActivity(spot, admin, 'SUBSCRIBE high medium'));
    const reply = await h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= before);
    assert.match(cardText(h.connector.cardOf(reply)), /Subscribed/);
    assert.equal(await countEntities(h.table(tableNames.subscriptions)), 1);
    assert.equal((await auditRows((r) => r.action === 'command.subscribe' && r.outcome === 'allowed')).length, 1);
  });

  test('a signed Sentinel incident is accepted (202) and posted as one card', async () => {
    const res = await h.signedPost('/api/webhooks/sentinel', created);
    assert.equal(res.status, 202);
    assert.equal(res.json.duplicate, false);
    assert.match(res.json.eventId, /^[0-9a-f-]{36}$/);
    const post = await h.connector.waitFor((c) => c.kind === 'send' && /48213/.test(cardText(h.connector.cardOf(c))));
    cardActivityId = String(post.activity.id);
    assert.equal(post.conversationId, spot.conversationId);
    const text = cardText(h.connector.cardOf(post));
    assert.match(text, /FIN-WS-042|Host|Account/);
    // Read-only for the channel: each member's buttons come with their own refresh.
    assert.doesNotMatch(text, /incident\.acknowledge/);
    assert.match(text, /incident\.refresh/);
  });

  test('a redelivery is a duplicate (200) and changes nothing', async () => {
    await h.argus.idle();
    const calls = h.connector.calls.length;
    const res = await h.signedPost('/api/webhooks/sentinel', created);
    assert.equal(res.status, 200);
    assert.equal(res.json.duplicate, true);
    await h.argus.idle();
    assert.equal(h.connector.calls.length, calls);
  });

  test('a newer version updates the same card in place and replies in its thread', async () => {
    const res = await h.signedPost('/api/webhooks/sentinel', updated);
    assert.equal(res.status, 202);
    const upd = await h.connector.waitFor((c) => c.kind === 'update' && c.activityId === cardActivityId);
    assert.match(cardText(h.connector.cardOf(upd)), /Active/);
    const reply = await h.connector.waitFor((c) => c.kind === 'reply' && c.conversationId === `${spot.conversationId};messageid=${cardActivityId}`);
    assert.match(String(reply.activity.text), /Status: New → Active/);
    assert.equal(h.connector.calls.filter((c) => c.kind === 'send' && /48213/.test(cardText(h.connector.cardOf(c)))).length, 1);
  });

  test('an older version arriving late never overwrites the newer one', async () => {
    const older = structuredClone(created) as any;
    older.object.etag = '"older-etag"';
    older.object.properties.lastModifiedTimeUtc = '2026-11-21T09:10:00.000Z';
    older.object.properties.status = 'New';
    await h.argus.idle();
    const calls = h.connector.calls.length;
    assert.equal((await h.signedPost('/api/webhooks/sentinel', older)).status, 202);
    await h.argus.idle();
    assert.equal(h.connector.calls.length, calls);
    const card = await invoke(reader, 'incident.refresh', { incidentId: incidentName });
    assert.match(cardText(card.value), /Active/);
  });

  test('a responder acknowledges: refreshed card at once, audited, posted card updated', async () => {
    const res = await invoke(responder, 'incident.acknowledge', { incidentId: incidentName });
    assert.equal(res.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(cardText(res.value), /Acknowledged by Rui Responder/);
    const rows = await auditRows((r) => r.action === 'card.incident.acknowledge' && r.outcome === 'allowed');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.actorId, responder.aadObjectId);
    await h.connector.waitFor((c) => c.kind === 'update' && /Acknowledged by Rui/.test(cardText(h.connector.cardOf(c))));
  });

  test('a double click does one thing', async () => {
    const again = await invoke(responder, 'incident.acknowledge', { incidentId: incidentName });
    assert.match(cardText(again.value), /Already acknowledged/);
  });

  test('a reader is denied a card action with a read-only card; the denial is audited', async () => {
    const res = await invoke(reader, 'incident.severity', { incidentId: incidentName, severity: 'Low' });
    const text = cardText(res.value);
    assert.match(text, /Access denied/);
    assert.doesNotMatch(text, /incident\.close/);
    assert.equal((await auditRows((r) => r.action === 'card.incident.severity' && r.outcome === 'denied')).length, 1);
  });

  test('a listed federated user acts within maxRole; an unlisted one and a stranger are denied', async () => {
    const ok = await invoke(fedListed, 'incident.severity', { incidentId: incidentName, severity: 'Medium' });
    assert.match(cardText(ok.value), /Severity High → Medium/);
    for (const user of [fedUnlisted, stranger]) {
      const res = await invoke(user, 'incident.comment', { incidentId: incidentName, comment: 'hello' });
      assert.match(cardText(res.value), /Access denied/);
      assert.doesNotMatch(cardText(res.value), /FIN-WS-042/, 'no incident data for people without a role');
    }
    const denied = await auditRows((r) => r.action === 'card.incident.comment' && r.outcome === 'denied');
    assert.deepEqual(denied.map((r) => r.actorId).sort(), [fedUnlisted.aadObjectId, stranger.aadObjectId].sort());
    assert.equal(denied.find((r) => r.actorId === fedUnlisted.aadObjectId)?.actorTenantId, partner);
  });

  test('closing needs a classification; with one it closes and hides the close button', async () => {
    const bad = await invoke(admin, 'incident.close', { incidentId: incidentName });
    assert.equal(bad.type, 'application/vnd.microsoft.error');
    assert.equal(bad.statusCode, 400);
    const good = await invoke(admin, 'incident.close', { incidentId: incidentName, classification: 'FalsePositive', classificationComment: 'lab host' });
    const text = cardText(good.value);
    assert.match(text, /Closed as FalsePositive/);
    assert.doesNotMatch(text, /incident\.close/);
  });

  test('a comment is answered with the card and posted in the thread', async () => {
    const res = await invoke(admin, 'incident.comment', { incidentId: incidentName, comment: 'Reimaged the host.' });
    assert.equal(res.type, 'application/vnd.microsoft.card.adaptive');
    await h.connector.waitFor((c) => c.kind === 'reply' && /Reimaged the host/.test(String(c.activity.text)));
  });

  test('unknown verbs, missing incident ids and malformed invokes get error responses, never an empty 501', async () => {
    const unknown = await invoke(admin, 'incident.explode', { incidentId: incidentName });
    assert.equal(unknown.type, 'application/vnd.microsoft.error');
    assert.equal(unknown.value.code, 'ARGUS_UNKNOWN_VERB');
    const missing = await invoke(admin, 'incident.acknowledge', {});
    assert.equal(missing.value.code, 'ARGUS_BAD_REQUEST');
    const notFound = await invoke(admin, 'incident.acknowledge', { incidentId: 'no-such-incident' });
    assert.equal(notFound.statusCode, 404);
    const raw = await h.activity({ ...invokeActivity(spot, admin, 'x', {}), value: { nonsense: true } });
    assert.equal(raw.status, 200);
    assert.equal(raw.json.type, 'application/vnd.microsoft.error');
  });

  test('commands: help for unknown text, whoami explains, incident <n> and incidents', async () => {
    const ask = async (user: typeof admin, text: string): Promise<ConnectorCall> => {
      const before = h.connector.calls.length;
      await h.activity(messageActivity(spot, user, text));
      return h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= before && c.kind === 'reply');
    };
    assert.match(cardText(h.connector.cardOf(await ask(reader, 'what is this'))), /whoami/);
    assert.match(cardText(h.connector.cardOf(await ask(fedListed, 'whoami'))), /responder/);
    assert.match(cardText(h.connector.cardOf(await ask(reader, 'incident 48213'))), /48213/);
    assert.match(cardText(h.connector.cardOf(await ask(reader, 'incident 999'))), /no incident number 999/);
    assert.match(cardText(h.connector.cardOf(await ask(stranger, 'incidents'))), /Access denied/);
  });

  test('removing Argus from the team forgets the conversation and audits it', async () => {
    const res = await h.activity(uninstallActivity(spot, admin));
    assert.equal(res.status, 200);
    assert.equal(await countEntities(h.table(tableNames.conversations)), 0);
    assert.equal((await auditRows((r) => r.action === 'teams.uninstalled')).length, 1);
  });

  test('argus audit verify passes on the chain, then fails naming the row after one is altered in storage', async () => {
    await h.argus.idle();
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [resolve(__dirname, '../../bin/argus.js'), 'audit', 'verify', ...args], {
        env: { PATH: process.env.PATH, ...h.azurite.env, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const ok = cli([]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /audit chain intact: \d+ rows/);
    const table = h.table(tableNames.audit);
    const victim = (await auditRows((r) => r.action === 'card.incident.acknowledge'))[0]!;
    await table.updateEntity({ partitionKey: String(victim.partitionKey), rowKey: String(victim.rowKey), outcome: 'denied' }, 'Merge');
    const bad = cli([]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout + bad.stderr, new RegExp(`seq ${Number(victim.rowKey)}\\b`));
  });
});
