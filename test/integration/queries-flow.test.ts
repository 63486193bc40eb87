import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tableNames } from '../../src/storage/table-store';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { startFakeLogAnalytics, type FakeLogAnalytics } from '../helpers/fake-log-analytics';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import { invoke as sendInvoke, messageActivity, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';

const people = testPeople('30000000');
const { admin, responder } = people;
const created = sentinelFixture('logic-app-incident-created.json') as { object: { name: string } };
const incidentName = created.object.name;
const channel = '19:soc-queries@thread.tacv2';

let h: Harness;
let la: FakeLogAnalytics;
let identity: FakeManagedIdentity;
let spot: ChannelSpot;
let cardActivityId: string;
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

const processRows = {
  columns: [
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'DeviceName', type: 'string' },
    { name: 'AccountName', type: 'string' },
    { name: 'FileName', type: 'string' },
    { name: 'ProcessCommandLine', type: 'string' },
    { name: 'InitiatingProcessFileName', type: 'string' },
    { name: 'SHA256', type: 'string' },
  ],
  rows: Array.from({ length: 7 }, (_, i) => [
    `2025-03-01T10:0${i}:00.1234567Z`,
    'fin-ws-042.corp.contoso.com',
    'j.doe',
    'powershell.exe',
    i === 0 ? 'powershell -enc SQBFAFgA [Re-authenticate](https://evil.example/)' : `cmd /c step ${i}`,
    'winword.exe',
    'f8810179ab033a9b79cd7006c1a74fbcde6ed0451c92fbb8c7ce15b52499353a',
  ]),
};

/** The next query answer Argus posts, from Connector call number `since` on. */
const nextAnswer = (since: number) => h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= since && /Query result/.test(String(c.activity.summary)));

const runQuery = (queryId: string, entityId: string, user = responder) =>
  sendInvoke(h, spot, user, 'query.run', { incidentId: incidentName, queryId, entityId }, cardActivityId);

async function auditRows(action: string): Promise<Array<Record<string, any>>> {
  const rows: Array<Record<string, any>> = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>())
    if (e.action === action) rows.push({ ...e, detail: JSON.parse(String(e.detail ?? '{}')) });
  return rows;
}

