import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { TableAuditLog } from '../../src/audit/table-audit-log';
import { alertRuleGuid } from '../../src/detections/deploy/rule-guid';
import { tableNames } from '../../src/storage/table-store';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { startFakeArm, type FakeArm } from '../helpers/fake-arm';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';

// `argus rules kql|deploy` as users run them: the installed command (a symlink named argus), a
// config with a Sentinel workspace (a local ARM), DefaultAzureCredential on an App Service-style
// managed identity, and the audit table in Azurite.
const repo = resolve(__dirname, '../..');
const certutil = '69ad4bcc-be0b-4362-bc27-e1b45c1651aa';

let azurite: TestAzurite;
let arm: FakeArm;
let identity: FakeManagedIdentity;
let dir: string;
let env: Record<string, string>;

before(async () => {
  [azurite, arm, identity] = await Promise.all([startAzurite(), startFakeArm(), startFakeManagedIdentity()]);
  dir = await mkdtemp(join(tmpdir(), 'argus-rules-sentinel-'));
  await symlink(join(repo, 'bin/argus.js'), join(dir, 'argus'));
  await cp(join(repo, 'detections'), join(dir, 'detections'), { recursive: true });
  const { subscriptionId, resourceGroup, workspaceName, armEndpoint } = arm.config;
  await writeFile(
    join(dir, 'argus.config.yaml'),
    `sentinel:\n  subscriptionId: ${subscriptionId}\n  resourceGroup: ${resourceGroup}\n  workspaceName: ${workspaceName}\n  armEndpoint: ${armEndpoint}\n` +
      'detections:\n  queryFrequency: PT30M\n  queryPeriod: PT1H\n',
  );
  env = { PATH: process.env.PATH ?? '', HOME: dir, ARGUS_CONFIG: join(dir, 'argus.config.yaml'), LOG_LEVEL: 'warn', ...azurite.env, ...identity.env };
});
after(async () => {
  await Promise.all([azurite.stop(), arm.close(), identity.close()]);
  await rm(dir, { recursive: true, force: true });
});

function argus(args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(join(dir, 'argus'), args, { env, cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 'failed') : 0, stdout, stderr });
    });
  });
}

describe('argus rules kql and deploy', () => {
  test('kql --json prints every rule in the documented shape, exit 1 because some do not convert', async () => {
    const r = await argus(['rules', 'kql', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const rules = JSON.parse(r.stdout) as Record<string, unknown>[];
    const certutilRule = rules.find((x) => x.ruleId === certutil);
    assert.deepEqual(Object.keys(certutilRule ?? {}), ['ruleId', 'title', 'target', 'table', 'query', 'tactics', 'techniques', 'severity']);
    assert.equal(certutilRule?.target, 'defender-xdr');
    assert.match(String(certutilRule?.query), /^DeviceProcessEvents\n\| where /);
    assert.match(String(rules.find((x) => x.unsupported)?.unsupported), /has no table on defender-xdr|has no column/);
    assert.match(r.stderr, /8 rules, 3 converted for defender-xdr, 5 do not convert/);
  });

  test('deploy creates the analytics rules with the configured schedule and audits them; --check then finds a portal edit', async () => {
    const r = await argus(['rules', 'deploy']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^created +${alertRuleGuid(certutil)}  ${certutil}  Certutil Fetching`, 'm'));
    assert.match(r.stderr, /3 create, 0 update, 0 unchanged, 0 delete, 0 orphan, 5 skipped, 0 failed \(defender-xdr → myWorkspace\)/);
    const deployed = arm.alertRules.rules.get(alertRuleGuid(certutil));
    assert.deepEqual([deployed?.properties.queryFrequency, deployed?.properties.queryPeriod], ['PT30M', 'PT1H']);

    const audit = new TableAuditLog({ client: TableClient.fromConnectionString(azurite.connectionString, tableNames.audit, { allowInsecureConnection: true }) });
    const rows = await audit.query();
    assert.deepEqual(rows.map((row) => [row.action, row.outcome]), [...Array(3).fill(['detections.rule.deploy', 'succeeded']), ['detections.deploy', 'succeeded']]);
    assert.equal(rows[0]?.actorId, '11111111-2222-3333-4444-555555555555', 'the deploying identity (token oid) is the actor');

    arm.alertRules.edit(alertRuleGuid(certutil), { queryFrequency: 'PT5M' });
    const check = await argus(['rules', 'deploy', '--check']);
    assert.equal(check.code, 1);
    assert.match(check.stdout, new RegExp(`^would update +${alertRuleGuid(certutil)}  ${certutil}  .*differs in queryFrequency$`, 'm'));
    assert.match(check.stderr, /1 analytics rule\(s\) differ from the repository/);
  });
});
