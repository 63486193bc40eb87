import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileConfigSchema } from '../../../src/config/file-schema';
import { createEnvSecretProvider } from '../../../src/config/secrets-env';
import { isTransientItsmError, ItsmCallError } from '../../../src/ticketing/itsm-http';
import { createServiceNowTickets, type ServiceNowConfig } from '../../../src/ticketing/servicenow/servicenow-tickets';
import type { TicketDraft } from '../../../src/ticketing/ticket';
import { startFakeServiceNow, type FakeServiceNow } from '../../helpers/fake-servicenow';

let sn: FakeServiceNow;
let oauthSn: FakeServiceNow;

before(async () => {
  sn = await startFakeServiceNow();
  oauthSn = await startFakeServiceNow({ auth: 'oauth' });
});
after(async () => {
  await sn.close();
  await oauthSn.close();
});

function config(fake: FakeServiceNow, extra: Record<string, unknown> = {}): ServiceNowConfig {
  const parsed = fileConfigSchema.parse({
    itsm: { provider: 'servicenow', servicenow: { instanceUrl: fake.instanceUrl, username: fake.credentials.username, assignmentGroup: 'soc-group-id', ...extra } },
  });
  return parsed.itsm.servicenow!;
}

function system(fake: FakeServiceNow, extra: Record<string, unknown> = {}, secrets: Record<string, string> = {}) {
  const env = {
    ARGUS_SECRET_SERVICENOW_PASSWORD: fake.credentials.password,
    ARGUS_SECRET_SERVICENOW_CLIENT_SECRET: fake.credentials.clientSecret,
    ...secrets,
  };
  return createServiceNowTickets({ config: config(fake, extra), secrets: createEnvSecretProvider(env) });
}

const draft = (name: string, severity: TicketDraft['severity'] = 'High'): TicketDraft => ({
  incidentName: name,
  incidentNumber: 48213,
  title: 'Suspicious PowerShell download cradle on FIN-WS-042',
  description: 'A PowerShell process downloaded a script.',
  severity,
});

test('create sends the incident fields ServiceNow expects and answers the ticket', async () => {
  const tickets = system(sn);
  const t = await tickets.create(draft('inc-aaa'));
  const post = sn.apiRequests().find((r) => r.method === 'POST')!;
  const body = post.json as Record<string, string>;
  assert.equal(body.short_description, 'Sentinel incident 48213: Suspicious PowerShell download cradle on FIN-WS-042');
  assert.equal(body.urgency, '1');
  assert.equal(body.impact, '1');
  assert.equal(body.correlation_id, 'inc-aaa');
  assert.equal(body.correlation_display, 'Argus');
  assert.equal(body.assignment_group, 'soc-group-id');
  assert.equal(post.query.get('sysparm_display_value'), 'all');
  assert.match(t.number, /^INC\d{7}$/);
  assert.equal(t.status, 'new');
  assert.equal(t.statusLabel, 'New');
  assert.equal(t.correlationId, 'inc-aaa');
  assert.equal(t.version, 0);
  assert.match(t.url, /\/nav_to\.do\?uri=incident\.do%3Fsys_id%3D[0-9a-f]{32}$/);
});

test('Medium maps to urgency 2, Low and Informational to 3', async () => {
  const tickets = system(sn);
  for (const [severity, urgency] of [['Medium', '2'], ['Low', '3'], ['Informational', '3']] as const) {
    const t = await tickets.create(draft(`inc-${severity}`, severity));
    assert.equal(sn.records.get(t.id)?.urgency, urgency, severity);
    assert.equal(sn.records.get(t.id)?.impact, urgency, severity);
  }
});

test('findByCorrelation finds the ticket carrying the incident name, and only that one', async () => {
  const tickets = system(sn);
  const created = await tickets.create(draft('inc-find'));
  assert.equal((await tickets.findByCorrelation('inc-find'))?.id, created.id);
  assert.equal(await tickets.findByCorrelation('inc-none'), undefined);
  assert.equal(await tickets.findByCorrelation('x^ORcorrelation_id=inc-find'), undefined, 'query operators are not passed through');
  assert.equal((await tickets.get(created.number.toLowerCase()))?.id, created.id);
  assert.equal(await tickets.get('INC9999999'), undefined);
});

