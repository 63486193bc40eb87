import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileConfigSchema } from '../../src/config/file-schema';
import { createEnvSecretProvider } from '../../src/config/secrets-env';
import { createJiraTickets } from '../../src/ticketing/jira/jira-tickets';
import { createServiceNowTickets } from '../../src/ticketing/servicenow/servicenow-tickets';
import { startFakeJira, type FakeJira } from '../helpers/fake-jira';
import { startFakeServiceNow, type FakeServiceNow } from '../helpers/fake-servicenow';
import { splitEncodedQuery } from '../helpers/servicenow-encoded-query';

let sn: FakeServiceNow;
let jira: FakeJira;

before(async () => {
  [sn, jira] = await Promise.all([startFakeServiceNow(), startFakeJira()]);
});
after(async () => {
  await Promise.all([sn.close(), jira.close()]);
});

function serviceNow() {
  const { itsm } = fileConfigSchema.parse({ itsm: { provider: 'servicenow', servicenow: { instanceUrl: sn.instanceUrl, username: sn.credentials.username } } });
  return createServiceNowTickets({ config: itsm.servicenow!, secrets: createEnvSecretProvider({ ARGUS_SECRET_SERVICENOW_PASSWORD: sn.credentials.password }) });
}

function jiraTickets() {
  const { itsm } = fileConfigSchema.parse({
    itsm: { provider: 'jira', jira: { baseUrl: jira.baseUrl, email: jira.credentials.email, serviceDeskId: jira.serviceDesk.id, requestTypeId: jira.serviceDesk.requestTypeId } },
  });
  return createJiraTickets({ config: itsm.jira!, secrets: createEnvSecretProvider({ ARGUS_SECRET_JIRA_API_TOKEN: jira.credentials.token }) });
}

test('the fake instance reads encoded queries as ServiceNow does: ^ separates terms, ^^ is a literal ^', () => {
  assert.deepEqual(splitEncodedQuery('active=true^email=a^^b@x.com^ORuser_name=a^^b'), ['active=true', 'email=a^b@x.com', 'ORuser_name=a^b']);
  assert.deepEqual(splitEncodedQuery('email=a^^^ORx=1'), ['email=a^', 'ORx=1']);
});

test('ServiceNow: a ticket is read by number with its fields, priority and link, whoever opened it', async () => {
  const beth = sn.addUser('Beth Anglin', 'beth.anglin@contoso.com');
  const record = sn.seed({ short_description: 'Printer on fire', state: '3', assigned_to: beth.sys_id, urgency: '2', impact: '2', correlation_id: 'not-from-argus' });
  const ticket = await serviceNow().get(record.number.toLowerCase(), { interactive: true });
  assert.equal(ticket?.number, record.number);
  assert.equal(ticket?.title, 'Printer on fire');
  assert.equal(ticket?.statusLabel, 'On Hold');
  assert.equal(ticket?.assignee, 'Beth Anglin');
  assert.equal(ticket?.priority, '3 - Moderate');
  assert.equal(ticket?.correlationId, 'not-from-argus');
  assert.equal(ticket?.url, `${sn.instanceUrl}/nav_to.do?uri=incident.do%3Fsys_id%3D${record.sys_id}`);
  const sent = sn.apiRequests().at(-1)!;
  assert.equal(sent.query.get('sysparm_query'), `number=${record.number}`);
  assert.ok(sent.query.get('sysparm_fields')?.split(',').includes('priority'));
  assert.equal(await serviceNow().get('INC0000001'), undefined);
});

test('ServiceNow: a number that is not one is answered without a call (nothing typed reaches the query)', async () => {
  const before = sn.apiRequests().length;
  for (const text of ['INC0010001^ORactive=true', 'INC0010001^NQactive=true', 'number=INC1', 'INC-1', ''])
    assert.equal(await serviceNow().get(text), undefined, text);
  assert.equal(sn.apiRequests().length, before);
});

test('ServiceNow: a user whose email holds ^ (legal in the local part) is found', async () => {
  const tess = sn.addUser('Tess O’Brien', 'tess^obrien@contoso.com');
  assert.deepEqual(await serviceNow().findUser('tess^obrien@contoso.com'), { id: tess.sys_id, name: 'Tess O’Brien' });
  assert.equal(sn.apiRequests().at(-1)!.query.get('sysparm_query'), 'active=true^email=tess^^obrien@contoso.com^ORuser_name=tess^^obrien@contoso.com');
});

test('ServiceNow: a ^ in an email cannot add terms to the user query', async () => {
  sn.addUser('Alan Admin', 'alan@contoso.com');
  // Unescaped, this would read "… OR user_name contains a" and find Alan.
  assert.equal(await serviceNow().findUser('nobody@contoso.com^ORuser_nameLIKEa'), undefined);
});

test('Jira: an issue is read by key with its priority; a malformed key is answered without a call', async () => {
  const issue = jira.seed({ summary: 'Phishing report from finance', priority: 'Highest', labels: [] });
  const ticket = await jiraTickets().get(issue.key.toLowerCase(), { interactive: true });
  assert.equal(ticket?.number, issue.key);
  assert.equal(ticket?.title, 'Phishing report from finance');
  assert.equal(ticket?.priority, 'Highest');
  assert.equal(ticket?.correlationId, undefined);
  assert.equal(ticket?.url, `${jira.baseUrl}/browse/${issue.key}`);
  assert.equal(await jiraTickets().get('SEC-424242'), undefined);
  const before = jira.apiRequests().length;
  for (const text of ['SEC-1/transitions', '../myself', 'SEC-1?fields=*all', 'INC0012345']) assert.equal(await jiraTickets().get(text), undefined, text);
  assert.equal(jira.apiRequests().length, before);
});
