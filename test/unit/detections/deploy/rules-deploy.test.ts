import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { TokenCredential } from '@azure/identity';
import { MemoryAuditLog } from '../../../../src/audit/memory-audit-log';
import { createAlertRulesClient } from '../../../../src/detections/deploy/alert-rules-client';
import { alertRuleGuid } from '../../../../src/detections/deploy/rule-guid';
import { runDeploy, type DeployRequest } from '../../../../src/detections/deploy/run-deploy';
import { describedRuleId } from '../../../../src/detections/sentinel-rule-id';
import { startFakeArm, type FakeArm } from '../../../helpers/fake-arm';
import { mintFakeToken } from '../../../helpers/fake-managed-identity';

/** `argus rules deploy` against a fake ARM that speaks Sentinel's alertRules API. */

const repoDetections = resolve(__dirname, '../../../../detections');
const certutil = '69ad4bcc-be0b-4362-bc27-e1b45c1651aa';
const convertible = [certutil, 'bc8acfa9-2468-4a2c-b95e-532b6309b406', 'ebe0dceb-3424-4bf4-819f-e077e71f73c7'];

const credential: TokenCredential = { getToken: async (scope) => ({ token: mintFakeToken(String(scope)), expiresOnTimestamp: Date.now() + 3_600_000 }) };

