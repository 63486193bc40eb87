import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { tableNames } from '../../src/storage/table-store';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import type { ConnectorCall } from '../helpers/fake-bot-connector';
import { installActivity, invoke, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { runCliHere } from '../helpers/run-cli';

/*
 * One Argus, two incidents whose timers run side by side (windows and steps of seconds): a High
 * incident with compliance clocks, and a Medium one that escalates until it is acknowledged. Argus
 * is restarted halfway through both.
 */

const people = testPeople();
const socChannel = '19:soc-clocks@thread.tacv2';
const leadsChannel = '19:soc-leads@thread.tacv2';
const configYaml = `tenantId: ${home}
${accessYaml(people, 'responder')}
response:
  clocks:
    gdpr: { notification: PT8S }
    hipaa: { individuals: PT6S }
escalation:
  Medium:
    - { after: PT2S, mention: [${people.responder.aadObjectId}] }
    - { after: PT4S, conversationId: "${leadsChannel}" }
    - { after: PT8S, mention: [${people.admin.aadObjectId}] }
`;
const clocked = { name: '5a1c0e2f-7b3d-4c8e-9f10-2a3b4c5d6e70', number: 9101 };
const escalated = { name: '5a1c0e2f-7b3d-4c8e-9f10-2a3b4c5d6e71', number: 9102 };

let h: Harness;
let spot: ChannelSpot;
const cards: Record<string, string> = {};

/** A Sentinel "created" webhook for a new incident, created now. */
function sentinelIncident(incident: { name: string; number: number }, severity: string) {
  const body = structuredClone(sentinelFixture('logic-app-incident-created.json')) as any;
  const now = new Date().toISOString();
  Object.assign(body.object, { name: incident.name, id: body.object.id.replace(/[^/]+$/, incident.name), etag: `"${incident.name}"` });
  Object.assign(body.object.properties, { incidentNumber: incident.number, severity, title: `Clock test ${incident.number}`, createdTimeUtc: now, lastModifiedTimeUtc: now });
  return body;
}

async function postIncident(incident: { name: string; number: number }, severity: string): Promise<void> {
  assert.equal((await h.signedPost('/api/webhooks/sentinel', sentinelIncident(incident, severity))).status, 202);
  const post = await h.connector.waitFor((c) => c.kind === 'send' && c.conversationId === socChannel && JSON.stringify(h.connector.cardOf(c)).includes(`Clock test ${incident.number}`));
  cards[incident.name] = String(post.activity.id);
}

const inThread = (incident: { name: string }) => (c: ConnectorCall) => c.kind === 'reply' && c.conversationId === `${socChannel};messageid=${cards[incident.name]}`;
const textOf = (c: ConnectorCall) => String(c.activity.text ?? JSON.stringify(h.connector.cardOf(c) ?? {}));
const isReminder = (c: ConnectorCall) => inThread(clocked)(c) && /^[⏰⛔]/u.test(textOf(c));
const isEscalation = (c: ConnectorCall) => textOf(c).includes(`Incident #${escalated.number} (Medium) is not acknowledged`);
const press = (user: typeof people.admin, verb: string, incident: { name: string }, data: Record<string, unknown> = {}) =>
  invoke(h, spot, user, verb, { incidentId: incident.name, ...data }, cards[incident.name]);

async function auditOutcomes(action: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>()) if (e.action === action) out.push(String(e.outcome));
  return out;
}

before(async () => {
  h = await startHarness({ configYaml, clocks: { sweepIntervalMs: 200 } });
  spot = await subscribedChannel(h, socChannel, people.admin, home);
  const leads = { serviceUrl: h.connector.url, conversationId: leadsChannel, teamId: leadsChannel, tenantId: home };
  assert.equal((await h.activity(installActivity(leads, people.admin))).status, 200);
});
after(() => h.stop());

