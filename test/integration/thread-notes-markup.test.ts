import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { testUser, type ConnectorCall } from '../helpers/fake-bot-connector';
import { startFakeJira, type FakeJira } from '../helpers/fake-jira';
import { startFakeLogicApp, type FakeLogicApp } from '../helpers/fake-logic-app';
import { invoke, type ChannelSpot } from '../helpers/teams-activities';
import { waitFor } from '../helpers/wait-for';

const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const admin = testUser('Ada Admin', '10000000-0000-4000-8000-000000000001', home);
const hookSecret = 'test-jira-webhook-secret';
const callbackSecret = 'test-playbook-callback-secret';
const created = sentinelFixture('logic-app-incident-created.json') as { object: { name: string; properties: Record<string, unknown> } };
const incidentName = created.object.name;
/** What someone outside the SOC might write: a link whose text lies, a mention, an HTML anchor. */
const hostile = (who: string) =>
  `${who}: [Re-authenticate](https://evil.example/login) now, <at>Ada Admin</at> said so; <a href="https://evil.example">the portal</a>`;

let h: Harness;
let jira: FakeJira;
let logicApp: FakeLogicApp;
let dir: string;
let spot: ChannelSpot;
let cardActivityId: string;

const textOf = (c: ConnectorCall) => String(c.activity.text ?? '');
const cardText = (c: ConnectorCall) => JSON.stringify(h.connector.cardOf(c) ?? c.activity);

/**
 * The thread message carrying `marker`, checked the way Teams would show it: as plain text (no
 * markdown or HTML rendering), and even read as markdown or HTML it holds no link and no mention.
 */
async function assertSafeReply(marker: string): Promise<void> {
  const reply = await h.connector.waitFor((c) => c.kind === 'reply' && textOf(c).includes(marker));
  const text = textOf(reply);
  assert.ok(reply.conversationId.endsWith(`;messageid=${cardActivityId}`), 'a reply in the card thread');
  assert.equal(reply.activity.textFormat, 'plain', `sent as plain text: ${text}`);
  assert.doesNotMatch(text, /\]\(|\]\[/, `no markdown link: ${text}`);
  assert.doesNotMatch(text, /<(a|at)\b/i, `no anchor or mention tag: ${text}`);
  assert.match(text, /\[Re-authenticate\] \(https:\/\/evil\.example\/login\)/, 'the words themselves are all there');
  assert.equal(reply.activity.entities, undefined, 'no mention entities');
}

describe('text from outside Argus reaches card threads as plain text, never as links or mentions', () => {
  before(async () => {
    jira = await startFakeJira();
    logicApp = await startFakeLogicApp();
    dir = mkdtempSync(join(tmpdir(), 'argus-thread-markup-'));
    writeFileSync(
      join(dir, 'block-ip.yaml'),
      `id: block-ip\ndescription: Blocks an address\ntitle: Block IP\nappliesTo: { entityKinds: [Ip] }\nactsOn: Ip\ntarget: { type: http, urlSecret: pb-block-url }\ntimeout: PT1M\n`,
    );
    h = await startHarness({
      configYaml: `tenantId: ${home}
publicUrl: https://argus.test
access: { roles: { admin: { users: [${admin.aadObjectId}] } } }
playbooks: { dir: '${dir}' }
# The shipped response plans name the shipped playbooks; these test playbooks come without plans.
response: { plansDir: '${dir}/no-plans' }
itsm:
  provider: jira
  createFor: [High]
  retry: { baseSeconds: 0.15, maxSeconds: 0.4, sweepSeconds: 0.1 }
  jira:
    baseUrl: "${jira.baseUrl}"
    email: ${jira.credentials.email}
    serviceDeskId: "${jira.serviceDesk.id}"
    requestTypeId: "${jira.serviceDesk.requestTypeId}"
`,
      env: {
        ARGUS_SECRET_JIRA_API_TOKEN: jira.credentials.token,
        ARGUS_SECRET_JIRA_WEBHOOK_SECRET: hookSecret,
        ARGUS_SECRET_PLAYBOOK_CALLBACK_SECRET: callbackSecret,
        ARGUS_SECRET_PB_BLOCK_URL: logicApp.triggerUrl('block'),
      },
    });
    spot = await subscribedChannel(h, '19:markup@thread.tacv2', admin, home);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', created)).status, 202);
    cardActivityId = (await h.connector.waitFor((c) => c.kind === 'send' && cardText(c).includes('48213'))).activityId;
    await h.connector.waitFor((c) => c.kind !== 'reply' && /SEC-\d+/.test(cardText(c)));
  });
  after(async () => {
    await h.stop();
    await jira.close();
    await logicApp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a comment a Jira customer wrote', async () => {
    const issue = [...jira.issues.values()].find((i) => i.labels.includes(`argus-${incidentName}`))!;
    const comment = jira.humanComment(issue.key, hostile('Jira customer'), 'Casey Customer');
    const { body, signature } = jira.webhook(issue.key, 'comment_created', hookSecret, { comment });
    assert.equal((await h.post('/api/webhooks/itsm/jira', body, { 'x-hub-signature': signature })).status, 202);
    await assertSafeReply('Jira customer:');
  });

  test('a comment made from the card', async () => {
    await invoke(h, spot, admin, 'incident.comment', { incidentId: incidentName, comment: hostile('Card comment') }, cardActivityId);
    await assertSafeReply('Card comment:');
  });

  test("a playbook run's message from its callback", async () => {
    await invoke(h, spot, admin, 'playbook.run', { incidentId: incidentName, playbookId: 'block-ip', entityId: 'e-ip-1' }, cardActivityId);
    await waitFor(() => logicApp.runs('block').length > 0, { what: 'the Logic App call', timeoutMs: 8_000 });
    const runId = (logicApp.runs('block')[0]!.json as { runId: string }).runId;
    const callback = await h.signedPost('/api/webhooks/playbooks', { runId, status: 'succeeded', message: hostile('Playbook result') }, callbackSecret);
    assert.equal(callback.status, 202, callback.text);
    await assertSafeReply('Playbook result:');
  });

  test("an owner's name from Sentinel in a status note", async () => {
    const update = structuredClone(created) as unknown as { eventUniqueId: string; objectEventType: string; object: { etag: string; properties: Record<string, unknown> } };
    update.eventUniqueId = randomUUID();
    update.objectEventType = 'Update';
    update.object.etag = `"${randomUUID()}"`;
    Object.assign(update.object.properties, {
      lastModifiedTimeUtc: new Date().toISOString(),
      owner: { objectId: null, email: null, userPrincipalName: null, assignedTo: hostile('Owner name') },
    });
    assert.equal((await h.signedPost('/api/webhooks/sentinel', update)).status, 202);
    await assertSafeReply('Owner name:');
  });
});
