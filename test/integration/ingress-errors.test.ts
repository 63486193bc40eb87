import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signBody, signatureHeader } from '../../src/security/signature';
import { tableNames } from '../../src/storage/table-store';
import { countEntities, sentinelFixture, startHarness, webhookSecret, type Harness } from '../helpers/argus-harness';
import { testUser } from '../helpers/fake-bot-connector';

const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const config = `tenantId: ${home}\nbodyLimitBytes: 65536\n`;
const created = sentinelFixture('logic-app-incident-created.json');
let h: Harness;

async function state() {
  return {
    events: await countEntities(h.table(tableNames.events)),
    incidents: await countEntities(h.table(tableNames.incidents)),
    cards: h.connector.calls.length,
  };
}

async function rejected(reason: string) {
  let n = 0;
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>())
    if (e.action === 'webhook.received' && e.outcome === 'rejected' && String(e.detail).includes(`"reason":"${reason}"`)) n += 1;
  return n;
}

describe('bad webhook requests get their documented error, change nothing and never crash the server', () => {
  before(async () => {
    h = await startHarness({ configYaml: config });
  });
  after(() => h.stop());

  const body = JSON.stringify(created);

  const cases: Array<{ name: string; send: () => Promise<{ status: number; json: any }>; status: number; code: string; reason?: string }> = [
    { name: 'missing signature', send: () => h.post('/api/webhooks/sentinel', body), status: 401, code: 'ARGUS_BAD_SIGNATURE', reason: 'signature-missing' },
    {
      name: 'forged signature',
      send: () => h.post('/api/webhooks/sentinel', body, { [signatureHeader]: signBody('not-the-secret', body) }),
      status: 401,
      code: 'ARGUS_BAD_SIGNATURE',
      reason: 'signature-mismatch',
    },
    {
      name: 'stale signature (6 minutes old)',
      send: () => h.post('/api/webhooks/sentinel', body, { [signatureHeader]: signBody(webhookSecret, body, Date.now() - 360_000) }),
      status: 401,
      code: 'ARGUS_BAD_SIGNATURE',
      reason: 'signature-stale',
    },
    {
      name: 'signature over a different body',
      send: () => h.post('/api/webhooks/sentinel', body.replace('High', 'Low'), { [signatureHeader]: signBody(webhookSecret, body) }),
      status: 401,
      code: 'ARGUS_BAD_SIGNATURE',
    },
    {
      name: 'invalid JSON',
      send: () => {
        const bad = '{"object": {';
        return h.post('/api/webhooks/sentinel', bad, { [signatureHeader]: signBody(webhookSecret, bad) });
      },
      status: 400,
      code: 'ARGUS_BAD_PAYLOAD',
      reason: 'invalid-json',
    },
    {
      name: 'wrong content type',
      send: () => h.post('/api/webhooks/sentinel', body, { 'content-type': 'text/plain', [signatureHeader]: signBody(webhookSecret, body) }),
      status: 415,
      code: 'ARGUS_UNSUPPORTED_MEDIA_TYPE',
      reason: 'content-type',
    },
    {
      name: 'oversized body',
      send: () => {
        const big = JSON.stringify({ pad: 'x'.repeat(70_000) });
        return h.post('/api/webhooks/sentinel', big, { [signatureHeader]: signBody(webhookSecret, big) });
      },
      status: 413,
      code: 'ARGUS_PAYLOAD_TOO_LARGE',
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const before = await state();
      const res = await c.send();
      assert.equal(res.status, c.status);
      assert.equal(res.json?.error?.code, c.code);
      assert.equal(typeof res.json.error.message, 'string');
      await h.argus.idle();
      assert.deepEqual(await state(), before);
      if (c.reason) assert.ok((await rejected(c.reason)) >= 1, `rejection '${c.reason}' audited`);
      assert.equal((await fetch(`${h.url}/healthz`)).status, 200);
    });
  }

  test('a schema-invalid incident is 400 with the failing paths in details', async () => {
    const broken = structuredClone(created) as any;
    delete broken.object.properties.severity;
    broken.object.properties.incidentNumber = 'forty-two';
    const before = await state();
    const res = await h.signedPost('/api/webhooks/sentinel', broken);
    assert.equal(res.status, 400);
    assert.equal(res.json.error.code, 'ARGUS_BAD_PAYLOAD');
    const paths = (res.json.error.details as Array<{ path: string }>).map((d) => d.path);
    assert.ok(paths.some((p) => p.endsWith('properties.severity')), `details name severity: ${paths.join(', ')}`);
    assert.ok(paths.some((p) => p.endsWith('properties.incidentNumber')), `details name incidentNumber: ${paths.join(', ')}`);
    assert.deepEqual(await state(), before);
    assert.ok((await rejected('schema')) >= 1);
  });

  test('garbage shapes (array, number, null) are rejected the same way', async () => {
    for (const payload of [[], 42, null, { object: null }]) {
      const res = await h.signedPost('/api/webhooks/sentinel', payload);
      assert.equal(res.status, 400, JSON.stringify(payload));
      assert.equal(res.json.error.code, 'ARGUS_BAD_PAYLOAD');
    }
  });

  test('unknown routes are 404 JSON errors; /api/messages refuses non-activities', async () => {
    const res = await h.post('/api/nope', '{}');
    assert.equal(res.status, 404);
    assert.equal(res.json.error.code, 'ARGUS_NOT_FOUND');
    const msg = await h.post('/api/messages', '{"hello":1}');
    assert.equal(msg.status, 400);
    assert.equal(msg.json.error.code, 'ARGUS_BAD_PAYLOAD');
    const notJson = await h.post('/api/messages', 'hi', { 'content-type': 'text/plain' });
    assert.equal(notJson.status, 415);
  });

  test('after all that, a valid webhook is still accepted and processed', async () => {
    const res = await h.signedPost('/api/webhooks/sentinel', created);
    assert.equal(res.status, 202);
    await h.argus.idle();
    assert.equal(await countEntities(h.table(tableNames.incidents)), 1);
    void testUser;
  });

  test('/readyz is 200 with storage up and /metrics counts the webhooks', async () => {
    const ready = await fetch(`${h.url}/readyz`);
    assert.equal(ready.status, 200);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    assert.match(metrics, /argus_webhook_requests_total\{outcome="accepted",source="sentinel"\} 1/);
    assert.match(metrics, /argus_webhook_requests_total\{outcome="signature-mismatch",source="sentinel"\} 2/);
    assert.match(metrics, /^argus_events_queue_depth \d+$/m);
    assert.match(metrics, /^argus_events_oldest_pending_seconds \d+$/m);
    assert.match(metrics, /^argus_events_dead_lettered \d+$/m);
  });
});
