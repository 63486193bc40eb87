import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config';
import { isArgusError } from '../../src/errors/catalog';
import { tableNames } from '../../src/storage/table-store';
import { signBody, signatureHeader } from '../../src/security/signature';
import { countEntities, sentinelFixture, startHarness, webhookSecret, type Harness } from '../helpers/argus-harness';
import { callerObjectId, startFakeEntra, webhookAudience, type FakeEntra } from '../helpers/fake-jwks';

/** The Logic App hop: Sentinel's trigger body posted with the Logic App's managed-identity token. */
let h: Harness;
let entra: FakeEntra;
const incident = sentinelFixture('logic-app-incident-created.json');
/** A playbook's Logic App: allowed to report runs, and nothing else. */
const playbookCaller = { oid: '5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716', azp: '5e4d3c2b-0000-4f8e-8d7c-000000000001', sub: '5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716' };
const entraYaml = (tenantId: string, openIdConfigUrl: string, callers: string) => `
tenantId: ${tenantId}
webhookAuth:
  entra:
    tenantId: ${tenantId}
    audience: ${webhookAudience}
    allowedCallers: ${callers}
    openIdConfigUrl: ${openIdConfigUrl}
`;

async function auditRows(target: string) {
  const rows: Record<string, unknown>[] = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>())
    if (e.rowKey !== 'head' && e.action === 'webhook.received' && e.target === target) rows.push(e);
  return rows;
}

describe('webhooks accept Entra ID tokens from allow-listed managed identities', () => {
  before(async () => {
    entra = await startFakeEntra();
    h = await startHarness({
      configYaml: entraYaml(entra.tenantId, entra.openIdConfigUrl, `
      - { id: ${callerObjectId}, routes: [sentinel] }
      - { id: ${playbookCaller.oid}, routes: [playbooks] }`),
    });
  });
  after(async () => {
    await h?.stop();
    await entra?.close();
  });

  test('a valid token is accepted (202) and audited with the calling identity', async () => {
    const res = await h.post('/api/webhooks/sentinel', JSON.stringify(incident), { authorization: `Bearer ${await entra.mint()}` });
    assert.equal(res.status, 202, res.text);
    // The receipt row is written from the stored event when it is processed.
    await h.argus.idle();
    const rows = await auditRows('sentinel');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.outcome, 'allowed');
    assert.equal(rows[0]?.actorId, `entra:${callerObjectId}`);
  });

  test('a bad token is refused with 401 even when the body also carries a valid signature, and nothing is stored', async () => {
    const events = await countEntities(h.table(tableNames.events));
    const other = structuredClone(incident) as { object: { etag: string } };
    other.object.etag = '"another-version"';
    const body = JSON.stringify(other);
    const stranger = await entra.mint({ oid: '99999999-0000-4000-8000-000000000001', azp: '99999999-0000-4000-8000-000000000002' });
    const res = await h.post('/api/webhooks/sentinel', body, { authorization: `Bearer ${stranger}`, [signatureHeader]: signBody(webhookSecret, body) });
    assert.equal(res.status, 401);
    assert.equal(res.json.error.code, 'ARGUS_BAD_SIGNATURE');
    assert.equal(await countEntities(h.table(tableNames.events)), events);
    const rejected = (await auditRows('sentinel')).filter((r) => r.outcome === 'rejected');
    assert.equal(rejected.length, 1);
    assert.match(String(rejected[0]?.detail), /entra-caller-not-allowed/);
  });

  test('without a token the HMAC signature still works', async () => {
    const res = await h.signedPost('/api/webhooks/sentinel', incident);
    assert.equal(res.status, 200, 'the same incident version again: a duplicate');
    assert.equal(res.json.duplicate, true);
  });

  test('a token allowed for sentinel is denied (403) on the playbook and alert routes, audited as denied, and nothing is stored', async () => {
    const events = await countEntities(h.table(tableNames.events));
    const token = await entra.mint();
    for (const [path, target] of [['/api/webhooks/playbooks', 'playbooks'], ['/api/webhooks/alerts', 'alerts']] as const) {
      const report = JSON.stringify({ runId: randomUUID(), status: 'succeeded' });
      const res = await h.post(path, report, { authorization: `Bearer ${token}` });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.json.error.code, 'ARGUS_FORBIDDEN');
      const denied = (await auditRows(target)).filter((r) => r.outcome === 'denied');
      assert.equal(denied.length, 1, `one denied row for ${target}`);
      assert.equal(denied[0]?.actorId, `entra:${callerObjectId}`);
      assert.match(String(denied[0]?.detail), /entra-route-not-allowed/);
    }
    assert.equal(await countEntities(h.table(tableNames.events)), events);
  });

  test('each caller reaches only its own routes: the playbook identity may report runs but not post incidents', async () => {
    const token = await entra.mint(playbookCaller);
    const report = await h.post('/api/webhooks/playbooks', JSON.stringify({ runId: randomUUID(), status: 'succeeded' }), { authorization: `Bearer ${token}` });
    assert.equal(report.status, 202, report.text);
    const other = structuredClone(incident) as { object: { etag: string } };
    other.object.etag = '"yet-another-version"';
    const post = await h.post('/api/webhooks/sentinel', JSON.stringify(other), { authorization: `Bearer ${token}` });
    assert.equal(post.status, 403);
    assert.equal(post.json.error.code, 'ARGUS_FORBIDDEN');
    const denied = (await auditRows('sentinel')).filter((r) => r.outcome === 'denied');
    assert.deepEqual(denied.map((r) => r.actorId), [`entra:${playbookCaller.oid}`]);
  });

  test('an allow-list entry without routes (the earlier form) is a config error naming the key', () => {
    const fileText = entraYaml(entra.tenantId, entra.openIdConfigUrl, `[${callerObjectId}]`);
    assert.throws(
      () => loadConfig({}, { fileText }),
      (err) => isArgusError(err, 'ARGUS_CONFIG_INVALID') && /webhookAuth\.entra\.allowedCallers\[0\]: must be \{ id: .*routes/.test(err.message),
    );
  });
});
