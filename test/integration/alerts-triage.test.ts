import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TableDetectionOutcomeStore } from '../../src/detections/outcomes/table-outcome-store';
import { tableNames } from '../../src/storage/table-store';
import { TableTriageStore } from '../../src/triage/triage-store';
import { startHarness, type Harness } from '../helpers/argus-harness';
import { installActivity, invoke, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { runCliHere } from '../helpers/run-cli';

const alertsSecret = 'alerts-secret';
const triageChannel = '19:soc-triage@thread.tacv2';
const people = testPeople();
let h: Harness;
let spot: ChannelSpot;

const alert = {
  id: '0123456789abcdef0123456789abcdef',
  ruleId: 'win-encoded-powershell',
  title: 'Encoded PowerShell [open](https://evil.example/) on FIN-WS-042',
  level: 'high',
  tags: ['attack.execution'],
  detectedAt: '2025-03-01T10:00:00Z',
  source: 'test',
  eventIndex: 0,
  event: { Computer: 'FIN-WS-042', CommandLine: 'powershell -enc SQBFAFgA' },
  explanation: { condition: 'selection', logsource: 'sysmon-process-creation', matchedSelections: ['selection'], unmatchedSelections: [], matches: [] },
  indicators: [{ type: 'ip', value: '198.51.100.23' }],
};

before(async () => {
  const configYaml = `tenantId: ${home}\n${accessYaml(people, 'responder')}\nrouting: { default: "${triageChannel}" }\ntriage:\n  conversationId: "${triageChannel}"\n  rules: { win-argus-escalate: always-escalate }\n`;
  h = await startHarness({ configYaml, env: { ARGUS_SECRET_ALERTS_WEBHOOK_SECRET: alertsSecret } });
  spot = { serviceUrl: h.connector.url, conversationId: triageChannel, teamId: triageChannel, tenantId: home };
  assert.equal((await h.activity(installActivity(spot, people.admin))).status, 200);
});
after(() => h.stop());

test('an alert is triaged (no enrichment: policy alone) and its review card reaches the triage channel; a false positive from the card is recorded', async () => {
  assert.equal((await h.signedPost('/api/webhooks/alerts', alert, alertsSecret)).status, 202);
  const post = await h.connector.waitFor((c) => c.kind === 'send' && JSON.stringify(h.connector.cardOf(c) ?? {}).includes('alert.false-positive'));
  assert.equal(post.conversationId.split(';')[0], triageChannel);
  await h.argus.idle();

  const triage = new TableTriageStore(h.table(tableNames.alerts));
  const decided = (await triage.get(alert.id))?.record;
  assert.deepEqual([decided?.status, decided?.decision], ['decided', 'review']);
  assert.match(decided!.reasons.join('\n'), /no enrichment is configured/);

  const answer = await invoke(h, spot, people.responder, 'alert.false-positive', { alertId: alert.id }, post.activityId);
  assert.equal(answer.type, 'application/vnd.microsoft.card.adaptive');
  assert.match(JSON.stringify(answer.value), /False positive by Rui Responder/);
  assert.equal((await triage.get(alert.id))?.record.override?.verdict, 'false_positive');
  const history = await new TableDetectionOutcomeStore(h.table(tableNames.detectionOutcomes)).get(alert.ruleId, alert.id);
  assert.deepEqual([history?.state, history?.humanVerdict], ['human_override', 'false_positive']);
});

test('argus alerts show and list print the decision record; rules stats counts the false positive', async () => {
  const argus = (...args: string[]) => runCliHere(args, { env: h.azurite.env });
  const show = await argus('alerts', 'show', alert.id, '--json');
  assert.equal(show.code, 0);
  const shown = JSON.parse(show.out);
  assert.deepEqual(Object.keys(shown).sort(), ['alertId', 'decidedAt', 'decision', 'indicators', 'override', 'reasons', 'ruleId', 'score', 'status', 'thresholds']);
  assert.deepEqual(shown.indicators, [{ type: 'ip', value: '198.51.100.23', sources: [] }]);
  assert.equal(shown.override.verdict, 'false_positive');
  const reviews = await argus('alerts', 'list', '--decision', 'review', '--json');
  assert.deepEqual(reviews.out.trim().split('\n').map((l) => JSON.parse(l).alertId), [alert.id]);
  assert.equal((await argus('alerts', 'list', '--decision', 'escalate', '--json')).out, '');
  const stats = JSON.parse((await argus('rules', 'stats', '--json')).out);
  assert.deepEqual([stats.ruleId, stats.falsePositives, stats.falsePositiveRate], [alert.ruleId, 1, 1]);
});

test('without Sentinel an escalated alert becomes an Argus incident, numbered from the counter, its card in the routed channel', async () => {
  const escalated = { ...alert, id: 'fedcba9876543210fedcba9876543210', ruleId: 'win-argus-escalate' };
  assert.equal((await h.signedPost('/api/webhooks/alerts', escalated, alertsSecret)).status, 202);
  const post = await h.connector.waitFor((c) => c.kind === 'send' && /Incident #1 · Argus/.test(JSON.stringify(h.connector.cardOf(c) ?? {})));
  assert.equal(post.conversationId.split(';')[0], triageChannel);
  await h.argus.idle();
  const record = (await new TableTriageStore(h.table(tableNames.alerts)).get(escalated.id))?.record;
  assert.deepEqual([record?.decision, record?.incident?.number], ['escalate', 1]);
  assert.match(JSON.stringify(h.connector.cardOf(post)), /Escalated alerts \(1\) · rule win-argus-escalate/);
});
