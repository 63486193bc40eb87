import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { buildAlert } from '../../src/detections/alert';
import { DetectionEngine } from '../../src/detections/engine';
import { TableDetectionOutcomeStore } from '../../src/detections/outcomes/table-outcome-store';
import { parseRuleFile } from '../../src/detections/rule-parser';
import { tableNames } from '../../src/storage/table-store';
import { startHarness, type Harness } from '../helpers/argus-harness';

const alertsSecret = 'alerts-secret';
let h: Harness;

function sampleAlert() {
  const file = resolve(__dirname, '../../detections/windows/process_creation/proc_creation_win_powershell_encoded_command.yml');
  const engine = new DetectionEngine(parseRuleFile(readFileSync(file, 'utf8'), file).rules);
  const event = {
    Event: {
      System: { Provider: { Name: 'Microsoft-Windows-Sysmon' }, EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'FIN-WS-042' },
      EventData: { Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', OriginalFileName: 'PowerShell.EXE', CommandLine: 'powershell.exe -NoProfile -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=' },
    },
  };
  const { flat, matches } = engine.evaluate(event);
  assert.equal(matches.length, 1, 'the starter rule fires on the sample event');
  return buildAlert(matches[0]!, { source: 'test', eventIndex: 0, flat });
}

before(async () => {
  h = await startHarness({ configYaml: 'tenantId: aaaaaaaa-0000-4000-8000-000000000001\n', env: { ARGUS_SECRET_ALERTS_WEBHOOK_SECRET: alertsSecret } });
});
after(() => h.stop());

test('a signed detection alert is stored once and counted in the rule outcome history', async () => {
  const alert = sampleAlert();
  const first = await h.signedPost('/api/webhooks/alerts', alert, alertsSecret);
  assert.equal(first.status, 202);
  const again = await h.signedPost('/api/webhooks/alerts', alert, alertsSecret);
  assert.deepEqual([again.status, again.json.duplicate], [200, true]);
  await h.argus.idle();
  const stats = await new TableDetectionOutcomeStore(h.table(tableNames.detectionOutcomes)).stats();
  assert.equal(stats.length, 1);
  assert.equal(stats[0]?.ruleId, alert.ruleId);
  assert.equal(stats[0]?.fired, 1);
});

test('alerts need the alerts secret and the alert schema', async () => {
  const alert = sampleAlert();
  assert.equal((await h.signedPost('/api/webhooks/alerts', alert)).status, 401, 'the Sentinel secret does not sign alerts');
  const bad = await h.signedPost('/api/webhooks/alerts', { ...alert, level: 'apocalyptic' }, alertsSecret);
  assert.equal(bad.status, 400);
  assert.ok((bad.json.error.details as Array<{ path: string }>).some((d) => d.path === 'level'));
});
