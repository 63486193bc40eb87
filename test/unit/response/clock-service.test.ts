import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { clockOptions, clocksConfigSchema } from '../../../src/response/clock-config';
import { clockKey, clockListRows } from '../../../src/response/clock-records';
import { sweepClocks } from '../../../src/response/clock-reminders';
import { ClockService } from '../../../src/response/clock-service';
import { clockRows } from '../../../src/response/clock-store';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { fakeTeams, incident, incidentsOf, manualClock, silent, textOf } from './clock-fixtures';

const name = incident().name;
const by = { actor: { aadObjectId: '11111111-1111-1111-1111-111111111111', name: 'Ana Silva', tenantId: 't' }, correlationId: 'corr-1' };

function setup(config: Record<string, unknown> = {}) {
  const clock = manualClock('2026-03-02T10:00:00Z');
  const rows = clockRows(memoryEntityTable());
  const audit = new MemoryAuditLog();
  const teams = fakeTeams();
  const notes: string[] = [];
  const service = new ClockService({
    rows,
    options: clockOptions(clocksConfigSchema.parse(config)),
    incidents: incidentsOf(incident()),
    audit,
    publish: async (_incident, note) => void notes.push(note),
    now: clock.now,
  });
  const sweep = (owner = 'instance-a') =>
    sweepClocks({ rows, cards: teams.outbox, delivery: teams.delivery, audit, refresh: async () => {}, owner, now: clock.now, logger: silent }, async () => true);
  const actions = async (action: string) => (await audit.query({ action })).map((r) => r.outcome);
  const list = async () => clockListRows((await rows.list()).map((r) => r.value), clock.now());
  return { clock, rows, audit, teams, notes, service, sweep, actions, list };
}

