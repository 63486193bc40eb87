import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../helpers/argus-harness';
import { startFakeAbuseIpdb, type FakeAbuseIpdb } from '../helpers/fake-abuseipdb';
import { startFakeAzureOpenAi, fakeAzureOpenAiModel, type FakeAzureOpenAi } from '../helpers/fake-azure-openai';
import { startFakeVirusTotal, type FakeVirusTotal } from '../helpers/fake-virustotal';
import { installActivity } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { runCliHere } from '../helpers/run-cli';

/**
 * Real Argus with both intel sources and the advisory summary, VirusTotal refusing our key: the
 * review card carries the summary, and /readyz, `argus doctor` and `argus intel quota` say
 * VirusTotal is unavailable and why.
 */

const alertsSecret = 'alerts-secret';
const triageChannel = '19:soc-triage@thread.tacv2';
const people = testPeople();
const dir = mkdtempSync(join(tmpdir(), 'argus-triage-advice-'));
let h: Harness;
let vt: FakeVirusTotal;
let abuse: FakeAbuseIpdb;
let ai: FakeAzureOpenAi;
let cliEnv: Record<string, string>;

const alert = {
  id: 'fedcba9876543210fedcba9876543210',
  ruleId: 'net-connection-rare-destination',
  title: 'Rare outbound connection from FIN-WS-042',
  level: 'medium',
  tags: ['attack.command_and_control'],
  detectedAt: '2026-03-01T10:00:00Z',
  source: 'test',
  eventIndex: 0,
  event: { Computer: 'FIN-WS-042', DestinationIp: '185.220.101.50' },
  explanation: { condition: 'selection', logsource: 'sysmon-network-connection', matchedSelections: ['selection'], unmatchedSelections: [], matches: [] },
  indicators: [{ type: 'ip', value: '185.220.101.50' }],
};

before(async () => {
  [vt, abuse, ai] = await Promise.all([startFakeVirusTotal(), startFakeAbuseIpdb(), startFakeAzureOpenAi()]);
  abuse.set('185.220.101.50', { abuseConfidenceScore: 40, totalReports: 9, numDistinctUsers: 5 });
  const configYaml = [
    `tenantId: ${home}`,
    accessYaml(people, 'responder'),
    'enrichment:',
    `  virustotal: { apiUrl: "${vt.apiUrl}" }`,
    `  abuseipdb: { apiUrl: "${abuse.apiUrl}" }`,
    'triage:',
    `  conversationId: "${triageChannel}"`,
    `llm: { enabled: true, endpoint: "${ai.endpoint}", deployment: ${ai.deployment} }`,
    '',
  ].join('\n');
  const secrets = {
    ARGUS_SECRET_ALERTS_WEBHOOK_SECRET: alertsSecret,
    ARGUS_SECRET_VIRUSTOTAL_API_KEY: 'revoked-key',
    ARGUS_SECRET_ABUSEIPDB_API_KEY: abuse.apiKey,
    ARGUS_SECRET_LLM_API_KEY: ai.apiKey,
  };
  h = await startHarness({ configYaml, env: secrets });
  writeFileSync(join(dir, 'argus.config.yaml'), configYaml);
  cliEnv = { ...h.azurite.env, ...secrets, ARGUS_CONFIG: join(dir, 'argus.config.yaml'), ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: 'x' };
  const spot = { serviceUrl: h.connector.url, conversationId: triageChannel, teamId: triageChannel, tenantId: home };
  assert.equal((await h.activity(installActivity(spot, people.admin))).status, 200);
});
after(async () => {
  await h.stop();
  await Promise.all([vt.close(), abuse.close(), ai.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function argus(...args: string[]) {
  return runCliHere(args, { env: cliEnv, cwd: dir });
}

test('the review card carries the advisory summary; VirusTotal refusing the key leaves it out of the decision', async () => {
  assert.equal((await h.signedPost('/api/webhooks/alerts', alert, alertsSecret)).status, 202);
  const post = await h.connector.waitFor((c) => c.kind === 'send' && JSON.stringify(h.connector.cardOf(c) ?? {}).includes('alert.false-positive'));
  const card = JSON.stringify(h.connector.cardOf(post));
  assert.match(card, new RegExp(`Advisory summary by ${fakeAzureOpenAiModel.replace(/\./g, '\\.')} \\(not part of the decision\\)`));
  assert.match(card, /A host ran an encoded PowerShell command/);
  assert.match(card, /VirusTotal was missing: unavailable/);
  assert.equal(ai.requests.length, 1);
  await h.argus.idle();

  const shown = JSON.parse((await argus('alerts', 'show', alert.id, '--json')).out);
  assert.equal(shown.decision, 'review');
  assert.deepEqual(Object.keys(shown.llm), ['summary', 'model'], 'the prompt is stored, not shown');
  assert.equal(shown.llm.model, fakeAzureOpenAiModel);
  assert.match(shown.llm.summary, /^A host ran an encoded PowerShell command/);
});

test('401: /readyz details, argus doctor and argus intel quota say VirusTotal is unavailable and why', async () => {
  const ready = await fetch(`${h.url}/readyz`);
  assert.equal(ready.status, 200, 'an intel source does not make Argus unready');
  const body = (await ready.json()) as { degraded?: string[]; details?: { intel?: { ok: boolean; sources: Array<{ source: string; available: boolean; reason?: string }> } } };
  assert.deepEqual(body.degraded, ['intel']);
  const [vtHealth, abuseHealth] = body.details?.intel?.sources ?? [];
  assert.deepEqual([vtHealth?.source, vtHealth?.available, abuseHealth?.source, abuseHealth?.available], ['virustotal', false, 'abuseipdb', true]);
  assert.match(vtHealth?.reason ?? '', /VirusTotal refused the key: VirusTotal answered 401/);

  const doctor = await argus('doctor');
  assert.equal(doctor.code, 1);
  assert.match(doctor.out, /^✖ virustotal {2}configured, key virustotal-api-key present, unavailable since \S+: VirusTotal refused the key: VirusTotal answered 401/m);
  assert.match(doctor.out, /^✔ abuseipdb {3}configured, key abuseipdb-api-key present, available$/m);

  const quota = JSON.parse((await argus('intel', 'quota', '--json')).out) as Array<{ source: string; available: boolean; queued: number }>;
  assert.deepEqual(quota.map((q) => [q.source, q.available, q.queued]), [['virustotal', false, 0], ['abuseipdb', true, 0]]);

  const metrics = await (await fetch(`${h.url}/metrics`)).text();
  assert.match(metrics, /^argus_intel_queue_depth\{source="virustotal"\} 0$/m);
});
