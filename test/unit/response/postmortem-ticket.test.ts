import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { renderIncidentCard } from '../../../src/cards';
import type { IncidentRecord } from '../../../src/incidents/incident-repository';
import { fileConfigSchema } from '../../../src/config/file-schema';
import { createEnvSecretProvider } from '../../../src/config/secrets-env';
import type { FollowUpTicketPort } from '../../../src/response/follow-up-port';
import { tablePostMortems, type PostMortem } from '../../../src/response/postmortem';
import { postMortemCardSection } from '../../../src/response/postmortem-card';
import { postMortemTicketAction } from '../../../src/response/postmortem-ticket-action';
import { tableActionTickets } from '../../../src/response/postmortem-tickets';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { followUpTickets } from '../../../src/ticketing/follow-up-tickets';
import { createJiraTickets } from '../../../src/ticketing/jira/jira-tickets';
import { createServiceNowTickets } from '../../../src/ticketing/servicenow/servicenow-tickets';
import type { TicketSystem } from '../../../src/ticketing/ticket-system';
import { startFakeJira } from '../../helpers/fake-jira';
import { startFakeServiceNow, type FakeServiceNow } from '../../helpers/fake-servicenow';
import { actionsOf, cardProblems, textOf } from '../cards/card-checker';
import { person, ransomwareIncident } from './response-fixtures';

const completed: PostMortem = {
  status: 'completed',
  summary: 'Ransomware encrypted one file share.',
  rootCause: 'An exposed RDP host.',
  contributingFactors: '',
  lessonsLearned: '',
  preventionActions: ['Close RDP on the internet edge', 'Alert on mass file renames'],
  detectionGaps: [],
  savedAt: '2026-03-02T10:00:00.000Z',
  savedBy: 'Ana Silva',
  completedAt: '2026-03-02T11:00:00.000Z',
  completedBy: 'Ana Silva',
};

function serviceNow(sn: FakeServiceNow): TicketSystem {
  const config = fileConfigSchema.parse({ itsm: { provider: 'servicenow', servicenow: { instanceUrl: sn.instanceUrl, username: sn.credentials.username } } });
  return createServiceNowTickets({ config: config.itsm.servicenow!, secrets: createEnvSecretProvider({ ARGUS_SECRET_SERVICENOW_PASSWORD: sn.credentials.password }) });
}

async function world(followUps: FollowUpTicketPort | undefined, pm: PostMortem = completed) {
  const incident = ransomwareIncident();
  const table = memoryEntityTable();
  const postMortems = tablePostMortems(table);
  await postMortems.save(incident.name, pm, undefined);
  const tickets = tableActionTickets(table);
  const audit = new MemoryAuditLog();
  const record: IncidentRecord = { incident, etag: '1' };
  const notes: string[] = [];
  const action = postMortemTicketAction({
    postMortems,
    tickets,
    followUps,
    audit,
    incidents: { get: async (id) => (id === incident.name ? record : undefined), record: async (_id, change) => (notes.push(change.summary), record) },
    publisher: { render: async (view) => ({ notice: view.notice }) as never },
  });
  const click = async (index: unknown, role: 'responder' = 'responder') => {
    const who = person(role);
    const res = await action.handle({ ...who, data: { incidentId: incident.name, index } } as never);
    return String((res as { card?: { notice?: { text: string } } }).card?.notice?.text);
  };
  return { incident, tickets, table, audit, notes, click, action };
}

test('one click opens one follow-up ticket with the action text; a second click answers the same ticket', async () => {
  const sn = await startFakeServiceNow();
  try {
    const system = serviceNow(sn);
    const w = await world(followUpTickets(system));
    assert.equal(w.action.role, 'responder');
    const first = await w.click(2);
    assert.match(first, /^Ticket INC\d{7} opened in ServiceNow for prevention action 2 by Rui Responder\.$/);
    const posts = () => sn.apiRequests().filter((r) => r.method === 'POST');
    assert.equal(posts().length, 1);
    const body = posts()[0]!.json as Record<string, string>;
    assert.equal(body.short_description, 'Alert on mass file renames');
    assert.match(String(body.description), /Alert on mass file renames/);
    assert.equal(body.correlation_id, `${w.incident.name}:pa:2`);
    const number = /INC\d{7}/.exec(first)![0];

    const second = await w.click('2');
    assert.equal(second, `Prevention action 2 already has ticket ${number}.`);
    assert.equal(posts().length, 1, 'no second ticket');
    assert.equal((await w.tickets.list(w.incident.name)).get(2)?.number, number);
    assert.deepEqual(w.audit.records.filter((e) => e.action === 'postmortem.ticket').map((e) => [e.outcome, e.detail?.number]), [['succeeded', number], ['succeeded', number]]);
    assert.equal(w.notes.length, 1, 'the thread hears of the new ticket once');

    // The incident's own ticket is looked up by the bare name: the follow-up is never it.
    assert.equal(await system.findByCorrelation(w.incident.name), undefined);
    const own = await system.create({ incidentName: w.incident.name, incidentNumber: w.incident.number, title: 't', description: 'd', severity: 'High' });
    assert.equal((await system.findByCorrelation(w.incident.name))?.number, own.number);
  } finally {
    await sn.close();
  }
});

