import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Role } from '../../../src/access/roles';
import type { AuditEntry } from '../../../src/audit/audit-log';
import { logAnalyticsSchema } from '../../../src/config/log-analytics-schema';
import type { IncidentRecord } from '../../../src/incidents/incident-repository';
import { createLogger } from '../../../src/logging/logger';
import { loadQueryCatalog } from '../../../src/queries/catalog';
import { queryActions } from '../../../src/queries/query-actions';
import { decodeMessageEntities, queryCommands } from '../../../src/queries/query-commands';
import type { QueryRunPayload } from '../../../src/queries/query-run';
import type { CardActionResult, RequestContext } from '../../../src/teams/registry';
import { newIncident } from '../cards/incident-fixtures';

const catalog = loadQueryCatalog(`${__dirname}/../../../queries`);
const settings = logAnalyticsSchema.parse({ workspaceId: '7e2c4a10-3b5d-4f6e-8a9b-0c1d2e3f4a5b', maxRows: 50 });
const channel = '19:soc@thread.tacv2';

function world(options: { configured?: boolean } = {}) {
  const incident = newIncident();
  incident.entities.push({ kind: 'Host', id: 'e-host-evil', displayName: 'EVIL', properties: { hostName: 'EVIL\u0000"; union *' } });
  const record: IncidentRecord = { incident } as IncidentRecord;
  const audits: AuditEntry[] = [];
  const accepted: QueryRunPayload[] = [];
  const deps = {
    catalog,
    settings: options.configured === false ? undefined : settings,
    incidents: { get: async (name: string) => (name === incident.name ? record : undefined) },
    publisher: { render: async (r: IncidentRecord) => ({ notice: r.notice }) },
    cards: { cardsOf: async () => [{ conversationId: channel, activityId: 'card-1' }] },
    intake: { accept: async (input: { payload: unknown }) => (accepted.push(input.payload as QueryRunPayload), { eventId: 'e', duplicate: false, correlationId: 'c' }) },
    audit: { append: async (e: AuditEntry) => (audits.push(e), e as never) },
  };
  return { incident, audits, accepted, deps };
}

function ctx(role: Role | undefined, raw = `${channel};messageid=card-1`): RequestContext {
  return {
    actor: { aadObjectId: 'a1', name: 'Rui Responder', tenantId: 't1' },
    decision: { role, roles: role ? [role] : [], federated: false, reasons: [] },
    conversationId: channel,
    rawConversationId: raw,
    conversationKind: 'channel',
    correlationId: 'corr-1',
    log: createLogger({ level: 'silent' }),
  };
}

async function click(w: ReturnType<typeof world>, role: Role | undefined, data: Record<string, unknown>): Promise<CardActionResult> {
  const [action] = queryActions(w.deps as never);
  assert.equal(action!.verb, 'query.run');
  assert.equal(action!.role, 'reader', 'the registry lets any role through; the query decides');
  return action!.handle({ ...ctx(role), data: { incidentId: w.incident.name, ...data } });
}

const notice = (r: CardActionResult) => ('card' in r ? (r.card as { notice?: { text: string; style: string } }).notice : undefined);

test('a responder’s click binds the entity and queues the run to answer in the card’s thread', async () => {
  const w = world();
  const answer = await click(w, 'responder', { queryId: 'host-process-events', entityId: 'e-host-1' });
  assert.equal(notice(answer)?.style, 'accent');
  assert.match(notice(answer)!.text, /Running "Process events on FIN-WS-042\.corp\.contoso\.com, last 24 h"/);
  const [p] = w.accepted;
  assert.ok(p);
  assert.match(p.query, /^let host = "FIN-WS-042";\nDeviceProcessEvents\n/);
  assert.match(p.query, /\| take 51$/);
  assert.deepEqual(p.parameters, { host: 'FIN-WS-042' });
  assert.equal(p.timespan, 'P1D');
  assert.deepEqual(p.replyTo, { conversationId: channel, parentActivityId: 'card-1' });
  assert.equal(p.role, 'responder');
  assert.deepEqual(w.audits, [], 'the run itself is audited when it ran');
});

test('refusals change nothing, say why on the card, and are audited as rejected with the reason', async () => {
  const cases: Array<[Role | undefined, Record<string, unknown>, RegExp, { configured?: boolean }?]> = [
    ['reader', { queryId: 'host-process-events', entityId: 'e-host-1' }, /needs the responder role; your role is reader/],
    ['responder', { queryId: 'no-such-query', entityId: 'e-host-1' }, /no query 'no-such-query'/],
    ['responder', { queryId: 'host-process-events', entityId: 'e-not-on-this-incident' }, /the entity is not on this incident/],
    ['responder', { queryId: 'host-process-events', entityId: 'e-acct-1' }, /applies to Host entities, not Account/],
    ['responder', { queryId: 'host-process-events', entityId: 'e-host-evil' }, /host contains control characters/],
    ['admin', { queryId: 'host-process-events', entityId: 'e-host-1' }, /Log Analytics is not configured/, { configured: false }],
  ];
  for (const [role, data, reason, options] of cases) {
    const w = world(options);
    const answer = await click(w, role, data);
    assert.equal(notice(answer)?.style, 'attention', String(reason));
    assert.match(notice(answer)!.text, reason);
    assert.equal(w.accepted.length, 0);
    assert.equal(w.audits.length, 1);
    assert.equal(w.audits[0]!.action, 'query.run');
    assert.equal(w.audits[0]!.outcome, 'rejected');
    assert.match(String(w.audits[0]!.detail?.reason), reason);
  }
  const w = world();
  const malformed = await click(w, 'admin', { queryId: 'host-process-events' });
  assert.ok('error' in malformed && malformed.error.code === 'ARGUS_BAD_PAYLOAD');
  const gone = await queryActions(w.deps as never)[0]!.handle({ ...ctx('admin'), data: { incidentId: 'other', queryId: 'host-process-events', entityId: 'e-host-1' } });
  assert.ok('error' in gone && gone.error.status === 404);
});

test('kql: an admin’s text (as Teams encodes it) goes as written with the row cap; bad input is refused and audited', async () => {
  assert.equal(decodeMessageEntities('T | where A &lt; 5 and B == &quot;x&quot; and C == &#39;y&#39; and D has &amp;lt;'), `T | where A < 5 and B == "x" and C == 'y' and D has &lt;`);
  const w = world();
  const [kql] = queryCommands(w.deps as never);
  assert.equal(kql!.role, 'admin');
  const reply = await kql!.run(ctx('admin', `${channel};messageid=msg-9`), ['--timespan', 'PT4H', 'SigninLogs', '|', 'where', 'ResultType', '!=', '&quot;0&quot;']);
  assert.match(String(reply.text), /Running your query over the last 4 h/);
  assert.deepEqual(
    { query: w.accepted[0]?.query, timespan: w.accepted[0]?.timespan, source: w.accepted[0]?.source, replyTo: w.accepted[0]?.replyTo },
    { query: 'SigninLogs | where ResultType != "0"\n| take 51', timespan: 'PT4H', source: 'adhoc', replyTo: { conversationId: channel, parentActivityId: 'msg-9' } },
  );
  for (const args of [[], ['--timespan', 'yesterday', 'T'], ['x'.repeat(10_001)]]) {
    const before = w.audits.length;
    assert.match(String((await kql!.run(ctx('admin'), args)).text), /Usage: kql/);
    assert.equal(w.audits.length, before + 1);
    assert.deepEqual([w.audits.at(-1)!.action, w.audits.at(-1)!.outcome], ['query.kql', 'rejected']);
  }
  assert.equal(w.accepted.length, 1);
});
