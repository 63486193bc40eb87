import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../../src/logging/logger';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import type { TeamsMessage } from '../../../src/teams/teams-delivery';
import { createDailyDigest, previousUtcDay, TableDigestLedger } from '../../../src/triage/daily-digest';
import { digestView, reasonKind, renderTriageDigestCard } from '../../../src/triage/digest-card';
import type { TriageRecord } from '../../../src/triage/triage-record';
import { TableTriageStore } from '../../../src/triage/triage-store';
import { cardProblems, textOf } from '../cards/card-checker';

const logger = createLogger({ level: 'silent' });
const digestChannel = '19:triage@thread.tacv2';
let counter = 0;

function record(patch: Partial<TriageRecord> & { decidedAt: string }): TriageRecord {
  counter += 1;
  return {
    alertId: counter.toString(16).padStart(32, 'd'),
    ruleId: 'rule-whoami',
    status: 'decided',
    decision: 'auto-close',
    score: 0.0625,
    thresholds: { autoCloseBelow: 0.2, escalateAtOrAbove: 0.8 },
    indicators: [],
    reasons: ['score 0.063 is below autoCloseBelow 0.2'],
    alert: { title: 'Whoami [run](https://evil.example/) by svc', level: 'low', host: 'APP-07', detectedAt: patch.decidedAt },
    matchedRules: [],
    ...patch,
  };
}

/** Yesterday (2026-03-01) had three auto-closed alerts of two rules and one review; the day before one more. */
async function digestRig() {
  const alerts = memoryEntityTable();
  const store = new TableTriageStore(alerts);
  for (const r of [
    record({ decidedAt: '2026-03-01T00:00:00.000Z' }),
    record({ decidedAt: '2026-03-01T13:00:00.000Z', score: 0.041, reasons: ['score 0.041 is below autoCloseBelow 0.2'] }),
    record({ decidedAt: '2026-03-01T23:59:59.999Z', ruleId: 'rule-rdp', reasons: ['every indicator is allow-listed'] }),
    record({ decidedAt: '2026-03-01T12:00:00.000Z', decision: 'review', reasons: ['score 0.5 is between autoCloseBelow 0.2 and escalateAtOrAbove 0.8'] }),
    record({ decidedAt: '2026-02-28T23:59:59.999Z' }),
    record({ decidedAt: '2026-03-02T00:00:00.000Z' }),
  ])
    await store.save(r);
  const clock = { now: new Date('2026-03-02T00:00:30Z') };
  const teams = { down: false };
  const posts: Array<{ conversationId: string; message: TeamsMessage }> = [];
  const delivery = {
    async post(conversationId: string, message: TeamsMessage) {
      if (teams.down) throw new Error('teams could not be reached (ECONNREFUSED)');
      posts.push({ conversationId, message });
      return `activity-${posts.length}`;
    },
  };
  /** One Argus instance (a restart makes a new one): its own digest over the shared tables. */
  const instance = (name: string) =>
    createDailyDigest({ store, ledger: new TableDigestLedger(alerts), delivery, conversationId: digestChannel, instance: name, log: logger, now: () => clock.now });
  return { clock, teams, posts, instance };
}

test('the digest is posted once per day: the day before, to the triage conversation; never again after a restart or on another instance', async () => {
  const rig = await digestRig();
  const first = rig.instance('a');
  assert.equal(await first.tick(), 'sent');
  assert.deepEqual(rig.posts.map((p) => p.conversationId), [digestChannel]);
  const card = (rig.posts[0]!.message as { card: unknown }).card;
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  assert.match(text, /Auto-closed alerts on 2026-03-01 \(UTC\)/);
  assert.match(text, /Triage auto-closed 3 alerts of 2 rules/);
  assert.match(text, /rule-whoami\n2\nrule-rdp\n1/, 'count per rule, most first');
  assert.match(text, /• score is below autoCloseBelow 0\.2 \(2\)/, 'alike reasons counted together');
  assert.match(text, /• every indicator is allow-listed \(1\)/);
  assert.doesNotMatch(text, /\]\(https/, 'alert text is plain');

  assert.equal(await first.tick(), 'already-sent');
  assert.equal(await rig.instance('a-restarted').tick(), 'already-sent');
  rig.clock.now = new Date('2026-03-02T23:59:00Z');
  assert.equal(await rig.instance('b').tick(), 'already-sent');
  assert.equal(rig.posts.length, 1);

  rig.clock.now = new Date('2026-03-03T00:01:00Z');
  assert.equal(await first.tick(), 'sent', 'the next day has its own digest');
  assert.match(textOf((rig.posts[1]!.message as { card: unknown }).card), /Auto-closed alerts on 2026-03-02 \(UTC\)[\s\S]*Triage auto-closed 1 alert of 1 rule/);
});

test('two instances at midnight: one posts the digest', async () => {
  const rig = await digestRig();
  const results = await Promise.all([rig.instance('a').tick(), rig.instance('b').tick(), rig.instance('c').tick()]);
  assert.equal(results.filter((r) => r === 'sent').length, 1, results.join());
  assert.equal(rig.posts.length, 1);
});

test('a failed post is tried again after a backoff, and then posted once', async () => {
  const rig = await digestRig();
  rig.teams.down = true;
  const a = rig.instance('a');
  assert.equal(await a.tick(), 'failed');
  rig.teams.down = false;
  assert.equal(await rig.instance('b').tick(), 'taken', 'waits out the backoff');
  rig.clock.now = new Date('2026-03-02T00:01:30Z');
  assert.equal(await rig.instance('b').tick(), 'sent');
  assert.equal(await a.tick(), 'already-sent');
  assert.equal(rig.posts.length, 1);
});

test('a day without auto-closed alerts says so; long lists are cut with +N more', () => {
  const empty = renderTriageDigestCard(digestView('2026-03-01', []));
  assert.deepEqual(cardProblems(empty), []);
  assert.match(textOf(empty), /Triage auto-closed no alert on this day/);

  const many = Array.from({ length: 40 }, (_, i) => record({ decidedAt: `2026-03-01T10:${String(i).padStart(2, '0')}:00.000Z`, ruleId: `rule-${i}` }));
  const view = digestView('2026-03-01', many);
  assert.equal(view.examples.length, 5);
  assert.equal(view.examples[0]!.decidedAt, '2026-03-01T10:39:00.000Z', 'the latest first');
  const card = renderTriageDigestCard(view);
  assert.deepEqual(cardProblems(card), []);
  assert.match(textOf(card), /\+25 more\n25/);
});

test('previousUtcDay and reasonKind', () => {
  assert.equal(previousUtcDay(new Date('2026-03-01T00:00:00Z')), '2026-02-28');
  assert.equal(previousUtcDay(new Date('2026-03-01T23:59:59Z')), '2026-02-28');
  assert.equal(reasonKind('score 0.041 is below autoCloseBelow 0.2'), 'score is below autoCloseBelow 0.2');
  assert.equal(reasonKind('rule r is set to auto-close'), 'rule r is set to auto-close');
});
