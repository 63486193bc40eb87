import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tableNames } from '../../src/storage/table-store';
import { signBody, signatureHeader } from '../../src/ingress/signature';
import { countEntities, sentinelFixture, startHarness, webhookSecret, type Harness } from '../helpers/argus-harness';
import { callerObjectId, startFakeEntra, webhookAudience, type FakeEntra } from '../helpers/fake-jwks';

/** The Logic App hop: Sentinel's trigger body posted with the Logic App's managed-identity token. */
let h: Harness;
let entra: FakeEntra;
const incident = sentinelFixture('logic-app-incident-created.json');

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
      configYaml: `
tenantId: ${entra.tenantId}
webhookAuth:
  entra:
    tenantId: ${entra.tenantId}
    audience: ${webhookAudience}
    allowedCallers: [${callerObjectId}]
    openIdConfigUrl: ${entra.openIdConfigUrl}
`,
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
});