test('clocks start from the card (GDPR; HIPAA through the form\'s own input ids), Done records the reference, a reader may do neither', async () => {
  await postIncident(escalated, 'Medium');
  await postIncident(clocked, 'High');
  const started = await press(people.responder, 'incident.regulation', clocked, { regime: 'gdpr' });
  assert.match(JSON.stringify(started.value), /GDPR clock started by Rui Responder/);
  assert.match(JSON.stringify(started.value), /"verb":"clock.done"/);
  await press(people.responder, 'incident.regulation', clocked, { clockRegime: 'hipaa' });
  const done = await press(people.responder, 'clock.done', clocked, { regime: 'hipaa', milestone: 'individuals', clockReference: 'HHS-2026-9' });
  assert.match(JSON.stringify(done.value), /recorded as made by Rui Responder \(reference HHS-2026-9\)/);
  assert.match(JSON.stringify((await press(people.reader, 'clock.done', clocked, { regime: 'gdpr', milestone: 'notification' })).value), /Access denied/);
  assert.match(JSON.stringify((await press(people.reader, 'incident.regulation', clocked, { regime: 'nis2' })).value), /Access denied/);
  assert.deepEqual(await auditOutcomes('clock.started'), ['succeeded', 'succeeded']);
  assert.deepEqual(await auditOutcomes('clock.done'), ['succeeded']);
});

test('escalation reminds in the card thread with a real mention, then posts to the leads channel; the responder acknowledges', async () => {
  const first = await h.connector.waitFor((c) => inThread(escalated)(c) && isEscalation(c), 6_000);
  const mentions = (h.connector.cardOf(first)!.msteams as { entities: Array<{ mentioned: { id: string } }> }).entities;
  assert.deepEqual(mentions.map((m) => m.mentioned.id), [people.responder.aadObjectId]);
  const leads = await h.connector.waitFor((c) => c.kind === 'send' && c.conversationId === leadsChannel, 6_000);
  assert.match(textOf(leads), /not acknowledged after 4 s/);
  assert.match(JSON.stringify((await press(people.responder, 'incident.acknowledge', escalated)).value), /Acknowledged by Rui Responder/);
});

test('the clock reminds in the thread at 50 %, 80 % and once overdue, in order, through a restart without repeats; the met clock stays silent', async () => {
  await h.connector.waitFor((c) => isReminder(c) && /GDPR.*Half of the window/.test(textOf(c)), 10_000);
  await h.restart();
  await h.connector.waitFor((c) => isReminder(c) && /GDPR.*OVERDUE/.test(textOf(c)), 10_000);
  await sleep(600); // a few more sweeps: nothing else may come
  const reminders = h.connector.calls.filter(isReminder).map(textOf);
  assert.equal(reminders.length, 3, reminders.join('\n'));
  assert.match(reminders[0]!, /^⏰ Incident #9101 · GDPR · Notify the supervisory authority: Half of the window has passed/);
  assert.match(reminders[1]!, /80 % of the window has passed/);
  assert.match(reminders[2]!, /^⛔ Incident #9101 · GDPR · Notify the supervisory authority is OVERDUE/);
  assert.deepEqual(await auditOutcomes('clock.reminder'), ['succeeded', 'succeeded', 'succeeded']);

  const run = await runCliHere(['clocks', 'list', '--json'], { env: h.azurite.env });
  assert.equal(run.code, 0);
  const listed = JSON.parse(run.out);
  assert.deepEqual(Object.keys(listed[0]).sort(), ['dueAt', 'incident', 'milestone', 'regime', 'remindersSent', 'status']);
  // The HIPAA clock has every milestone met: not open, so not listed.
  assert.deepEqual(listed.map((r: any) => [r.incident, r.regime, r.milestone, r.status, r.remindersSent]), [[9101, 'gdpr', 'notification', 'overdue', 3]]);
});

test('after the acknowledgement the escalation sent nothing more (its last step fell due during the restart), and the stop is audited', async () => {
  assert.equal(h.connector.calls.filter(isEscalation).length, 2);
  assert.deepEqual(await auditOutcomes('escalation.step'), ['succeeded', 'succeeded']);
  assert.deepEqual(await auditOutcomes('escalation.stopped'), ['succeeded']);
});