test('a create whose answer was lost is found again by its correlation value, not opened twice', async () => {
  const sn = await startFakeServiceNow();
  try {
    const w = await world(followUpTickets(serviceNow(sn)));
    sn.dropNextCreate();
    assert.match(await w.click(1), /did not answer; try again later/);
    assert.equal(w.audit.records.at(-1)?.outcome, 'failed');
    assert.match(await w.click(1), /^Ticket INC\d{7} opened in ServiceNow for prevention action 1/);
    assert.equal(sn.records.size, 1);
  } finally {
    await sn.close();
  }
});

test('Jira follow-ups carry their own label; the incident lookup still finds only the incident ticket', async () => {
  const jira = await startFakeJira();
  try {
    const config = fileConfigSchema.parse({
      itsm: { provider: 'jira', jira: { baseUrl: jira.baseUrl, email: jira.credentials.email, serviceDeskId: jira.serviceDesk.id, requestTypeId: jira.serviceDesk.requestTypeId } },
    });
    const system = createJiraTickets({ config: config.itsm.jira!, secrets: createEnvSecretProvider({ ARGUS_SECRET_JIRA_API_TOKEN: jira.credentials.token }) });
    const w = await world(followUpTickets(system));
    const text = await w.click(1);
    assert.match(text, /^Ticket SEC-\d+ opened in Jira Service Management/);
    const issue = [...jira.issues.values()][0]!;
    assert.equal(issue.summary, 'Close RDP on the internet edge');
    assert.equal(await system.findByCorrelation(w.incident.name), undefined);
    assert.match(await w.click(1), /already has ticket SEC-\d+/);
    assert.equal(jira.issues.size, 1);
  } finally {
    await jira.close();
  }
});

test('no ticket for a draft post-mortem, an action it does not have, or without an ITSM', async () => {
  const port: FollowUpTicketPort = { providerLabel: 'X', find: async () => undefined, create: async () => assert.fail('no ticket expected') };
  const draft = await world(port, { ...completed, status: 'draft' });
  assert.match(await draft.click(1), /the post-mortem is not completed/);
  const w = await world(port);
  for (const index of [0, 3, 'x', 1.5]) assert.match(await w.click(index), /has no prevention action/);
  assert.match(await (await world(undefined)).click(1), /no ITSM is configured/);
  assert.ok(w.audit.records.every((e) => e.outcome === 'rejected'));
  assert.equal((await w.tickets.list(w.incident.name)).size, 0);
});

test('the completed post-mortem shows each action with its ticket number or a Create ticket button', async () => {
  const w = await world(undefined);
  await w.tickets.claim(w.incident.name, 1, 0).then((etag) =>
    w.tickets.complete(w.incident.name, 1, { id: 's1', number: 'INC0010042', url: 'https://x', action: 'a', createdBy: 'Ana', createdAt: '' }, etag!),
  );
  const section = (role: 'responder' | 'reader') =>
    postMortemCardSection({
      store: tablePostMortems(w.table),
      response: { loadPhase: async () => ({ phase: 'recovery', since: '', history: [], etag: 'e' }) },
      followUps: w.tickets,
    })({ incident: w.incident, etag: 'e' }, { role });
  const card = renderIncidentCard({ incident: w.incident, sentinelConnected: true, showActions: true, ...(await section('responder')) });
  assert.deepEqual(cardProblems(card), []);
  assert.match(textOf(card), /🎫 INC0010042/);
  const buttons = actionsOf(card).filter((a) => a.verb === 'postmortem.ticket');
  assert.deepEqual(buttons.map((b) => [b.title, b.data]), [['Create ticket', { incidentId: w.incident.name, index: 2 }]]);
  const readerCard = renderIncidentCard({ incident: w.incident, sentinelConnected: true, showActions: true, ...(await section('reader')) });
  assert.equal(actionsOf(readerCard).filter((a) => a.verb === 'postmortem.ticket').length, 0);
  assert.match(textOf(readerCard), /Alert on mass file renames/);
});
