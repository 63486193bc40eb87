import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import type { DetectionAlert } from '../../../src/detections/alert';
import { alertsEndpoint, AlertWebhookSender } from '../../../src/detections/ingest/alert-webhook';
import { verifySignature } from '../../../src/security/signature';
import { sendJson, startTestServer, type TestServer } from '../../helpers/http-server';

const alert: DetectionAlert = {
  id: '0123456789abcdef0123456789abcdef',
  ruleId: 'r1',
  title: 'T',
  level: 'high',
  tags: [],
  detectedAt: new Date().toISOString(),
  source: 'test',
  eventIndex: 0,
  event: { Image: 'x' },
  explanation: { condition: 'sel', logsource: 'test', matchedSelections: ['sel'], unmatchedSelections: [], matches: [] },
};

let answers: { status: number; headers?: Record<string, string> }[] = [];
let server: TestServer;
before(async () => {
  server = await startTestServer((req, res) => {
    const next = answers.shift() ?? { status: 202 };
    const ok = verifySignature(req.headers['x-argus-signature'] as string, Buffer.from(req.body), ['s']).ok;
    sendJson(res, ok ? next.status : 401, { duplicate: next.status === 200 }, next.headers);
  });
});
after(() => server.close());

function sender(extra: Partial<ConstructorParameters<typeof AlertWebhookSender>[0]> = {}) {
  const sleeps: number[] = [];
  const s = new AlertWebhookSender({ url: server.url, secret: 's', random: () => 1, sleep: async (ms) => void sleeps.push(ms), ...extra });
  return { s, sleeps };
}

test('the endpoint is the alerts webhook of the given Argus', () => {
  assert.equal(alertsEndpoint('https://argus.example.com'), 'https://argus.example.com/api/webhooks/alerts');
  assert.equal(alertsEndpoint('https://argus.example.com/base/'), 'https://argus.example.com/base/api/webhooks/alerts');
  assert.equal(alertsEndpoint('http://127.0.0.1:3978/api/webhooks/alerts'), 'http://127.0.0.1:3978/api/webhooks/alerts');
  assert.throws(() => alertsEndpoint('ftp://x'), /http\(s\)/);
});

test('202 is delivered, 200 duplicate is a duplicate', async () => {
  answers = [{ status: 202 }, { status: 200 }];
  const { s } = sender();
  assert.deepEqual(await s.send(alert), { outcome: 'delivered', attempts: 1, httpStatus: 202 });
  assert.deepEqual(await s.send(alert), { outcome: 'duplicate', attempts: 1, httpStatus: 200 });
});

test('429 honours Retry-After, 5xx backs off exponentially, then delivery succeeds', async () => {
  answers = [{ status: 503 }, { status: 502 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 202 }];
  const { s, sleeps } = sender({ baseDelayMs: 100, maxDelayMs: 60_000 });
  const d = await s.send(alert);
  assert.equal(d.outcome, 'delivered');
  assert.equal(d.attempts, 4);
  assert.deepEqual(sleeps, [100, 200, 7000]);
});

test('other 4xx are rejected at once; exhausted retries fail with the last reason', async () => {
  answers = [{ status: 422 }];
  const { s } = sender();
  const rejected = await s.send(alert);
  assert.equal(rejected.outcome, 'rejected');
  assert.equal(rejected.attempts, 1);
  assert.match(rejected.reason ?? '', /^HTTP 422/);

  answers = [{ status: 500 }, { status: 500 }, { status: 500 }];
  const { s: s3, sleeps } = sender({ maxAttempts: 3, baseDelayMs: 10 });
  const failed = await s3.send(alert);
  assert.equal(failed.outcome, 'failed');
  assert.equal(failed.attempts, 3);
  assert.equal(sleeps.length, 2);
});

test('an unreachable Argus is retried, then reported as failed', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const { s, sleeps } = sender({ url: `http://127.0.0.1:${port}`, maxAttempts: 2, baseDelayMs: 1 });
  const d = await s.send(alert);
  assert.equal(d.outcome, 'failed');
  assert.equal(d.attempts, 2);
  assert.equal(sleeps.length, 1);
  assert.match(d.reason ?? '', /fetch failed|ECONNREFUSED/);
});