test('a GDPR clock reminds in the card thread at 50 %, 80 %, one hour before and once overdue: each once, in order', async () => {
  const s = setup();
  const started = await s.service.start(name, { regime: 'gdpr' }, by);
  assert.equal(started.kind, 'changed');
  assert.match(s.notes[0]!, /GDPR clock started by Ana Silva: GDPR · Notify the supervisory authority due 2026-03-05 10:00 UTC/);
  const moments = ['2026-03-02T10:00:00Z', '2026-03-03T22:00:00Z', '2026-03-04T19:36:00Z', '2026-03-05T09:00:00Z', '2026-03-05T10:00:01Z', '2026-03-06T10:00:00Z'];
  for (const at of moments) {
    s.clock.set(at);
    await s.sweep();
    await s.sweep(); // a second pass at the same moment sends nothing more
  }
  const texts = s.teams.sent.map(textOf);
  assert.equal(texts.length, 4, texts.join('\n'));
  assert.match(texts[0]!, /^⏰ Incident #4711 · GDPR · Notify the supervisory authority: Half of the window has passed\. Due 2026-03-05 10:00 UTC \(1 d 12 h left\)\. Source: GDPR Art\. 33\(1\)/);
  assert.match(texts[1]!, /80 % of the window has passed/);
  assert.match(texts[2]!, /One hour left/);
  assert.match(texts[3]!, /^⛔ .* is OVERDUE: it was due 2026-03-05 10:00 UTC/);
  assert.ok(s.teams.sent.every((m) => m.kind === 'reply' && m.parent === 'card-1'));
  assert.deepEqual(await s.actions('clock.reminder'), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  assert.deepEqual(await s.list(), [{ incident: 4711, regime: 'gdpr', milestone: 'notification', dueAt: '2026-03-05T10:00:00.000Z', status: 'overdue', remindersSent: 4 }]);
});

test('Done records who, when and the reference, is audited, stops that milestone and moves the ones counting from it', async () => {
  const s = setup();
  await s.service.start(name, { regime: 'nis2' }, by);
  s.clock.set('2026-03-02T20:00:00Z');
  const done = await s.service.done(name, { regime: 'nis2', milestone: 'early-warning', reference: 'CSIRT-2026-117' }, by);
  assert.equal(done.kind, 'changed');
  assert.match(s.notes.at(-1)!, /NIS2 · Early warning to the CSIRT \/ authority: recorded as made by Ana Silva \(reference CSIRT-2026-117\)/);
  const [row] = await s.audit.query({ action: 'clock.done' });
  assert.deepEqual([row?.outcome, row?.actorName, row?.detail.reference, row?.detail.late], ['succeeded', 'Ana Silva', 'CSIRT-2026-117', false]);
  // The early warning's half-way point passed: only the notification (72 h) is still reminded of.
  s.clock.set('2026-03-03T22:00:00Z');
  await s.sweep();
  assert.deepEqual(s.teams.sent.map(textOf).map((t) => /NIS2 · ([^:]+):/.exec(t)?.[1]), ['Incident notification']);
  // The final report counts a month from when the notification was made.
  s.clock.set('2026-03-04T12:00:00Z');
  await s.service.done(name, { regime: 'nis2', milestone: 'notification' }, by);
  const rows = await s.list();
  assert.deepEqual(rows.map((r) => [r.milestone, r.status, r.dueAt, r.metAt]), [
    ['early-warning', 'met', '2026-03-03T10:00:00.000Z', '2026-03-02T20:00:00.000Z'],
    ['notification', 'met', '2026-03-05T10:00:00.000Z', '2026-03-04T12:00:00.000Z'],
    ['final-report', 'open', '2026-04-04T12:00:00.000Z', undefined],
  ]);
  assert.equal((await s.service.done(name, { regime: 'nis2', milestone: 'notification' }, by)).kind, 'unchanged');
  assert.equal((await s.service.done(name, { regime: 'nis2', milestone: 'initial' }, by)).kind, 'rejected');
  assert.equal((await s.service.done(name, { regime: 'gdpr', milestone: 'notification' }, by)).kind, 'rejected');
  assert.deepEqual(await s.actions('clock.done'), ['succeeded', 'succeeded', 'rejected', 'rejected']);
});

test('starting: a regime Argus keeps clocks for; awareness in the past needs a reason, never in the future; moving it later needs one too', async () => {
  const s = setup();
  const text = async (input: Parameters<ClockService['start']>[1]) => {
    const r = await s.service.start(name, input, by);
    return `${r.kind}: ${r.text}`;
  };
  assert.match(await text({ regime: 'pci' }), /^rejected: Choose a regime Argus keeps clocks for: gdpr, nis2, dora, sec, hipaa/);
  assert.match(await text({ regime: 'gdpr', awareAt: '2026-03-01T08:00Z' }), /^rejected: Entering an awareness time other than now needs a reason/);
  assert.match(await text({ regime: 'gdpr', awareAt: '2026-03-03T08:00Z', reason: 'x' }), /^rejected: .*cannot be in the future/);
  assert.match(await text({ regime: 'gdpr', awareAt: 'yesterday', reason: 'x' }), /^rejected: The awareness time must be an ISO-8601 time/);
  assert.equal(await s.rows.get(clockKey(name, 'gdpr')), undefined, 'a refused start stores nothing');
  assert.match(await text({ regime: 'gdpr', awareAt: '2026-03-01T08:00Z', reason: 'the DPO was told on Sunday' }), /^changed: GDPR clock started .*due 2026-03-04 08:00 UTC/);
  assert.match(await text({ regime: 'gdpr' }), /^unchanged: The GDPR clock is already running \(aware since 2026-03-01 08:00 UTC\)/);
  assert.match(await text({ regime: 'gdpr', awareAt: '2026-03-01T06:00Z' }), /^rejected: Changing the awareness time of a running clock needs a reason/);
  assert.match(await text({ regime: 'gdpr', awareAt: '2026-03-01T06:00Z', reason: 'the SOC saw it first' }), /^changed: GDPR awareness time moved from 2026-03-01 08:00 UTC to 2026-03-01 06:00 UTC/);
  assert.equal((await s.list())[0]?.dueAt, '2026-03-04T06:00:00.000Z');
  assert.deepEqual(await s.actions('clock.started'), ['rejected', 'rejected', 'rejected', 'rejected', 'succeeded', 'rejected']);
  assert.deepEqual(await s.actions('clock.aware-changed'), ['succeeded']);
});

test('a restart neither repeats nor loses a reminder: a dead sender\'s claim is finished once it expires, a target already told is not told again', async () => {
  const s = setup();
  await s.service.start(name, { regime: 'gdpr' }, by);
  s.clock.set('2026-03-03T22:00:00Z');
  const key = clockKey(name, 'gdpr');
  // An instance claimed the half-way reminder and died before sending it.
  await s.rows.mutate(key, (c) => ((c.milestones[0]!.reminders.half = { state: 'pending', sentTo: [], failures: 0, claimedBy: 'dead', claimedAt: s.clock.now() }), c));
  await s.sweep('instance-b');
  assert.equal(s.teams.sent.length, 0, 'a fresh claim is left to its holder');
  s.clock.advance(61_000);
  await s.sweep('instance-b');
  await s.sweep('instance-b');
  assert.equal(s.teams.sent.length, 1);
  // Another died after Teams answered and the target was recorded, before marking the reminder sent.
  s.clock.set('2026-03-04T19:36:00Z');
  await s.rows.mutate(key, (c) => ((c.milestones[0]!.reminders['eighty-percent'] = { state: 'pending', sentTo: ['19:soc@thread.tacv2'], failures: 0, claimedBy: 'dead', claimedAt: s.clock.now() - 61_000 }), c));
  await s.sweep('instance-b');
  assert.equal(s.teams.sent.length, 1, 'the thread that had it is not told again');
  assert.deepEqual((await s.list())[0]?.remindersSent, 2);
});

test('a failed send is retried later, not lost, and audited as failed; a reminder superseded during an outage is skipped', async () => {
  const s = setup();
  await s.service.start(name, { regime: 'gdpr' }, by);
  s.clock.set('2026-03-03T22:00:00Z');
  s.teams.failNext(1);
  await s.sweep();
  await s.sweep();
  assert.equal(s.teams.sent.length, 0, 'no retry before the backoff');
  s.clock.advance(11_000);
  await s.sweep();
  assert.match(textOf(s.teams.sent[0]!), /Half of the window/);
  assert.deepEqual(await s.actions('clock.reminder'), ['failed', 'succeeded']);
  // Argus was away from before 80 % until after the last hour began: only "one hour left" is sent.
  s.clock.set('2026-03-05T09:30:00Z');
  await s.sweep();
  assert.deepEqual(s.teams.sent.map(textOf).slice(1).map((t) => /: ([^.]+)\./.exec(t)?.[1]), ['One hour left']);
  const row = await s.rows.get(clockKey(name, 'gdpr'));
  assert.equal(row?.value.milestones[0]?.reminders['eighty-percent']?.state, 'skipped');
});

test('SEC Form 8-K: four business days after the determination, skipping the weekend and configured holidays; a longer window than the law\'s is refused', async () => {
  const plain = setup();
  plain.clock.set('2026-03-05T15:00:00Z'); // a Thursday
  await plain.service.start(name, { regime: 'sec' }, by);
  assert.equal((await plain.list())[0]?.dueAt, '2026-03-11T23:59:59.999Z'); // Fri, Mon, Tue, Wed
  const holiday = setup({ holidays: ['2026-03-09'] });
  holiday.clock.set('2026-03-05T15:00:00Z');
  await holiday.service.start(name, { regime: 'sec' }, by);
  assert.equal((await holiday.list())[0]?.dueAt, '2026-03-12T23:59:59.999Z');
  const stricter = setup({ gdpr: { notification: 'PT48H' }, sec: { '8k': '2BD' } });
  await stricter.service.start(name, { regime: 'gdpr' }, by);
  assert.equal((await stricter.list())[0]?.dueAt, '2026-03-04T10:00:00.000Z');
  for (const bad of [{ gdpr: { notification: 'PT73H' } }, { sec: { '8k': '5BD' } }, { nis2: { 'final-report': 'P2M' } }, { gdpr: { notification: '72h' } }, { gdpr: { breach: 'PT1H' } }, { pci: {} }])
    assert.equal(clocksConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
});
