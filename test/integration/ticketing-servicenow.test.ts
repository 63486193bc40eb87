import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { signBody, signatureHeader } from '../../src/security/signature';
import { tableNames } from '../../src/storage/table-store';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import type { ConnectorCall } from '../helpers/fake-bot-connector';
import { startGraphTestbed, type GraphTestbed } from '../helpers/fake-graph';
import { startFakeServiceNow, type FakeServiceNow } from '../helpers/fake-servicenow';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { invoke, messageActivity, type ChannelSpot } from '../helpers/teams-activities';
import { waitFor } from '../helpers/wait-for';

const people = testPeople();
const { admin, responder, reader, partnerUser } = people;
const itsmSecret = 'test-itsm-webhook-secret';
const created = sentinelFixture('logic-app-incident-created.json') as { object: { name: string; id: string; properties: Record<string, unknown> } };

const A = created.object.name;
const B = '3c8f0a2d-5e4b-4f9c-8d20-1b7e6f5c4d32';
const C = '4d9a1b3e-6f5c-4a0d-9e31-2c8f7a6d5e43';
const D = '5eab2c4f-7a6d-4b1e-8f42-3d9a8b7e6f54';

let h: Harness;
let sn: FakeServiceNow;
let graph: GraphTestbed;
let spot: ChannelSpot;

/** A Sentinel Logic App body for one version of an incident (the fixture, renamed and changed). */
function incidentEvent(o: { name: string; number: number; severity?: string; status?: string; modified: string; classification?: string; comment?: string }) {
  const body = structuredClone(created) as unknown as { eventUniqueId: string; objectEventType: string; object: { name: string; id: string; etag: string; properties: Record<string, unknown> } };
  body.eventUniqueId = randomUUID();
  body.objectEventType = o.status && o.status !== 'New' ? 'Update' : 'Create';
  body.object.name = o.name;
  body.object.id = body.object.id.replace(A, o.name);
  body.object.etag = `"${randomUUID()}"`;
  Object.assign(body.object.properties, {
    incidentNumber: o.number,
    providerIncidentId: String(o.number),
    severity: o.severity ?? 'High',
    status: o.status ?? 'New',
    lastModifiedTimeUtc: o.modified,
    classification: o.classification ?? null,
    classificationComment: o.comment ?? null,
    classificationReason: o.classification === 'FalsePositive' ? 'InaccurateData' : null,
  });
  return body;
}

const cardText = (c: ConnectorCall) => JSON.stringify(h.connector.cardOf(c) ?? c.activity);

const recordsFor = (name: string) => [...sn.records.values()].filter((r) => r.correlation_id === name);

type AuditRow = Record<string, unknown> & { target?: unknown; outcome?: unknown; actorId?: unknown; detailJson: Record<string, unknown> };

async function auditRows(action: string): Promise<AuditRow[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>()) if (e.action === action) rows.push(e);
  return rows.map((r) => ({ ...r, detailJson: JSON.parse(String(r.detail ?? '{}')) as Record<string, unknown> }));
}

function callback(body: unknown, secret = itsmSecret) {
  const text = JSON.stringify(body);
  return h.post('/api/webhooks/itsm/servicenow', text, { [signatureHeader]: signBody(secret, text) });
}

async function ask(user: typeof admin, text: string): Promise<string> {
  const before = h.connector.calls.length;
  await h.activity(messageActivity(spot, user, text));
  // The command's answer is a card; thread notes arriving meanwhile are plain text.
  return cardText(await h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= before && c.kind === 'reply' && h.connector.cardOf(c) !== undefined));
}