test('resolving sends state 6 with close_code and close_notes; notes and severity are PATCHed', async () => {
  const tickets = system(sn, { closeCodes: { FalsePositive: 'Not Solved (Not Reproducible)' } });
  const t = await tickets.create(draft('inc-resolve'));
  const noted = await tickets.update(t, { note: '[Argus] hello', severity: 'Medium' });
  assert.equal(noted.version, 1);
  assert.equal(sn.records.get(t.id)?.urgency, '2');
  assert.equal(sn.records.get(t.id)?.journal.at(-1)?.text, '[Argus] hello');
  const resolved = await tickets.update(noted, { status: 'resolved', resolution: { classification: 'FalsePositive', notes: 'closed as false positive' } });
  const record = sn.records.get(t.id)!;
  assert.equal(record.state, '6');
  assert.equal(record.close_code, 'Not Solved (Not Reproducible)');
  assert.equal(record.close_notes, 'closed as false positive');
  assert.equal(resolved.status, 'resolved');
  assert.equal(resolved.statusLabel, 'Resolved');
  assert.equal(resolved.version, 2);
});

test('a configured state map changes what Argus sends and reads', async () => {
  const tickets = system(sn, { states: { '10': 'resolved', '6': 'closed' } });
  const t = await tickets.create(draft('inc-states'));
  await tickets.update(t, { status: 'resolved', resolution: { notes: 'done' } });
  assert.equal(sn.records.get(t.id)?.state, '10');
});

test('429 honours Retry-After, then succeeds', async () => {
  const tickets = system(sn);
  sn.failNext(1, 429, 1);
  const started = Date.now();
  const t = await tickets.create(draft('inc-429'));
  assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
  assert.equal(t.correlationId, 'inc-429');
});

test('5xx is retried with backoff; a long outage is a transient error; bad credentials are not', async () => {
  const tickets = system(sn);
  sn.failNext(2, 502);
  assert.ok(await tickets.findByCorrelation('inc-aaa'));
  sn.setDown(true);
  await assert.rejects(tickets.findByCorrelation('inc-aaa'), (err: unknown) => isTransientItsmError(err) && /503/.test((err as Error).message));
  sn.setDown(false);
  const wrong = system(sn, {}, { ARGUS_SECRET_SERVICENOW_PASSWORD: 'nope' });
  await assert.rejects(wrong.findByCorrelation('inc-aaa'), (err: unknown) => err instanceof ItsmCallError && !err.transient && err.peerStatus === 401);
});

test('a create whose answer is lost is not repeated by the client (the caller looks it up first)', async () => {
  const tickets = system(sn);
  const before = sn.records.size;
  sn.dropNextCreate();
  await assert.rejects(tickets.create(draft('inc-dropped')), (err: unknown) => isTransientItsmError(err));
  assert.equal(sn.records.size, before + 1);
  assert.ok(await tickets.findByCorrelation('inc-dropped'));
});

test('OAuth client credentials: one token for many calls, a new one after a 401', async () => {
  const tickets = system(oauthSn, { auth: 'oauth', clientId: oauthSn.credentials.clientId, username: undefined });
  await tickets.create(draft('inc-oauth'));
  await tickets.findByCorrelation('inc-oauth');
  assert.equal(oauthSn.tokensIssued, 1);
  const tokenRequest = oauthSn.requests.find((r) => r.path === '/oauth_token.do')!;
  assert.equal(new URLSearchParams(tokenRequest.body).get('grant_type'), 'client_credentials');
  assert.match(String(oauthSn.apiRequests()[0]?.headers.authorization), /^Bearer /);
  oauthSn.revokeTokens();
  assert.ok(await tickets.findByCorrelation('inc-oauth'));
  assert.equal(oauthSn.tokensIssued, 2);
  const basic = system(oauthSn);
  await assert.rejects(basic.findByCorrelation('inc-oauth'), (err: unknown) => err instanceof ItsmCallError && err.peerStatus === 401);
});

test('users by email, and open Argus tickets assigned to one with X-Total-Count', async () => {
  const tickets = system(sn);
  const beth = sn.addUser('Beth Anglin', 'beth.anglin@contoso.com');
  assert.deepEqual(await tickets.findUser('beth.anglin@contoso.com'), { id: beth.sys_id, name: 'Beth Anglin' });
  assert.equal(await tickets.findUser('nobody@contoso.com'), undefined);
  for (let i = 0; i < 3; i += 1) {
    const t = await tickets.create(draft(`inc-mine-${i}`));
    await tickets.update(t, { assigneeId: beth.sys_id });
  }
  sn.seed({ assigned_to: beth.sys_id, correlation_display: '', short_description: 'not from Argus' });
  const page = await tickets.listAssignedTo({ id: beth.sys_id, name: 'Beth Anglin' }, 2);
  assert.equal(page.tickets.length, 2);
  assert.equal(page.total, 3);
  assert.equal(page.more, true);
  assert.equal(page.tickets[0]?.assignee, 'Beth Anglin');
});

test('http is refused for a non-loopback instance URL', () => {
  assert.throws(
    () => createServiceNowTickets({ config: { ...config(sn), instanceUrl: 'http://contoso.service-now.com' }, secrets: createEnvSecretProvider({}) }),
    { code: 'ARGUS_CONFIG_INVALID' },
  );
});
