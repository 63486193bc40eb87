import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { escalationRows } from '../../../src/response/clock-store';
import { escalationSchema } from '../../../src/response/escalation';
import { EscalationService } from '../../../src/response/escalation-service';
import { SweepLease } from '../../../src/response/sweep-lease';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { fakeTeams, incident, incidentsOf, manualClock, silent } from './clock-fixtures';

const lead = '11111111-1111-1111-1111-111111111111';
const head = '22222222-2222-2222-2222-222222222222';
const away = '33333333-3333-3333-3333-333333333333';
const policy = escalationSchema.parse({
  High: [{ after: 'PT15M', mention: [lead] }, { after: 'PT30M', conversationId: '19:leads@thread.tacv2', mention: [head], personal: [head, away] }],
  Medium: [{ after: 'PT1H', mention: [lead] }],
});

function setup(first = incident()) {
  const clock = manualClock('2026-03-02T10:00:00Z');
  const incidents = incidentsOf(first);
  const teams = fakeTeams();
  const audit = new MemoryAuditLog();
  const rows = escalationRows(memoryEntityTable(), policy);
  const service = new EscalationService({
    policy,
    rows,
    incidents,
    cards: teams.outbox,
    delivery: teams.delivery,
    people: async (ids) => new Map(ids.filter((id) => id === head).map((id) => [id, { conversationId: 'a:personal-head', name: 'Hana <b>Head</b>' }])),
    audit,
    owner: 'instance-a',
    now: clock.now,
    logger: silent,
  });
  const at = async (iso: string) => {
    clock.set(iso);
    await service.sweep(async () => true);
  };
  const update = (change: Partial<ReturnType<typeof incident>>) => incidents.map.set(first.name, { ...incidents.map.get(first.name)!, ...change });
  return { clock, incidents, teams, audit, rows, service, at, update, name: first.name };
}

const mentionsOf = (card: Record<string, unknown>) => ((card.msteams as { entities: Array<{ text: string; mentioned: { id: string; name: string } }> }).entities);

