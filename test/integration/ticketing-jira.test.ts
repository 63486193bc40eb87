import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tableNames } from '../../src/storage/table-store';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { startFakeArm, type FakeArm } from '../helpers/fake-arm';
import { testUser, type ConnectorCall } from '../helpers/fake-bot-connector';
import { startFakeJira, type FakeJira } from '../helpers/fake-jira';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import { invoke as sendInvoke, messageActivity, type ChannelSpot } from '../helpers/teams-activities';
import { waitFor } from '../helpers/wait-for';

const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const admin = testUser('Ada Admin', '10000000-0000-4000-8000-000000000001', home);
const reader = testUser('Rita Reader', '10000000-0000-4000-8000-000000000003', home);
const hookSecret = 'test-jira-webhook-secret';
const created = sentinelFixture('logic-app-incident-created.json') as { object: { name: string; properties: Record<string, unknown> } };
const incidentName = created.object.name;

let h: Harness;
let jira: FakeJira;
let arm: FakeArm;
let identity: FakeManagedIdentity;
let spot: ChannelSpot;
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

const cardText = (c: ConnectorCall) => JSON.stringify(h.connector.cardOf(c) ?? c.activity);
const issue = () => [...jira.issues.values()].find((i) => i.labels.includes(`argus-${incidentName}`));

function hook(event: Parameters<FakeJira['webhook']>[1], options?: Parameters<FakeJira['webhook']>[3], secret = hookSecret) {
  const { body, signature } = jira.webhook(issue()!.key, event, secret, options);
  return { body, send: (sig: string | undefined = signature) => h.post('/api/webhooks/itsm/jira', body, sig ? { 'x-hub-signature': sig } : {}) };
}

const invoke = (verb: string, data: Record<string, unknown>) => sendInvoke(h, spot, admin, verb, { incidentId: incidentName, ...data });

async function ask(user: typeof admin, text: string): Promise<string> {
  const before = h.connector.calls.length;
  await h.activity(messageActivity(spot, user, text));
  return cardText(await h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= before && c.kind === 'reply' && h.connector.cardOf(c) !== undefined));
}

