import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdaptiveCard } from '../../../src/teams/registry';
import { actionsOf, cardProblems, textOf } from '../cards/card-checker';
import { clean, fakeIntel, malicious, mixed, reviewConversation, socChannel, testAlert, triageRig } from './triage-setup';

const cardOf = (post: { message: unknown } | undefined): AdaptiveCard => (post?.message as { card: AdaptiveCard }).card;

test('a clean alert is auto-closed: recorded with its reasons and in the outcome history, no card; redelivery changes nothing', async () => {
  const intel = fakeIntel({ '198.51.100.23': clean });
  const rig = triageRig({ intel });
  const alert = testAlert();
  const record = await rig.receive(alert);
  assert.equal(record?.status, 'decided');
  assert.equal(record?.decision, 'auto-close');
  assert.ok(record!.score < 0.2);
  assert.match(record!.reasons.join('\n'), /below autoCloseBelow 0\.2/);
  assert.deepEqual(record!.indicators[0]?.sources.map((s) => [s.source, s.verdict, s.weight]), [['virustotal', 'clean', 1], ['abuseipdb', 'suspicious', 0.8]]);
  assert.equal(rig.posts.length, 0, 'no card for an auto-closed alert');
  const history = await rig.outcomes.get(alert.ruleId, alert.id);
  assert.equal(history?.state, 'auto_closed');
  assert.equal(history?.verdict, 'false_positive');

  await rig.receive(alert);
  assert.equal((await rig.outcomes.get(alert.ruleId, alert.id))?.history.length, 2, 'fired + one triage step, even delivered twice');
  assert.equal(intel.asked.length, 1, 'a decided alert is not looked up again');
});

test('a mixed alert goes to review: a triage card in the triage conversation with the four verdict buttons', async () => {
  const rig = triageRig({ intel: fakeIntel({ '198.51.100.23': mixed }) });
  const alert = testAlert();
  const record = await rig.receive(alert);
  assert.equal(record?.decision, 'review');
  assert.equal(rig.posts.length, 1);
  assert.equal(rig.posts[0]?.conversationId, reviewConversation);
  assert.deepEqual(record?.card, { conversationId: reviewConversation, activityId: 'activity-1' });
  const card = cardOf(rig.posts[0]);
  assert.deepEqual(cardProblems(card), []);
  assert.deepEqual(
    actionsOf(card).map((a) => [a.type, a.verb, (a.data as { alertId: string }).alertId]),
    ['alert.confirm', 'alert.false-positive', 'alert.benign', 'alert.escalate'].map((verb) => ['Action.Execute', verb, alert.id]),
  );
  const text = textOf(card);
  assert.match(text, /Score 0\.345/);
  assert.match(text, /virustotal: malicious · p 0\.1 × weight 1/);
  assert.match(text, /abuseipdb: suspicious · p 0\.875 × weight 0\.8/);
  assert.match(text, /between autoCloseBelow 0\.2 and escalateAtOrAbove 0\.8/);
  assert.match(text, /FIN-WS-042/);
  assert.doesNotMatch(text, /\]\(/, 'the alert title is never a link');
  assert.equal((await rig.outcomes.get(alert.ruleId, alert.id))?.state, 'fired', 'a review stays pending until a person decides');
  await rig.receive(alert);
  assert.equal(rig.posts.length, 1, 'a redelivered alert posts no second card');
});

test('a malicious alert is escalated: an escalation card in the routed channel, escalated in the outcome history', async () => {
  const rig = triageRig({ intel: fakeIntel({ '198.51.100.23': malicious }) });
  const alert = testAlert();
  const record = await rig.receive(alert);
  assert.equal(record?.decision, 'escalate');
  assert.equal(rig.posts[0]?.conversationId, socChannel);
  const card = cardOf(rig.posts[0]);
  assert.deepEqual(cardProblems(card), []);
  assert.match(textOf(card), /Alert escalated/);
  assert.deepEqual(actionsOf(card).map((a) => a.verb), ['alert.confirm', 'alert.false-positive', 'alert.benign']);
  const history = await rig.outcomes.get(alert.ruleId, alert.id);
  assert.deepEqual([history?.state, history?.verdict], ['escalated', 'true_positive']);
});