test('an unacknowledged High incident is reminded in its card thread with a real mention, then escalated to the leads and a personal chat; each step once, audited', async () => {
  const s = setup();
  await s.service.follow(incident(), '2026-03-02T10:05:00.000Z');
  assert.equal((await s.rows.get(s.name))?.value.startedAt, '2026-03-02T10:00:00.000Z', 'counted from the creation in Sentinel');
  await s.at('2026-03-02T10:14:00Z');
  assert.equal(s.teams.sent.length, 0);
  await s.at('2026-03-02T10:15:05Z');
  await s.at('2026-03-02T10:16:00Z');
  assert.equal(s.teams.sent.length, 1);
  const first = s.teams.sent[0]!;
  assert.deepEqual([first.kind, first.conversationId, first.parent], ['reply', '19:soc@thread.tacv2', 'card-1']);
  const card = 'card' in first.message ? first.message.card : {};
  assert.deepEqual(mentionsOf(card), [{ type: 'mention', text: '<at>on-call 1</at>', mentioned: { id: lead, name: 'on-call 1' } }]);
  assert.match(JSON.stringify(card), /not acknowledged after 15 min.*<at>on-call 1<\/at>: please acknowledge it/);
  assert.match(JSON.stringify(card), /"verb":"incident.acknowledge","style":"positive","data":\{"incidentId":"6f1b7a52/);

  await s.at('2026-03-02T10:30:01Z');
  assert.deepEqual(s.teams.sent.slice(1).map((m) => [m.kind, m.conversationId]), [['post', '19:leads@thread.tacv2'], ['post', 'a:personal-head']]);
  const second = s.teams.sent[1]!;
  const mentions = mentionsOf('card' in second.message ? second.message.card : {});
  assert.deepEqual(mentions.map((m) => [m.text, m.mentioned.id]), [['<at>Hana bHead/b</at>', head]], 'a name from Teams cannot close the tag or add markup');
  await s.at('2026-03-02T11:30:00Z');
  assert.equal(s.teams.sent.length, 3);
  const steps = await s.audit.query({ action: 'escalation.step' });
  assert.deepEqual(steps.map((r) => [r.outcome, r.detail.step, r.detail.sentTo, r.detail.noPersonalChat]), [
    ['succeeded', 1, ['thread:19:soc@thread.tacv2'], []],
    ['succeeded', 2, ['post:19:leads@thread.tacv2', `personal:${head}`], [away]],
  ]);
});

test('escalation stops at the acknowledgement: nothing more is sent, the stop is audited once', async () => {
  const s = setup();
  await s.service.follow(incident(), '2026-03-02T10:00:00.000Z');
  await s.at('2026-03-02T10:16:00Z');
  assert.equal(s.teams.sent.length, 1);
  s.update({ status: 'Active', owner: { assignedTo: 'Ana Silva' } });
  await s.at('2026-03-02T10:31:00Z');
  await s.at('2026-03-02T11:31:00Z');
  assert.equal(s.teams.sent.length, 1);
  const stopped = await s.audit.query({ action: 'escalation.stopped' });
  assert.deepEqual(stopped.map((r) => [r.detail.status, r.detail.owner, r.detail.stepsSent]), [['Active', 'Ana Silva', 1]]);
  // A later (or replayed older) version of the incident does not start it again.
  await s.service.follow(incident(), '2026-03-02T12:00:00.000Z');
  await s.at('2026-03-02T12:31:00Z');
  assert.equal(s.teams.sent.length, 1);
});

test('no escalation for an acknowledged incident or a severity without steps; a severity change moves to the new steps, each once', async () => {
  const s = setup(incident({ severity: 'Low' }));
  await s.service.follow(incident({ severity: 'Low' }), '2026-03-02T10:00:00.000Z');
  assert.equal(await s.rows.get(s.name), undefined);
  await s.service.follow(incident({ status: 'Active' }), '2026-03-02T10:00:00.000Z');
  assert.equal(await s.rows.get(s.name), undefined);

  const m = setup(incident({ severity: 'Medium', createdTimeUtc: undefined }));
  await m.service.follow(incident({ severity: 'Medium', createdTimeUtc: undefined }), '2026-03-02T10:02:00.000Z');
  assert.deepEqual([(await m.rows.get(m.name))?.value.startedFrom, (await m.rows.get(m.name))?.value.startedAt], ['first-seen', '2026-03-02T10:02:00.000Z']);
  await m.at('2026-03-02T10:20:00Z');
  assert.equal(m.teams.sent.length, 0, 'Medium waits an hour');
  m.update({ severity: 'High' });
  await m.service.follow(incident({ severity: 'High', createdTimeUtc: undefined }), '2026-03-02T10:20:00.000Z');
  await m.at('2026-03-02T10:20:00Z');
  await m.at('2026-03-02T10:21:00Z');
  assert.equal(m.teams.sent.length, 1, 'High: its first step (15 min) is past due and fires once');
});

test('a failed escalation step is retried later in order; the sweep lease lets one instance run at a time', async () => {
  const s = setup();
  await s.service.follow(incident(), '2026-03-02T10:00:00.000Z');
  s.teams.failNext(1);
  await s.at('2026-03-02T10:31:00Z');
  assert.equal(s.teams.sent.length, 0, 'step 2 waits for step 1');
  await s.at('2026-03-02T10:31:11Z');
  assert.deepEqual(s.teams.sent.map((m) => m.kind), ['reply', 'post', 'post']);
  assert.deepEqual((await s.audit.query({ action: 'escalation.step' })).map((r) => [r.outcome, r.detail.step]), [['failed', 1], ['succeeded', 1], ['succeeded', 2]]);

  const table = memoryEntityTable();
  const a = new SweepLease(table, 'clocks', 'a', 10_000);
  const b = new SweepLease(table, 'clocks', 'b', 10_000);
  assert.equal(await a.hold(1_000), true);
  assert.equal(await b.hold(2_000), false);
  assert.equal(await a.hold(5_000), true, 'renewed');
  assert.equal(await b.hold(14_000), false);
  assert.equal(await b.hold(15_001), true, 'expired: taken over');
  assert.equal(await a.hold(16_000), false);
  await b.release(17_000);
  assert.equal(await a.hold(17_001), true, 'let go: taken at once');
});
