import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tableNames } from '../../src/storage/table-store';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { startFakeArm, type FakeArm } from '../helpers/fake-arm';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import { testUser } from '../helpers/fake-bot-connector';
import { invoke as sendInvoke, type ChannelSpot } from '../helpers/teams-activities';
import { waitFor } from '../helpers/wait-for';

const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const admin = testUser('Ada Admin', '10000000-0000-4000-8000-000000000001', home);
const incidentName = '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21';
const created = sentinelFixture('logic-app-incident-created.json') as { object: Record<string, unknown> };

let h: Harness;
let arm: FakeArm;
let identity: FakeManagedIdentity;
let spot: ChannelSpot;
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

async function auditRows(action: string) {
  const rows: Record<string, unknown>[] = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>()) if (e.action === action) rows.push(e);
  return rows;
}

const invoke = (verb: string, data: Record<string, unknown>) => sendInvoke(h, spot, admin, verb, { incidentId: incidentName, ...data });

describe('card actions are written back to Sentinel through its REST API with managed identity', () => {
  before(async () => {
    identity = await startFakeManagedIdentity();
    Object.assign(process.env, identity.env);
    arm = await startFakeArm();
    arm.seed(created.object);
    const c = arm.config;
    h = await startHarness({
      configYaml: `tenantId: ${home}
access: { roles: { admin: { users: [${admin.aadObjectId}] } } }
sentinel: { subscriptionId: ${c.subscriptionId}, resourceGroup: ${c.resourceGroup}, workspaceName: ${c.workspaceName}, armEndpoint: "${c.armEndpoint}" }
`,
    });
    spot = await subscribedChannel(h, '19:wb@thread.tacv2', admin, home);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', created)).status, 202);
    await h.connector.waitFor((c) => c.kind === 'send' && /48213/.test(JSON.stringify(c.activity)));
  });
  after(async () => {
    await h.stop();
    await arm.close();
    await identity.close();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('the card no longer says changes are local', async () => {
    const card = await invoke('incident.refresh', {});
    assert.doesNotMatch(JSON.stringify(card.value), /Sentinel is not connected/i);
  });

  test('acknowledge: card answers at once, then a PUT with the etag sets Active + owner, audited as succeeded', async () => {
    const res = await invoke('incident.acknowledge', {});
    assert.match(JSON.stringify(res.value), /Acknowledged by Ada Admin/);
    await h.argus.idle();
    const puts = arm.requests.filter((r) => r.method === 'PUT' && r.path.toLowerCase().endsWith(`/incidents/${incidentName}`));
    assert.equal(puts.length, 1);
    const body = puts[0]!.json as { etag?: string; properties: { status: string; owner: { objectId?: string } } };
    assert.ok(body.etag, 'the PUT carries the etag (optimistic concurrency)');
    assert.equal(body.properties.status, 'Active');
    assert.equal(body.properties.owner.objectId, admin.aadObjectId);
    assert.equal(arm.incidents.get(incidentName)?.properties.status, 'Active');
    const rows = await auditRows('sentinel.writeback');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.outcome, 'succeeded');
    assert.ok(identity.issued.some((r) => r.startsWith('https://management.azure.com')), 'token asked for the ARM audience');
  });

  test('a comment becomes a Sentinel comment', async () => {
    await invoke('incident.comment', { comment: 'Isolated the host.' });
    await h.argus.idle();
    assert.equal(arm.comments.length, 1);
    assert.match(String(arm.comments[0]?.properties.message), /Isolated the host\./);
  });

  test('Sentinel refusing a change (400) is audited as failed and shown on the card, not retried forever', async () => {
    arm.failNext(1, 400, { code: 'BadRequest', message: 'Owner not found' });
    await invoke('incident.severity', { severity: 'Low' });
    await h.argus.idle();
    const failed = (await auditRows('sentinel.writeback')).filter((r) => r.outcome === 'failed');
    assert.equal(failed.length, 1);
    assert.match(String(failed[0]?.detail), /"permanent":true/);
    const card = await invoke('incident.refresh', {});
    assert.match(JSON.stringify(card.value), /Sentinel refused the change/);
  });

  test('a transient outage (503) is retried until the write lands', async () => {
    arm.failNext(3, 503);
    await invoke('incident.severity', { severity: 'Medium' });
    const severity = () => arm.incidents.get(incidentName)?.properties.severity;
    await waitFor(severity, { what: 'the severity written to Sentinel', timeoutMs: 10_000, intervalMs: 100, until: (s) => s === 'Medium' }).catch((err: unknown) => {
      console.log(h.logs.lines.filter((l) => Number(l.level) >= 40).map((l) => JSON.stringify(l).slice(0, 700)).join('\n'));
      throw err;
    });
    assert.equal(arm.incidents.get(incidentName)?.properties.severity, 'Medium');
  });
});