test('an alert on a critical asset is never auto-closed: clean intel sends it to review', async () => {
  const rig = triageRig({ intel: fakeIntel({ '198.51.100.23': clean }), triage: { criticalAssets: ['FIN-WS-*'] } });
  const record = await rig.receive(testAlert());
  assert.equal(record?.decision, 'review');
  assert.match(record!.reasons.join('\n'), /critical asset \(FIN-WS-\*\)/);
  assert.equal(rig.posts.length, 1);
});

test('without enrichment the policy decides alone and says so', async () => {
  const rig = triageRig();
  const record = await rig.receive(testAlert());
  assert.equal(record?.decision, 'review');
  assert.match(record!.reasons[0]!, /no enrichment is configured/);
  assert.deepEqual(record!.indicators[0]?.sources, []);
});

test('an override from the review card is audited, recorded as human_override and counted as a false positive by rules stats', async () => {
  const rig = triageRig({ intel: fakeIntel({ '198.51.100.23': mixed }) });
  const alert = testAlert();
  await rig.receive(alert);
  const answer = await rig.press('alert.false-positive', { alertId: alert.id });
  assert.ok('card' in answer);
  assert.deepEqual(cardProblems(answer.card), []);
  assert.match(textOf(answer.card), /False positive by Rui Responder/);

  const record = (await rig.store.get(alert.id))?.record;
  assert.deepEqual([record?.override?.verdict, record?.override?.by], ['false_positive', 'Rui Responder']);
  const history = await rig.outcomes.get(alert.ruleId, alert.id);
  assert.deepEqual([history?.state, history?.humanVerdict], ['human_override', 'false_positive']);
  const [stats] = await rig.outcomes.stats();
  assert.deepEqual([stats?.falsePositives, stats?.falsePositiveRate], [1, 1]);

  const rows = await rig.audit.query({ action: 'alert.override' });
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0]?.target, rows[0]?.outcome, rows[0]?.actorName, rows[0]?.detail.verdict], [alert.id, 'succeeded', 'Rui Responder', 'false_positive']);

  await rig.press('alert.false-positive', { alertId: alert.id });
  assert.equal((await rig.audit.query({ action: 'alert.override' })).length, 1, 'the same verdict again changes nothing');
});

test('escalating from the review card confirms the alert and posts the escalation card', async () => {
  const rig = triageRig({ intel: fakeIntel({ '198.51.100.23': mixed }) });
  const alert = testAlert();
  await rig.receive(alert);
  await rig.press('alert.escalate', { alertId: alert.id });
  assert.equal((await rig.outcomes.get(alert.ruleId, alert.id))?.humanVerdict, 'true_positive');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(rig.posts.length, 2);
  assert.equal(rig.posts[1]?.conversationId, socChannel);
  assert.match(textOf(cardOf(rig.posts[1])), /Alert escalated/);
});

test('verbs refuse a bad alert id, an unknown alert and one still waiting for lookups', async () => {
  const waiting = fakeIntel({}, { waiting: [{ indicator: { type: 'ip', value: '198.51.100.23' }, source: 'virustotal' }] });
  const rig = triageRig({ intel: waiting });
  const alert = testAlert();
  const record = await rig.receive(alert);
  assert.equal(record?.status, 'pending-intel');
  assert.equal(record?.decision, undefined);
  assert.equal(rig.posts.length, 0);
  const status = async (data: Record<string, unknown>) => {
    const r = await rig.press('alert.confirm', data);
    return 'error' in r ? r.error.status : 200;
  };
  assert.equal(await status({ alertId: '<script>' }), 400);
  assert.equal(await status({ alertId: 'f'.repeat(32) }), 404);
  assert.equal(await status({ alertId: alert.id }), 409);
  assert.equal((await rig.audit.query({ action: 'alert.override' })).length, 0);
});
