import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { argusIncidentCreator } from '../../../src/incidents/argus-incident-creator';
import { TableIncidentCounter } from '../../../src/incidents/incident-counter';
import { TableIncidentRepository } from '../../../src/incidents/incident-repository';
import { createLogger } from '../../../src/logging/logger';
import { reportFormCard } from '../../../src/reporting/report-cards';
import { parseReportInput } from '../../../src/reporting/report-input';
import { createReportService } from '../../../src/reporting/report-service';
import { TableReportStore } from '../../../src/reporting/report-store';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { actedOnMessage } from '../../../src/teams/message-actions';
import type { RequestContext } from '../../../src/teams/registry';
import type { UserChatTarget } from '../../../src/teams/user-chats';
import { cardProblems, officialProblems } from '../cards/card-checker';

const logger = createLogger({ level: 'silent' });
const tenantId = 'aaaaaaaa-0000-4000-8000-000000000001';

function ctx(kind: RequestContext['conversationKind'] = 'personal', aadObjectId = '40000000-0000-4000-8000-000000000001'): RequestContext {
  return {
    actor: { aadObjectId, tenantId, name: 'Nina Nobody', teamsUserId: '29:nina' },
    decision: { roles: [], federated: false, reasons: [] },
    conversationId: kind === 'personal' ? 'a:nina' : '19:general@thread.tacv2',
    rawConversationId: 'a:nina',
    conversationKind: kind,
    correlationId: 'corr-1',
    log: logger,
    origin: { serviceUrl: 'https://smba.trafficmanager.net/emea/', botId: '28:argus' },
  };
}

function rig(now = new Date('2026-03-02T10:15:00Z')) {
  const table = memoryEntityTable();
  const incidents = new TableIncidentRepository(table);
  const audit = new MemoryAuditLog();
  const published: string[] = [];
  const sent: Array<{ target: UserChatTarget; text: string }> = [];
  const store = new TableReportStore(memoryEntityTable());
  const creator = argusIncidentCreator({ incidents, audit, publisher: { publish: async (name: string) => void published.push(name) }, counter: new TableIncidentCounter(table) });
  const service = createReportService({
    creator,
    store,
    audit,
    logger,
    limitPerHour: 3,
    now: () => now,
    chats: { send: async (target, message) => (sent.push({ target, text: 'text' in message ? message.text : '' }), { conversationId: `a:${target.teamsUserId}` }) },
  });
  return { service, incidents, audit, published, sent, store };
}

const form = { summary: 'Strange pop-up asking for my password', occurredAt: 'today 09:40', affected: 'LAPTOP-17', urgency: 'HIGH' };

test('a report becomes an Argus incident titled "Reported: …" with the reporter and the answers, audited, published', async () => {
  const r = rig();
  const out = await r.service.submit(ctx(), form, undefined, 'chat');
  assert.equal(out.kind, 'created');
  if (out.kind !== 'created') return;
  const stored = await r.incidents.get(out.incidentName);
  assert.equal(stored?.incident.title, 'Reported: Strange pop-up asking for my password');
  assert.equal(stored?.incident.severity, 'High');
  assert.match(stored?.incident.description ?? '', /Nina Nobody \(40000000-[\s\S]*When: today 09:40[\s\S]*Affected: LAPTOP-17/);
  assert.deepEqual(r.published, [out.incidentName]);
  const rows = await r.audit.query({ action: 'report.submit' });
  assert.deepEqual(rows.map((x) => [x.outcome, x.target]), [['succeeded', out.incidentName]]);
  assert.match(out.receipt, new RegExp(`incident #${out.number}`));
  assert.equal(r.sent.length, 0, 'in the personal chat the answer to the form is the receipt');
});

test('from a channel or a message action the receipt also goes to the personal chat', async () => {
  const r = rig();
  const out = await r.service.submit(ctx('channel'), form, undefined, 'chat');
  assert.equal(out.kind, 'created');
  assert.deepEqual(r.sent.map((s) => s.target), [{ teamsUserId: '29:nina', tenantId, serviceUrl: 'https://smba.trafficmanager.net/emea/', botId: '28:argus' }]);
  assert.match(r.sent[0]!.text, /incident #1/);
});

test('a bad form is refused with the failing fields and makes nothing; the refusal is audited', async () => {
  const r = rig();
  const out = await r.service.submit(ctx(), { summary: ' ', urgency: 'whenever' }, undefined, 'chat');
  assert.equal(out.kind, 'invalid');
  if (out.kind === 'invalid') assert.deepEqual(out.problems.map((p) => p.split(':')[0]), ['summary', 'urgency']);
  assert.equal(r.published.length, 0);
  assert.deepEqual((await r.audit.query({ action: 'report.submit' })).map((x) => x.outcome), ['rejected']);
  assert.deepEqual(parseReportInput({ summary: 'ok then', urgency: 'low', extra: 1 }), { ok: true, input: { summary: 'ok then', urgency: 'low' } });
});

test('reports are rate-limited per user per hour, shared through the table (other users unaffected)', async () => {
  const r = rig();
  for (let i = 0; i < 3; i += 1) assert.equal((await r.service.submit(ctx(), form, undefined, 'chat')).kind, 'created');
  const fourth = await r.service.submit(ctx(), form, undefined, 'chat');
  assert.equal(fourth.kind, 'refused');
  assert.equal((await r.service.submit(ctx('personal', '40000000-0000-4000-8000-000000000002'), form, undefined, 'chat')).kind, 'created');
  assert.equal(r.published.length, 4);
  assert.equal(await r.store.take('40000000-0000-4000-8000-000000000001', 3, new Date('2026-03-02T11:00:00Z')), true, 'a new hour');
});

test('the reporter hears once when the incident is acknowledged and once when it is closed', async () => {
  const r = rig();
  const out = await r.service.submit(ctx(), form, undefined, 'chat');
  assert.equal(out.kind, 'created');
  if (out.kind !== 'created') return;
  await r.service.follow(out.incidentName, 'New');
  await r.service.follow(out.incidentName, 'Active');
  await r.service.follow(out.incidentName, 'Active');
  await r.service.follow(out.incidentName, 'Closed');
  await r.service.follow(out.incidentName, 'Closed');
  await r.service.follow('00000000-0000-4000-8000-00000000dead', 'Closed');
  assert.deepEqual(r.sent.map((s) => /acknowledged|closed/.exec(s.text)?.[0]), ['acknowledged', 'closed']);
});

test('a reported message is shown as plain text: tags dropped, entities decoded, link syntax split; the form passes the Adaptive Cards parser', () => {
  const message = actedOnMessage({
    id: '1',
    linkToMessage: 'javascript:alert(1)',
    from: { user: { displayName: 'Mallory [x](https://evil.example)' } },
    body: { contentType: 'html', content: '<p>Click <a href="https://evil.example">[here](https://evil.example)</a> &amp; log in</p>' },
  });
  assert.equal(message?.text, 'Click [here](https://evil.example) & log in');
  assert.equal(message?.link, undefined, 'only https links are kept');
  const inChat = reportFormCard({ inChat: true });
  assert.deepEqual(cardProblems(inChat), []);
  // A task module's form submits with Action.Submit (Teams sends it back as composeExtension/submitAction).
  const inTask = reportFormCard({ inChat: false, message, problems: ['summary: say what happened'] });
  assert.deepEqual(officialProblems(inTask), []);
  assert.deepEqual((inTask.actions as Array<{ type: string }>).map((a) => a.type), ['Action.Submit']);
  assert.doesNotMatch(JSON.stringify(inTask), /\]\(https/);
});