describe('ServiceNow: tickets opened, linked and kept in step with incidents', () => {
  before(async () => {
    sn = await startFakeServiceNow();
    sn.addUser('Alex Analyst', 'alex.analyst@contoso.com');
    const rita = sn.addUser('Rita Reader', 'rita.reader@contoso.com');
    const pat = sn.addUser('Pat Partner', 'pat@partner.example');
    sn.seed({ assigned_to: rita.sys_id, correlation_id: 'not-an-incident', correlation_display: 'Argus', short_description: 'Rita’s other ticket' });
    sn.seed({ assigned_to: pat.sys_id, correlation_display: 'Argus', short_description: 'Pat’s ticket' });
    // `^` is legal in an address's local part, and separates terms in ServiceNow's encoded queries.
    sn.addUser('Rui Responder', 'rui^responder@contoso.com');
    graph = await startGraphTestbed({
      users: [reader.aadObjectId],
      groups: {},
      profiles: {
        [reader.aadObjectId]: { mail: 'rita.reader@contoso.com', userPrincipalName: 'rita@contoso.onmicrosoft.com' },
        [responder.aadObjectId]: { mail: 'rui^responder@contoso.com', userPrincipalName: 'rui@contoso.onmicrosoft.com' },
      },
    });
    h = await startHarness({
      configYaml: `tenantId: ${home}
graph: { endpoint: "${graph.graph.endpoint}" }
${accessYaml(people, 'reader')}
itsm:
  provider: servicenow
  createFor: [High]
  emails: { ${partnerUser.aadObjectId}: pat@partner.example }
  retry: { baseSeconds: 0.15, maxSeconds: 0.4, sweepSeconds: 0.1 }
  servicenow: { instanceUrl: "${sn.instanceUrl}", username: ${sn.credentials.username}, assignmentGroup: soc-l2 }
# Closing these High incidents is not about the post-mortem gate (docs/response.md).
response: { gates: { postMortemFor: [] } }
`,
      env: { ARGUS_SECRET_SERVICENOW_PASSWORD: sn.credentials.password, ARGUS_SECRET_ITSM_WEBHOOK_SECRET: itsmSecret },
    });
    spot = await subscribedChannel(h, '19:soc@thread.tacv2', admin, home);
  });
  after(async () => {
    await h.stop();
    await sn.close();
    await graph.close();
  });

  test('a High incident opens one ticket, linked both ways, shown on the card', async () => {
    assert.equal((await h.signedPost('/api/webhooks/sentinel', created)).status, 202);
    const update = await h.connector.waitFor((c) => c.kind !== 'reply' && /INC\d{7}/.test(cardText(c)));
    const [record] = recordsFor(A);
    assert.ok(record, 'the ticket carries the incident name in correlation_id');
    assert.equal(recordsFor(A).length, 1);
    assert.equal(record.correlation_display, 'Argus');
    assert.equal(record.urgency, '1');
    assert.match(record.short_description, /^Sentinel incident 48213: Suspicious PowerShell/);
    assert.match(record.description, new RegExp(`Sentinel incident id: ${A}`));
    assert.ok(cardText(update).includes(record.number));
    assert.match(cardText(update), /Ticket · ServiceNow/);
    // The thread is told — unless the ticket was opened before the card was first posted: that
    // card shows it already, and changes before a card exists are not replayed into its thread.
    const postedWithTicket = h.connector.calls.some((c) => c.kind === 'send' && cardText(c).includes(record.number));
    if (!postedWithTicket) await h.connector.waitFor((c) => c.kind === 'reply' && String(c.activity.text).includes(`${record.number} opened in ServiceNow`));
    const audit = await auditRows('ticket.created');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.target, A);
    assert.equal(audit[0]?.detailJson.number, record.number);
  });

  test('a work note written in ServiceNow appears in the card thread; the state change on the card', async () => {
    const [record] = recordsFor(A);
    sn.humanUpdate(record!.sys_id, { state: '2', workNote: 'Isolated FIN-WS-042 from the network.', by: 'Beth Anglin' });
    const res = await callback(sn.callbackFor(record!.sys_id, { workNote: true }));
    assert.equal(res.status, 202);
    const reply = await h.connector.waitFor((c) => c.kind === 'reply' && String(c.activity.text).includes('Isolated FIN-WS-042'));
    assert.match(String(reply.activity.text), /Beth Anglin/);
    assert.match(String(reply.activity.text), /is now In Progress/);
    await h.connector.waitFor((c) => c.kind === 'update' && /In Progress/.test(cardText(c)));
    const rows = await auditRows('ticket.updated');
    assert.ok(rows.some((r) => r.detailJson.direction === 'from-itsm' && r.detailJson.version === 1));
  });

  test('a replayed callback is a duplicate (200) and posts nothing', async () => {
    const [record] = recordsFor(A);
    await h.argus.idle();
    const calls = h.connector.calls.length;
    const res = await callback(sn.callbackFor(record!.sys_id, { workNote: true }));
    assert.equal(res.status, 200);
    assert.equal(res.json.duplicate, true);
    await h.argus.idle();
    assert.equal(h.connector.calls.length, calls);
  });

  test('a forged callback is refused (401), audited, and changes nothing', async () => {
    const [record] = recordsFor(A);
    const body = { ...sn.callbackFor(record!.sys_id), state: '7', sys_mod_count: '99' };
    const forged = await callback(body, 'not-the-secret');
    assert.equal(forged.status, 401);
    assert.equal(forged.json.error.code, 'ARGUS_BAD_SIGNATURE');
    const unsigned = await h.post('/api/webhooks/itsm/servicenow', JSON.stringify(body));
    assert.equal(unsigned.status, 401);
    const rejected = (await auditRows('webhook.received')).filter((r) => r.outcome === 'rejected' && r.target === 'servicenow');
    assert.equal(rejected.length, 2);
    const bad = await callback({ ...body, sys_id: 'nope' });
    assert.equal(bad.status, 400);
    assert.ok(bad.json.error.details.some((d: { path: string }) => d.path === 'sys_id'));
    await h.argus.idle();
    assert.doesNotMatch(JSON.stringify(h.connector.calls.at(-1)), /Closed/);
  });

  test('an out-of-order callback never regresses the ticket state', async () => {
    const [record] = recordsFor(A);
    sn.humanUpdate(record!.sys_id, { state: '3' });
    const onHold = sn.callbackFor(record!.sys_id);
    sn.humanUpdate(record!.sys_id, { state: '2', workNote: 'Back on it.' });
    const backInProgress = sn.callbackFor(record!.sys_id, { workNote: true });
    assert.equal((await callback(backInProgress)).status, 202);
    await h.connector.waitFor((c) => c.kind === 'reply' && String(c.activity.text).includes('Back on it.'));
    await h.argus.idle();
    const calls = h.connector.calls.length;
    assert.equal((await callback(onHold)).status, 202, 'a new version for ServiceNow, old news for Argus');
    await h.argus.idle();
    assert.equal(h.connector.calls.length, calls, 'nothing posted or updated');
    const list = await ask(reader, 'tickets');
    assert.ok(list.includes(record!.number));
    assert.match(list, /In Progress/);
    assert.doesNotMatch(list, /On Hold/);
    const stale = (await auditRows('ticket.updated')).find((r) => r.detailJson.version === Number(onHold.sys_mod_count));
    assert.equal(stale?.detailJson.stale, true);
  });

  test('a ticket resolved in ServiceNow while the incident is open is shown on the card and audited, not forced', async () => {
    const [record] = recordsFor(A);
    sn.humanUpdate(record!.sys_id, { state: '6' });
    assert.equal((await callback(sn.callbackFor(record!.sys_id))).status, 202);
    const upd = await h.connector.waitFor((c) => c.kind === 'update' && /but the incident is still New/.test(cardText(c)));
    assert.match(cardText(upd), /Resolved/);
    await h.argus.idle(); // the audit row and the card update come from the same event, in no fixed order
    const conflicts = await auditRows('ticket.sync.conflict');
    assert.equal(conflicts.length, 1);
    assert.equal(conflicts[0]?.target, A);
    const card = await invoke(h, spot, reader, 'incident.refresh', { incidentId: A });
    assert.match(JSON.stringify(card.value), /"text":"New"/, 'the incident stays open');
  });

  test('a ticket that already exists remotely (crash before storing the link) is linked, not created again', async () => {
    const seeded = sn.seed({ correlation_id: B, correlation_display: 'Argus', short_description: 'Sentinel incident 50001: created before a crash' });
    const before = sn.records.size;
    assert.equal((await h.signedPost('/api/webhooks/sentinel', incidentEvent({ name: B, number: 50001, modified: '2026-11-21T10:00:00.000Z' }))).status, 202);
    await h.connector.waitFor((c) => c.kind !== 'reply' && cardText(c).includes(seeded.number));
    assert.equal(sn.records.size, before);
    const linked = await auditRows('ticket.linked');
    assert.ok(linked.some((r) => r.target === B && r.detailJson.via === 'correlation-lookup'));
  });

  test('ServiceNow down: the card says pending; on recovery one ticket is created, even when the create answer is lost', async () => {
    sn.setDown(true);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', incidentEvent({ name: C, number: 50002, modified: '2026-11-21T10:05:00.000Z' }))).status, 202);
    await h.connector.waitFor((c) => /50002/.test(cardText(c)) && /ServiceNow is not answering/.test(cardText(c)));
    assert.equal(recordsFor(C).length, 0);
    sn.dropNextCreate();
    sn.setDown(false);
    await h.connector.waitFor((c) => c.kind !== 'reply' && /50002/.test(cardText(c)) && /INC\d{7}/.test(cardText(c)), 10_000);
    assert.equal(recordsFor(C).length, 1, 'exactly one ticket');
    const link = await h.table(tableNames.tickets).getEntity<Record<string, unknown>>('link', C);
    assert.equal(link.workOwed, false);
    assert.equal(link.number, recordsFor(C)[0]?.number);
  });

  test('below the threshold: a Create ticket button, for responders only', async () => {
    assert.equal((await h.signedPost('/api/webhooks/sentinel', incidentEvent({ name: D, number: 50003, severity: 'Medium', modified: '2026-11-21T10:10:00.000Z' }))).status, 202);
    const post = await h.connector.waitFor((c) => c.kind === 'send' && /50003/.test(cardText(c)));
    assert.doesNotMatch(cardText(post), /ticket\.create/, 'the channel card is read-only');
    assert.match(cardText(post), /No ticket · ServiceNow/);
    assert.match(JSON.stringify((await invoke(h, spot, responder, 'incident.refresh', { incidentId: D })).value), /ticket\.create/);
    await h.argus.idle();
    assert.equal(recordsFor(D).length, 0);
    const denied = await invoke(h, spot, reader, 'ticket.create', { incidentId: D });
    assert.match(JSON.stringify(denied.value), /Access denied/);
    const ok = await invoke(h, spot, responder, 'ticket.create', { incidentId: D });
    assert.equal(ok.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(ok.value), /Ticket requested in ServiceNow by Rui Responder/);
    assert.doesNotMatch(JSON.stringify(ok.value), /ticket\.create/);
    await waitFor(() => recordsFor(D)[0], { what: 'the ticket', timeoutMs: 8_000 });
    const again = await invoke(h, spot, responder, 'ticket.create', { incidentId: D });
    assert.match(JSON.stringify(again.value), /already/);
    await h.argus.idle();
    assert.equal(recordsFor(D).length, 1);
    const createdRows = (await auditRows('ticket.created')).filter((r) => r.target === D);
    assert.equal(createdRows[0]?.actorId, responder.aadObjectId);
    assert.equal(recordsFor(D)[0]?.urgency, '2');
  });

  test('closing the incident in Sentinel resolves the ticket with close code and notes; an owner is assigned', async () => {
    const owned = incidentEvent({ name: D, number: 50003, severity: 'Medium', status: 'Active', modified: '2026-11-21T10:20:00.000Z' });
    Object.assign(owned.object.properties, { owner: { objectId: null, email: 'alex.analyst@contoso.com', assignedTo: 'Alex Analyst', userPrincipalName: 'alex.analyst@contoso.com' } });
    assert.equal((await h.signedPost('/api/webhooks/sentinel', owned)).status, 202);
    const alex = sn.users.find((u) => u.name === 'Alex Analyst')!;
    const record = await waitFor(() => recordsFor(D).find((r) => r.assigned_to === alex.sys_id && r.state === '2'), { what: 'assignment and In Progress', timeoutMs: 8_000 });
    assert.equal(record.state, '2');
    const closed = incidentEvent({ name: D, number: 50003, severity: 'Medium', status: 'Closed', classification: 'FalsePositive', comment: 'lab host', modified: '2026-11-21T10:30:00.000Z' });
    assert.equal((await h.signedPost('/api/webhooks/sentinel', closed)).status, 202);
    const resolved = await waitFor(() => recordsFor(D).find((r) => r.state === '6'), { what: 'resolution', timeoutMs: 8_000 });
    assert.equal(resolved.close_code, 'Solution provided');
    assert.match(resolved.close_notes, /closed as False positive \(Inaccurate data\): lab host/);
    // The business rule's echo of Argus's own write changes nothing and posts nothing.
    await h.argus.idle();
    const calls = h.connector.calls.length;
    assert.equal((await callback(sn.callbackFor(resolved.sys_id))).status, 202);
    await h.argus.idle();
    assert.equal(h.connector.calls.length, calls);
  });

  test('ticket, tickets and tickets mine from Teams', async () => {
    const [a] = recordsFor(A);
    const one = await ask(reader, `ticket ${a!.number}`);
    assert.match(one, new RegExp(`Ticket ${a!.number} · ServiceNow`));
    assert.match(one, /#48213/);
    assert.match(await ask(reader, 'ticket INC9999999'), /ServiceNow has no ticket INC9999999/);
    const others = [...sn.records.values()].find((r) => r.correlation_id === 'not-an-incident')!;
    const other = await ask(reader, `ticket ${others.number}`);
    assert.match(other, /Rita’s other ticket/, 'a ticket whose correlation names no incident is shown too');
    assert.match(other, /Not linked to an incident Argus knows/);
    const open = await ask(reader, 'tickets');
    assert.ok(open.includes(recordsFor(B)[0]!.number) && open.includes(recordsFor(C)[0]!.number));
    assert.ok(!open.includes(recordsFor(D)[0]!.number), 'resolved tickets are not listed');
    const b = recordsFor(B)[0]!;
    const rita = sn.users.find((u) => u.name === 'Rita Reader')!;
    sn.humanUpdate(b.sys_id, { assignedTo: rita.sys_id });
    const mine = await ask(reader, 'tickets mine');
    assert.match(mine, /Your open tickets \(Rita Reader\)/);
    assert.ok(mine.includes(b.number));
    assert.ok(mine.includes('incident #50001'));
    assert.ok(graph.graph.requests.some((r) => r.path === `/v1.0/users/${reader.aadObjectId}`), 'the email came from Graph');
    const pats = await ask(partnerUser, 'tickets mine');
    assert.match(pats, /Your open tickets \(Pat Partner\)/);
    assert.ok(!graph.graph.requests.some((r) => r.path.includes(partnerUser.aadObjectId)), 'other tenants are never looked up in Graph');
    assert.match(await ask(admin, 'tickets mine'), /not in the directory/);
  });

  test('closing the incident from the card (no Sentinel configured) resolves its ticket', async () => {
    const before = recordsFor(C)[0]!;
    assert.notEqual(before.state, '6');
    const res = await invoke(h, spot, responder, 'incident.close', { incidentId: C, classification: 'TruePositive', classificationComment: 'Contained by the SOC.' });
    assert.match(JSON.stringify(res.value), /Closed as TruePositive/);
    const resolved = await waitFor(() => recordsFor(C).find((r) => r.state === '6'), { what: 'resolution from the card', timeoutMs: 8_000 });
    assert.match(resolved.close_notes, /Contained by the SOC\./);
    await h.argus.idle();
    const updated = (await auditRows('ticket.updated')).filter((r) => r.target === C);
    assert.ok(updated.length > 0, 'the ticket update is audited');
  });
  test('ticket <number> reads ServiceNow itself: a ticket Argus did not open, a linked one, an unknown one', async () => {
    const alex = sn.users.find((u) => u.name === 'Alex Analyst')!;
    const direct = sn.seed({ short_description: 'VPN concentrator rejects MFA prompts', state: '2', assigned_to: alex.sys_id, urgency: '1', impact: '2' });
    const card = await ask(reader, `ticket ${direct.number.toLowerCase()}`);
    for (const expected of [`Ticket ${direct.number} · ServiceNow`, 'VPN concentrator rejects MFA prompts', 'In Progress', 'Alex Analyst', '2 - High', 'Not linked to an incident Argus knows'])
      assert.ok(card.includes(expected), expected);
    assert.doesNotMatch(card, /incident\.view/);
    const lookup = sn.apiRequests().findLast((r) => r.method === 'GET' && r.path === '/api/now/table/incident')!;
    assert.equal(lookup.query.get('sysparm_query'), `number=${direct.number}`);
    assert.equal(lookup.query.get('sysparm_limit'), '1');

    const [a] = recordsFor(A);
    const linked = await ask(reader, `ticket ${a!.number}`);
    assert.match(linked, /Incident #48213: Suspicious PowerShell/);
    assert.match(linked, /1 - Critical/);
    assert.match(linked, /incident\.view/);

    assert.match(await ask(reader, 'ticket INC0099999'), /ServiceNow has no ticket INC0099999/);
    const allowed = (await auditRows('command.ticket')).filter((r) => r.actorId === reader.aadObjectId && r.outcome === 'allowed');
    assert.ok(allowed.length >= 3, 'each lookup is audited with who asked');
  });

  test('ticket <number>: a malformed number never reaches ServiceNow; an outage says so', async () => {
    const before = sn.apiRequests().length;
    const bad = await ask(reader, 'ticket INC0010001^ORactive=true');
    assert.match(bad, /is not a ServiceNow incident number/);
    assert.match(bad, /ticket INC0012345/);
    assert.equal(sn.apiRequests().length, before, 'nothing was sent');

    sn.setDown(true);
    try {
      const down = await ask(reader, 'ticket INC0099998');
      assert.match(down, /ServiceNow did not answer/);
      assert.match(down, /Try again in a minute/);
      const [a] = recordsFor(A);
      const known = await ask(reader, `ticket ${a!.number}`);
      assert.match(known, /showing what Argus last knew/);
      assert.match(known, /#48213/);
    } finally {
      sn.setDown(false);
    }
  });

  test('tickets mine finds a ServiceNow user whose email has a ^ in it, and only that user', async () => {
    const rui = sn.users.find((u) => u.name === 'Rui Responder')!;
    const mine = sn.seed({ assigned_to: rui.sys_id, correlation_id: B, correlation_display: 'Argus', short_description: 'Rui’s ticket' });
    const list = await ask(responder, 'tickets mine');
    assert.match(list, /Your open tickets \(Rui Responder\)/);
    assert.ok(list.includes(mine.number));
    const lookup = sn.apiRequests().findLast((r) => r.path === '/api/now/table/sys_user')!;
    assert.equal(lookup.query.get('sysparm_query'), 'active=true^email=rui^^responder@contoso.com^ORuser_name=rui^^responder@contoso.com');
  });
});