async function setup(t: TestContext) {
  const arm: FakeArm = await startFakeArm();
  const dir = mkdtempSync(join(tmpdir(), 'argus-deploy-'));
  cpSync(repoDetections, dir, { recursive: true });
  t.after(async () => {
    await arm.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const audit = new MemoryAuditLog();
  const client = createAlertRulesClient({ config: arm.config, credential, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 2 } });
  const deploy = (options: Partial<DeployRequest> = {}) =>
    runDeploy(
      { path: dir, target: 'defender-xdr', cwd: dir, schedule: { queryFrequency: 'PT1H', queryPeriod: 'PT2H' }, dryRun: false, prune: false, check: false, ...options },
      { client, audit, actor: { id: 'oid-1', name: 'ci@contoso.com', tenantId: 'tid-1' }, correlationId: 'run-1' },
    );
  const puts = () => arm.requests.filter((r) => r.method === 'PUT' && r.path.includes('/alertRules/'));
  return { arm, dir, audit, deploy, puts };
}

test('the analytics rule GUID is a stable name-based UUID of the Sigma rule id', () => {
  assert.equal(alertRuleGuid(certutil), alertRuleGuid(certutil));
  assert.match(alertRuleGuid(certutil), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(alertRuleGuid(certutil), alertRuleGuid(`${certutil}x`));
});

test('a first deploy PUTs one Scheduled rule per convertible Sigma rule, audited; a second changes nothing', async (t) => {
  const { arm, audit, deploy, puts } = await setup(t);
  const first = await deploy();
  assert.equal(first.exitCode, 0);
  assert.deepEqual(first.entries.filter((e) => e.action === 'create').map((e) => e.ruleId).sort(), [...convertible].sort());
  assert.equal(first.entries.filter((e) => e.action === 'skip').length, 5, 'service logs and process_access do not convert for defender-xdr');
  const put = puts().find((r) => r.path.endsWith(`/alertRules/${alertRuleGuid(certutil)}`));
  assert.ok(put, 'the certutil rule is PUT under its GUID');
  assert.equal(put.query.get('api-version'), '2024-09-01');
  const body = put.json as { kind: string; properties: Record<string, any> };
  assert.equal(body.kind, 'Scheduled');
  const p = body.properties;
  assert.equal(p.displayName, 'Certutil Fetching a File From a Remote URL');
  assert.match(p.description, new RegExp(`^Argus: Sigma rule ${certutil}\\n\\ncertutil\\.exe was asked`));
  assert.equal(p.severity, 'High');
  assert.deepEqual([p.enabled, p.triggerOperator, p.triggerThreshold, p.queryFrequency, p.queryPeriod], [true, 'GreaterThan', 0, 'PT1H', 'PT2H']);
  assert.deepEqual(p.tactics, ['CommandAndControl', 'DefenseEvasion']);
  assert.deepEqual(p.techniques, ['T1105', 'T1218']);
  assert.match(p.query, /^DeviceProcessEvents\n\| where .*\n\| extend SigmaRuleId = "69ad4bcc-be0b-4362-bc27-e1b45c1651aa", HashAlgorithm = "SHA256"$/s);
  assert.deepEqual(p.customDetails, { SigmaRuleId: 'SigmaRuleId' });
  assert.deepEqual(p.eventGroupingSettings, { aggregationKind: 'AlertPerResult' });
  assert.equal(p.incidentConfiguration.createIncident, true);
  assert.deepEqual(p.entityMappings.map((m: { entityType: string }) => m.entityType), ['Host', 'Account', 'FileHash']);
  assert.deepEqual(p.entityMappings[1].fieldMappings, [{ identifier: 'Name', columnName: 'AccountName' }, { identifier: 'NTDomain', columnName: 'AccountDomain' }]);
  assert.equal(arm.alertRules.rules.size, 3);

  const rows = await audit.query({ action: 'detections.rule.deploy' });
  assert.equal(rows.length, 3);
  assert.deepEqual([rows[0]?.outcome, rows[0]?.actorName, rows[0]?.actorId, rows[0]?.correlationId], ['succeeded', 'ci@contoso.com', 'oid-1', 'run-1']);
  assert.equal((await audit.query({ action: 'detections.deploy' }))[0]?.detail.created, 3);

  const before = puts().length;
  const second = await deploy();
  assert.deepEqual(second.entries.filter((e) => e.action !== 'skip').map((e) => e.action), ['unchanged', 'unchanged', 'unchanged']);
  assert.equal(puts().length, before, 'stable GUIDs: a redeploy writes nothing');
  assert.equal((await audit.query({ action: 'detections.deploy' })).length, 2, 'the run is audited even when nothing changed');
});

test('--check exits non-zero naming a rule edited in the portal, and writes nothing; a deploy puts it back', async (t) => {
  const { arm, deploy, puts } = await setup(t);
  await deploy();
  assert.equal((await deploy({ check: true })).exitCode, 0);
  arm.alertRules.edit(alertRuleGuid(certutil), { query: 'DeviceProcessEvents | take 1', severity: 'Low' });
  const writes = puts().length;
  const check = await deploy({ check: true });
  assert.equal(check.exitCode, 1);
  assert.deepEqual(check.drift.map((d) => [d.ruleId, d.action, d.changed]), [[certutil, 'update', ['severity', 'query']]]);
  assert.equal(puts().length, writes);
  const fix = await deploy();
  assert.equal(fix.entries.find((e) => e.ruleId === certutil)?.action, 'update');
  // The update carried the etag it read, so a concurrent edit would have been refused, not overwritten.
  assert.match(String((puts().at(-1)?.json as { etag?: string }).etag), /^"/);
  assert.equal((await deploy({ check: true })).exitCode, 0);
});

test('--prune deletes only Argus rules whose Sigma rule is gone; without it they are reported as orphans', async (t) => {
  const { arm, dir, audit, deploy } = await setup(t);
  await deploy();
  const portalRule = arm.alertRules.seed('0f6c1b52-7a63-4b0a-9c7e-3f0f8a2e1c11', 'Scheduled', { displayName: 'Hand-made', description: 'made in the portal', query: 'x' });
  // Claims to be Argus's by its description, but its GUID is not the one Argus derives: left alone.
  arm.alertRules.seed('2d2b8c1e-4f3a-4d5e-9b8a-7c6d5e4f3a2b', 'Scheduled', { displayName: 'Copy', description: `Argus: Sigma rule ${certutil}`, query: 'x' });
  rmSync(join(dir, 'windows/process_creation/proc_creation_win_certutil_remote_download.yml'));

  const report = await deploy();
  assert.deepEqual(report.entries.filter((e) => e.action === 'orphan').map((e) => e.alertRuleId), [alertRuleGuid(certutil)]);
  assert.equal(arm.alertRules.rules.size, 5);

  const pruned = await deploy({ prune: true });
  assert.equal(pruned.exitCode, 0);
  assert.deepEqual(pruned.entries.filter((e) => e.action === 'delete').map((e) => [e.ruleId, e.outcome]), [[certutil, 'succeeded']]);
  assert.equal(arm.alertRules.rules.has(alertRuleGuid(certutil)), false);
  assert.ok(arm.alertRules.rules.has(portalRule.name));
  assert.equal(arm.alertRules.rules.size, 4);
  assert.equal((await audit.query({ action: 'detections.rule.delete' }))[0]?.target, alertRuleGuid(certutil));
});

test('--prune refuses when a rule file cannot be read; --dry-run writes nothing', async (t) => {
  const { dir, deploy, puts } = await setup(t);
  writeFileSync(join(dir, 'broken.yml'), 'title: Broken\nlogsource: {}\ndetection: {}\n');
  await assert.rejects(deploy({ prune: true }), /--prune refused: 1 rule file\(s\) cannot be read/);
  const dry = await deploy({ dryRun: true });
  assert.equal(dry.entries.filter((e) => e.action === 'create').length, 3);
  assert.equal(puts().length, 0);
});

test('a rule custom field sets its schedule; a bad one skips the rule with the reason', async (t) => {
  const { dir, deploy, puts } = await setup(t);
  const file = join(dir, 'windows/process_creation/proc_creation_win_certutil_remote_download.yml');
  const { readFileSync } = await import('node:fs');
  writeFileSync(file, `${readFileSync(file, 'utf8')}queryFrequency: PT15M\nqueryPeriod: PT30M\n`);
  await deploy();
  const p = (puts().find((r) => r.path.endsWith(alertRuleGuid(certutil)))?.json as { properties: Record<string, unknown> }).properties;
  assert.deepEqual([p.queryFrequency, p.queryPeriod], ['PT15M', 'PT30M']);
  writeFileSync(file, `${readFileSync(file, 'utf8')}`.replace('PT15M', 'PT1M'));
  const report = await deploy();
  assert.match(report.entries.find((e) => e.ruleId === certutil)?.reason ?? '', /queryFrequency: must be an ISO-8601 duration from PT5M to P14D/);
});

test('a write Sentinel refuses is audited as failed and the run exits non-zero; the others still deploy', async (t) => {
  const { arm, audit, deploy } = await setup(t);
  const list = await deploy({ dryRun: true });
  assert.equal(list.exitCode, 0);
  arm.failNext(1, 400, { code: 'BadRequest', message: 'Query is invalid' });
  // The one injected failure hits the list: nothing is planned, nothing written.
  await assert.rejects(deploy(), /Sentinel refused the list of analytics rules \(400\)/);
  assert.equal(arm.alertRules.rules.size, 0);
  const original = arm.alertRules.handle;
  let calls = 0;
  arm.alertRules.handle = (req, res) => {
    if (req.method === 'PUT' && calls++ === 0) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BadRequest', message: 'Failed to run the analytics rule query' } }));
      return true;
    }
    return original(req, res);
  };
  const report = await deploy();
  assert.equal(report.exitCode, 1);
  assert.equal(report.entries.filter((e) => e.outcome === 'failed').length, 1);
  assert.equal(arm.alertRules.rules.size, 2);
  const failed = await audit.query({ action: 'detections.rule.deploy' });
  assert.equal(failed.filter((r) => r.outcome === 'failed').length, 1);
  assert.match(String(failed.find((r) => r.outcome === 'failed')?.detail.error), /Sentinel refused analytics rule/);
  assert.equal(describedRuleId(`Argus: Sigma rule ${certutil}\n\ntext`), certutil);
});