describe('investigation queries: Investigate menu and kql → Log Analytics → table card in the thread → audit', () => {
  before(async () => {
    identity = await startFakeManagedIdentity();
    Object.assign(process.env, identity.env);
    la = await startFakeLogAnalytics();
    const configYaml = `tenantId: ${home}
${accessYaml(people, 'responder')}
logAnalytics: { workspaceId: ${la.workspaceId}, endpoint: '${la.endpoint}', queriesDir: '${resolve(__dirname, '../../queries')}', maxRows: 5, timeout: PT20S }
`;
    h = await startHarness({ configYaml });
    spot = await subscribedChannel(h, channel, admin, home);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', created)).status, 202);
    const post = await h.connector.waitFor((c) => c.kind === 'send' && c.conversationId === channel && /48213/.test(JSON.stringify(h.connector.cardOf(c))));
    cardActivityId = String(post.activity.id);
  });

  after(async () => {
    await h?.stop();
    await Promise.all([la?.close(), identity?.close()]);
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test('Investigate on the host: the KQL reaches Log Analytics with the host bound as a let, and the thread gets a table card', async () => {
    // The channel card is read-only; a responder's own view (their refresh) has the menus.
    const card = JSON.stringify((await sendInvoke(h, spot, responder, 'incident.refresh', { incidentId: incidentName }, cardActivityId)).value);
    assert.match(card, /Investigate FIN-WS-042\.corp\.contoso\.com/);
    assert.match(card, /"queryId":"host-process-events","entityId":"e-host-1"/);

    la.setTable(processRows);
    const since = h.connector.calls.length;
    const answer = await runQuery('host-process-events', 'e-host-1');
    assert.match(JSON.stringify(answer.value), /Running \\"Process events on FIN-WS-042\.corp\.contoso\.com, last 24 h\\"/);
    const reply = await nextAnswer(since);
    assert.equal(reply.conversationId, `${channel};messageid=${cardActivityId}`, 'in the incident card’s thread');

    const [sent] = la.queries();
    assert.ok(sent);
    assert.match(sent.query, /^let host = "FIN-WS-042";\nDeviceProcessEvents\n\| where DeviceName =~ host or DeviceName startswith strcat\(host, "\."\)/);
    assert.match(sent.query, /\| take 6$/);
    assert.equal(sent.timespan, 'P1D');
    assert.equal(sent.prefer, 'wait=20');
    assert.ok(identity.issued.some((r) => r.startsWith('https://api.loganalytics.io')), 'a token for Log Analytics');

    const table = h.connector.cardOf(reply)!;
    const text = JSON.stringify(table);
    assert.match(text, /"type":"Table"/);
    assert.match(text, /{{DATE\(2025-03-01T10:00:00Z, SHORT\)}}/);
    assert.match(text, /"type":"TextRun","text":"powershell -enc SQBFAFgA \[Re-authenticate\]\(https:\/\/evil\.example\/\)"/);
    assert.match(text, /More than 5 rows · first 5 shown/);

    await h.argus.idle();
    const [run] = await auditRows('query.run');
    assert.deepEqual(
      [run?.outcome, run?.actorName, run?.target, run?.detail.queryId, run?.detail.parameters, run?.detail.rowCount, run?.detail.truncated],
      ['succeeded', responder.name, incidentName, 'host-process-events', { host: 'FIN-WS-042' }, 5, true],
    );
  });

  test('throttling (429) and a partial error are shown in the thread, not hidden', async () => {
    la.answerNext({ kind: 'throttled', retryAfterSeconds: 30 });
    let since = h.connector.calls.length;
    await runQuery('ip-signins', 'e-ip-1');
    const throttled = await nextAnswer(since);
    assert.match(JSON.stringify(h.connector.cardOf(throttled)), /Log Analytics is throttling queries \(429 ThrottledError\): try again in 30 s/);
    assert.match(la.queries().at(-1)!.query, /^let ip = "203\.0\.113\.45";/);

    la.answerNext({ kind: 'table', table: { columns: [{ name: 'AppDisplayName', type: 'string' }, { name: 'Attempts', type: 'long' }], rows: [['Azure Portal', 17]] }, partial: true });
    since = h.connector.calls.length;
    await runQuery('ip-signins', 'e-ip-1');
    const partial = await nextAnswer(since);
    const text = JSON.stringify(h.connector.cardOf(partial));
    assert.match(text, /Partial results: Log Analytics reported PartialError: .*may be incomplete/);
    assert.match(text, /"text":"Azure Portal"/);
    assert.match(text, /"horizontalCellContentAlignment":"Right"/);

    await h.argus.idle();
    const runs = (await auditRows('query.run')).filter((r) => r.detail.queryId === 'ip-signins');
    assert.deepEqual(
      runs.map((r) => [r.outcome, r.detail.status ?? null, r.detail.partial ?? null]),
      [
        ['failed', 429, null],
        ['succeeded', null, 'PartialError'],
      ],
    );
  });

  test('kql is refused for a responder (audited, nothing sent) and runs for an admin, answering in the thread', async () => {
    const before = la.queries().length;
    const refused = await h.activity(messageActivity(spot, responder, 'kql SigninLogs | take 5'));
    assert.equal(refused.status, 200);
    const denials = await auditRows('command.kql');
    assert.deepEqual(
      denials.map((r) => [r.outcome, r.actorName]),
      [['denied', responder.name]],
    );
    assert.equal(la.queries().length, before);

    la.setTable({ columns: [{ name: 'UserPrincipalName', type: 'string' }, { name: 'Failures', type: 'long' }], rows: [['j.doe@contoso.com', 9]] });
    const since = h.connector.calls.length;
    const message = messageActivity(spot, admin, 'kql SigninLogs | where ResultType != &quot;0&quot; | summarize Failures = count() by UserPrincipalName');
    const threadRoot = '1740000000000';
    assert.equal((await h.activity({ ...message, conversation: { ...message.conversation, id: `${channel};messageid=${threadRoot}` } })).status, 200);
    const answer = await nextAnswer(since);
    assert.equal(answer.activity.summary, 'Query result: Ad-hoc query');
    assert.equal(answer.conversationId, `${channel};messageid=${threadRoot}`);
    assert.equal(la.queries().at(-1)!.query, 'SigninLogs | where ResultType != "0" | summarize Failures = count() by UserPrincipalName\n| take 6');
    assert.equal(la.queries().at(-1)!.timespan, 'P1D');
    assert.match(JSON.stringify(h.connector.cardOf(answer)), /"text":"j\.doe@contoso\.com"/);

    await h.argus.idle();
    const [adhoc] = await auditRows('query.kql');
    assert.deepEqual([adhoc?.outcome, adhoc?.actorName, adhoc?.detail.rowCount], ['succeeded', admin.name, 1]);
    assert.match(adhoc?.detail.kql, /^SigninLogs \| where ResultType != "0"/);
    assert.deepEqual((await auditRows('command.kql')).map((r) => r.outcome).sort(), ['allowed', 'denied']);
  });
});