describe('Jira Service Management: requests opened from incidents, webhooks back, both kept in step', () => {
  before(async () => {
    identity = await startFakeManagedIdentity();
    Object.assign(process.env, identity.env);
    arm = await startFakeArm();
    arm.seed(created.object);
    jira = await startFakeJira();
    jira.addUser('Rita Reader', 'rita.reader@contoso.com');
    const c = arm.config;
    h = await startHarness({
      configYaml: `tenantId: ${home}
access:
  roles:
    admin: { users: [${admin.aadObjectId}] }
    reader: { users: [${reader.aadObjectId}] }
sentinel: { subscriptionId: ${c.subscriptionId}, resourceGroup: ${c.resourceGroup}, workspaceName: ${c.workspaceName}, armEndpoint: "${c.armEndpoint}" }
itsm:
  provider: jira
  createFor: [High]
  emails: { ${reader.aadObjectId}: rita.reader@contoso.com }
  retry: { baseSeconds: 0.15, maxSeconds: 0.4, sweepSeconds: 0.1 }
  jira:
    baseUrl: "${jira.baseUrl}"
    email: ${jira.credentials.email}
    serviceDeskId: "${jira.serviceDesk.id}"
    requestTypeId: "${jira.serviceDesk.requestTypeId}"
    priorities: { High: Highest, Medium: High, Low: Low, Informational: Lowest }
# Closing these High incidents is not about the post-mortem gate (docs/response.md).
response: { gates: { postMortemFor: [] } }
`,
      env: { ARGUS_SECRET_JIRA_API_TOKEN: jira.credentials.token, ARGUS_SECRET_JIRA_WEBHOOK_SECRET: hookSecret },
    });
    spot = await subscribedChannel(h, '19:jira@thread.tacv2', admin, home);
  });
  after(async () => {
    await h.stop();
    await jira.close();
    await arm.close();
    await identity.close();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('Jira down at first: the card says pending; when it answers, one request is opened through the servicedesk API', async () => {
    jira.setDown(true);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', created)).status, 202);
    await h.connector.waitFor((c) => /48213/.test(cardText(c)) && /Jira Service Management is not answering/.test(cardText(c)));
    jira.setDown(false);
    const card = await h.connector.waitFor((c) => c.kind !== 'reply' && /SEC-1/.test(cardText(c)), 10_000);
    assert.match(cardText(card), /Waiting for support/);
    assert.equal(jira.issues.size, 1);
    const i = issue()!;
    assert.deepEqual(i.labels, ['argus', `argus-${incidentName}`]);
    assert.equal(i.priority, 'Highest');
    assert.match(i.summary, /^Sentinel incident 48213: /);
    const post = jira.apiRequests().find((r) => r.method === 'POST' && r.path === '/rest/servicedeskapi/request')!;
    assert.deepEqual([(post.json as { serviceDeskId: string }).serviceDeskId, (post.json as { requestTypeId: string }).requestTypeId], ['4', '52']);
  });

  test('a comment written in Jira goes to the card thread; a status change shows on the card', async () => {
    const comment = jira.humanComment(issue()!.key, 'Host re-imaged, please confirm.', 'Sam Servicedesk');
    const res = await hook('comment_created', { comment }).send();
    assert.equal(res.status, 202);
    const reply = await h.connector.waitFor((c) => c.kind === 'reply' && String(c.activity.text).includes('Host re-imaged, please confirm.'));
    assert.match(String(reply.activity.text), /Sam Servicedesk/);
    jira.humanChange(issue()!.key, { status: 'progress' });
    assert.equal((await hook('jira:issue_updated').send()).status, 202);
    await h.connector.waitFor((c) => c.kind === 'update' && /In Progress/.test(cardText(c)));
  });

  test('forged, unsigned and replayed webhooks', async () => {
    const h1 = hook('jira:issue_updated');
    assert.equal((await h1.send('sha256=' + '0'.repeat(64))).status, 401);
    assert.equal((await h1.send('')).status, 401);
    const forgedWithOtherSecret = hook('jira:issue_updated', undefined, 'wrong-secret');
    assert.equal((await forgedWithOtherSecret.send()).status, 401);
    assert.equal((await h1.send()).status, 202);
    const again = await h1.send();
    assert.equal(again.status, 200);
    assert.equal(again.json.duplicate, true);
    let rejected = 0;
    for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>()) if (e.action === 'webhook.received' && e.outcome === 'rejected' && e.target === 'jira') rejected += 1;
    assert.equal(rejected, 3);
  });

  test('an older webhook arriving late does not move the ticket back', async () => {
    const key = issue()!.key;
    const stale = jira.webhook(key, 'jira:issue_updated', hookSecret, { timestamp: 1_000 });
    const body = JSON.parse(stale.body) as { issue: { fields: { status: { name: string; statusCategory: { key: string } } } } };
    body.issue.fields.status = { ...body.issue.fields.status, name: 'Waiting for support', statusCategory: { key: 'new' } };
    const text = JSON.stringify(body);
    const sig = `sha256=${require('node:crypto').createHmac('sha256', hookSecret).update(text).digest('hex')}`;
    await h.argus.idle();
    const calls = h.connector.calls.length;
    assert.equal((await h.post('/api/webhooks/itsm/jira', text, { 'x-hub-signature': sig })).status, 202);
    await h.argus.idle();
    assert.equal(h.connector.calls.length, calls);
    assert.match(await ask(reader, `ticket ${key}`), /In Progress/);
  });

  test('a card comment becomes an internal Jira comment, and its echo is not posted back', async () => {
    const res = await invoke('incident.comment', { comment: 'Blocked the C2 domain at the proxy.' });
    assert.equal(res.type, 'application/vnd.microsoft.card.adaptive');
    const comment = await waitFor(() => issue()!.comments.find((c) => c.body.includes('Blocked the C2 domain')), { what: 'the comment in Jira', timeoutMs: 8_000 });
    assert.match(comment.body, /^\[Argus\] Comment by Ada Admin in Teams: /);
    assert.equal(comment.public, false);
    await h.argus.idle();
    const replies = h.connector.calls.filter((c) => c.kind === 'reply').length;
    assert.equal((await hook('comment_created', { comment }).send()).status, 202);
    await h.argus.idle();
    assert.equal(h.connector.calls.filter((c) => c.kind === 'reply' && /\[Argus\]/.test(String(c.activity.text))).length, 0);
    assert.ok(h.connector.calls.filter((c) => c.kind === 'reply').length >= replies);
  });

  test('closing the incident from the card resolves the Jira request with a resolution comment', async () => {
    const res = await invoke('incident.close', { classification: 'TruePositive', classificationComment: 'Contained.' });
    assert.match(JSON.stringify(res.value), /Closed as TruePositive/);
    await waitFor(() => issue()!.status.category === 'done', { what: 'the resolution', timeoutMs: 8_000 });
    assert.equal(issue()!.status.name, 'Resolved');
    await waitFor(() => issue()!.comments.some((c) => /^\[Argus\] Sentinel incident 48213 was closed as True positive \(Suspicious activity\): Contained\./.test(c.body)), { what: 'the resolution comment', timeoutMs: 8_000 });
    assert.equal(arm.incidents.get(incidentName)?.properties.status, 'Closed');
    const transition = jira.apiRequests().find((r) => r.method === 'POST' && r.path.endsWith('/transitions'))!;
    assert.deepEqual(transition.json, { transition: { id: '21' } });
  });

  test('reopened in Jira while the incident is closed: the card shows it; the incident stays closed', async () => {
    jira.humanChange(issue()!.key, { status: 'waiting' });
    assert.equal((await hook('jira:issue_updated').send()).status, 202);
    await h.connector.waitFor((c) => c.kind === 'update' && /The incident is closed, but SEC-1 is still Waiting for support/.test(cardText(c)));
    // The audit row and the card update are written by the same event, in no fixed order.
    const countConflicts = async () => {
      let n = 0;
      for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>()) if (e.action === 'ticket.sync.conflict') n += 1;
      return n;
    };
    await h.argus.idle();
    assert.equal(await countConflicts(), 1);
    assert.equal(arm.incidents.get(incidentName)?.properties.status, 'Closed');
  });

  test('tickets mine finds the Jira user by email and lists their open Argus requests', async () => {
    const rita = jira.users.find((u) => u.displayName === 'Rita Reader')!;
    jira.humanChange(issue()!.key, { assignee: rita });
    jira.seed({ summary: 'Printer jam', assignee: rita, labels: [] });
    const mine = await ask(reader, 'tickets mine');
    assert.match(mine, /Your open tickets \(Rita Reader\)/);
    assert.ok(mine.includes('SEC-1'));
    assert.ok(!mine.includes('Printer jam'), 'only requests Argus opened for incidents');
    assert.ok(mine.includes('incident #48213'));
  });
  test('ticket <key> reads Jira itself: an issue Argus did not open, a linked one, an unknown and a malformed key, an outage', async () => {
    const rita = jira.users.find((u) => u.displayName === 'Rita Reader')!;
    const direct = jira.seed({ summary: 'Laptop stolen at the airport', priority: 'High', assignee: rita, status: { id: '3', name: 'In Progress', category: 'indeterminate' } });
    const card = await ask(reader, `ticket ${direct.key.toLowerCase()}`);
    for (const expected of [`Ticket ${direct.key} · Jira Service Management`, 'Laptop stolen at the airport', 'In Progress', 'Rita Reader', '"High"', 'Not linked to an incident Argus knows'])
      assert.ok(card.includes(expected), expected);
    const read = jira.apiRequests().findLast((r) => r.method === 'GET' && r.path === `/rest/api/3/issue/${direct.key}`);
    assert.ok(read?.query.get('fields')?.split(',').includes('priority'));

    const linked = await ask(reader, `ticket ${issue()!.key}`);
    assert.match(linked, /Incident #48213: /);
    assert.match(linked, /Highest/);

    assert.match(await ask(reader, 'ticket SEC-9999'), /Jira Service Management has no ticket SEC-9999/);
    const before = jira.apiRequests().length;
    assert.match(await ask(reader, 'ticket INC0012345'), /INC0012345 is not a Jira issue key\. Usage: ticket <number>, e\.g\. ticket SOC-123/);
    assert.equal(jira.apiRequests().length, before, 'nothing was sent');
    jira.setDown(true);
    try {
      assert.match(await ask(reader, 'ticket SEC-9998'), /Jira Service Management did not answer.*Try again in a minute/);
    } finally {
      jira.setDown(false);
    }
  });
});
