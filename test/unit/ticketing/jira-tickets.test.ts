import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileConfigSchema } from '../../../src/config/file-schema';
import { createEnvSecretProvider } from '../../../src/config/secrets-env';
import { ItsmCallError } from '../../../src/ticketing/itsm-http';
import { createJiraTickets } from '../../../src/ticketing/jira/jira-tickets';
import type { TicketDraft } from '../../../src/ticketing/ticket';
import { startFakeJira, type FakeJira } from '../../helpers/fake-jira';

let jira: FakeJira;
before(async () => {
  jira = await startFakeJira();
});
after(() => jira.close());

function system(extra: Record<string, unknown> = {}, token = jira.credentials.token) {
  const config = fileConfigSchema.parse({
    itsm: {
      provider: 'jira',
      jira: { baseUrl: jira.baseUrl, email: jira.credentials.email, serviceDeskId: jira.serviceDesk.id, requestTypeId: jira.serviceDesk.requestTypeId, ...extra },
    },
  }).itsm.jira!;
  return createJiraTickets({ config, secrets: createEnvSecretProvider({ ARGUS_SECRET_JIRA_API_TOKEN: token }) });
}

const draft = (name: string): TicketDraft => ({ incidentName: name, incidentNumber: 7, title: 'Impossible travel', description: 'Sign-ins from two continents.', severity: 'Medium' });

test('create opens a request with the correlation label; findByCorrelation and get find it', async () => {
  const tickets = system();
  const t = await tickets.create(draft('inc-1'));
  assert.match(t.number, /^SEC-\d+$/);
  assert.equal(t.status, 'new');
  assert.equal(t.statusLabel, 'Waiting for support');
  assert.equal(t.url, `${jira.baseUrl}/browse/${t.number}`);
  const issue = jira.issues.get(t.id)!;
  assert.deepEqual(issue.labels, ['argus', 'argus-inc-1']);
  assert.equal(issue.summary, 'Sentinel incident 7: Impossible travel');
  assert.equal((await tickets.findByCorrelation('inc-1'))?.id, t.id);
  assert.equal(await tickets.findByCorrelation('inc-2'), undefined);
  assert.equal((await tickets.get(t.number.toLowerCase()))?.id, t.id);
  assert.equal(await tickets.get('SEC-999'), undefined);
  assert.equal(await tickets.get('not a key'), undefined);
  const auth = jira.apiRequests()[0]?.headers.authorization;
  assert.equal(auth, `Basic ${Buffer.from(`${jira.credentials.email}:${jira.credentials.token}`).toString('base64')}`);
});

test('a custom correlation field is set at creation and searched exactly', async () => {
  const tickets = system({ correlationField: 'customfield_10090', priorities: { High: 'Highest', Medium: 'High', Low: 'Low', Informational: 'Lowest' } });
  const t = await tickets.create(draft('inc-cf'));
  assert.equal(jira.issues.get(t.id)?.custom.customfield_10090, 'inc-cf');
  assert.equal(jira.issues.get(t.id)?.priority, 'High');
  assert.equal((await tickets.findByCorrelation('inc-cf'))?.correlationId, 'inc-cf');
});

test('resolve moves the issue through the Done transition and adds the notes as an internal comment, once', async () => {
  const tickets = system({ resolution: 'Done' });
  const t = await tickets.create(draft('inc-resolve'));
  const started = await tickets.update(t, { status: 'in_progress' });
  assert.equal(started.status, 'in_progress');
  const resolved = await tickets.update(started, { status: 'resolved', resolution: { notes: 'Closed in Sentinel.' } });
  assert.equal(resolved.status, 'resolved');
  assert.equal(resolved.statusLabel, 'Resolved');
  assert.ok(resolved.version >= started.version);
  const issue = jira.issues.get(t.id)!;
  assert.equal(issue.resolution, 'Done');
  assert.deepEqual(issue.comments.map((c) => [c.body, c.public]), [['[Argus] Closed in Sentinel.', false]]);
  await tickets.update(resolved, { status: 'resolved', resolution: { notes: 'Closed in Sentinel.' } });
  assert.equal(issue.comments.length, 1, 'a repeated resolve neither transitions nor comments again');
});

test('assignee, priority and notes; users by email; open requests assigned to a user', async () => {
  const tickets = system({ priorities: { High: 'Highest', Medium: 'High', Low: 'Low', Informational: 'Lowest' } });
  const ana = jira.addUser('Ana Silva', 'ana@contoso.com');
  const user = await tickets.findUser('ana@contoso.com');
  assert.deepEqual(user, { id: ana.accountId, name: 'Ana Silva' });
  assert.equal(await tickets.findUser('nobody@contoso.com'), undefined);
  const t = await tickets.create(draft('inc-assign'));
  const after = await tickets.update(t, { assigneeId: ana.accountId, severity: 'High', note: '[Argus] hi' });
  assert.equal(after.assignee, 'Ana Silva');
  assert.equal(jira.issues.get(t.id)?.priority, 'Highest');
  assert.equal(jira.issues.get(t.id)?.comments.at(-1)?.body, '[Argus] hi');
  jira.seed({ summary: 'not ours', assignee: ana });
  const page = await tickets.listAssignedTo(user!, 10);
  assert.deepEqual(page.tickets.map((x) => x.number), [t.number]);
  assert.equal(page.more, false);
});

test('429 honours Retry-After; a bad token is a permanent failure', async () => {
  const tickets = system();
  jira.failNext(1, 429, 1);
  const started = Date.now();
  await tickets.ping();
  assert.ok(Date.now() - started >= 950);
  await assert.rejects(system({}, 'wrong').ping(), (err: unknown) => err instanceof ItsmCallError && !err.transient && err.peerStatus === 401);
});
