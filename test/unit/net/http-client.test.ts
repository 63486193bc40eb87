import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test, type TestContext } from 'node:test';
import { ArgusError, isArgusError } from '../../../src/errors/catalog';
import { createHttpClient, type HttpClientOptions, type NetworkFailure, type RetryNotice, type StatusFailure } from '../../../src/net/http-client';
import { sendJson, startTestServer, type RecordedRequest } from '../../helpers/http-server';

/** Fake timings: backoff of a few milliseconds, so retries cost nothing. */
const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4, maxRetryAfterMs: 5_000 };

/** A peer answering from a script, one entry per request (the last one repeats). */
async function peer(t: TestContext, script: Array<(req: RecordedRequest, res: ServerResponse) => void>) {
  const times: number[] = [];
  const server = await startTestServer((req, res) => {
    times.push(Date.now());
    const step = script[Math.min(times.length, script.length) - 1];
    step?.(req, res);
  });
  t.after(() => server.close());
  return { server, times };
}

function client(baseUrl: string, extra: Partial<HttpClientOptions> = {}) {
  const notices: RetryNotice[] = [];
  const http = createHttpClient({ peer: 'testpeer', baseUrl, retry: fast, onRetry: (n) => void notices.push(n), ...extra });
  return { http, notices };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return assert.fail('expected the call to fail');
}

const answer = (status: number, headers: Record<string, string> = {}) => (_: RecordedRequest, res: ServerResponse) => sendJson(res, status, { status }, headers);

test('a 429 waits the Retry-After seconds before the next attempt, even with a tiny backoff', async (t) => {
  const { server, times } = await peer(t, [answer(429, { 'retry-after': '0.3' }), answer(200)]);
  const { http, notices } = client(server.url);
  const res = await http({ method: 'GET', url: '/items' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.data, { status: 200 });
  assert.equal(server.requests.length, 2);
  assert.equal(notices[0]?.delayMs, 300);
  assert.ok((times[1] ?? 0) - (times[0] ?? 0) >= 280, `waited ${(times[1] ?? 0) - (times[0] ?? 0)} ms`);
});

test('a Retry-After given as an HTTP date is honoured; one beyond maxRetryAfterMs fails at once', async (t) => {
  const soon = new Date(Date.now() + 1_500).toUTCString(); // whole seconds: 0.5–1.5 s from now
  const { server, times } = await peer(t, [answer(429, { 'retry-after': soon }), answer(204)]);
  const { http } = client(server.url);
  assert.equal((await http({ method: 'GET', url: '/a' })).status, 204);
  assert.ok((times[1] ?? 0) - (times[0] ?? 0) >= 400, 'waited for the date');

  const later = new Date(Date.now() + 3_600_000).toUTCString();
  const slow = await peer(t, [answer(429, { 'retry-after': later })]);
  const { http: http2, notices } = client(slow.server.url);
  const err = await failure(http2({ method: 'GET', url: '/b' }));
  assert.ok(isArgusError(err, 'ARGUS_DEPENDENCY_UNAVAILABLE'));
  assert.equal(err.message, 'testpeer answered 429 after 1 attempt(s)');
  assert.equal(slow.server.requests.length, 1);
  assert.equal(notices.length, 0);
});

test('5xx answers are retried with backoff until one succeeds; auth headers come from the callback on every attempt', async (t) => {
  const { server } = await peer(t, [answer(503), answer(502), answer(200)]);
  let calls = 0;
  const { http, notices } = client(server.url, { authorization: async () => `Bearer token-${++calls}`, headers: { accept: 'application/json' } });
  const res = await http({ method: 'PUT', url: '/items/1?x=1', query: { y: 2, z: undefined }, body: { a: 1 } });
  assert.equal(res.status, 200);
  assert.deepEqual(
    server.requests.map((r) => [r.method, r.path, r.query.toString(), r.headers.authorization, r.headers['content-type'], r.json]),
    [1, 2, 3].map((n) => ['PUT', '/items/1', 'x=1&y=2', `Bearer token-${n}`, 'application/json', { a: 1 }]),
  );
  assert.deepEqual(notices.map((n) => [n.attempt, n.response?.status]), [[1, 503], [2, 502]]);
  for (const n of notices) assert.ok(n.delayMs >= 0.5 && n.delayMs <= 4, `equal jitter within the cap: ${n.delayMs}`);
});

test('exhausting the attempts throws the default ARGUS_DEPENDENCY_UNAVAILABLE, or what the caller maps it to', async (t) => {
  const { server } = await peer(t, [answer(500)]);
  const err = await failure(client(server.url).http({ method: 'GET', url: '/' }));
  assert.ok(isArgusError(err, 'ARGUS_DEPENDENCY_UNAVAILABLE'));
  assert.equal(err.message, 'testpeer answered 500 after 3 attempt(s)');
  assert.equal(server.requests.length, 3);

  const seen: StatusFailure[] = [];
  const mapped = client(server.url, {
    retry: { ...fast, attempts: 2 },
    errors: { exhausted: (f) => (seen.push(f), new ArgusError('ARGUS_DEPENDENCY_FAILED', `mapped ${f.response.status}`)) },
  });
  const err2 = await failure(mapped.http({ method: 'GET', url: '/' }));
  assert.ok(isArgusError(err2, 'ARGUS_DEPENDENCY_FAILED'));
  assert.equal(err2.message, 'mapped 500');
  assert.deepEqual(seen.map((f) => [f.attempt, f.stop, f.retryAfterMs, f.call.url]), [[2, 'attempts', undefined, '/']]);
  assert.equal(server.requests.length, 5);
});

test('the total-wait cap ends the retries before a wait that would pass it', async (t) => {
  const { server } = await peer(t, [answer(503, { 'retry-after': '0.2' }), answer(200)]);
  const seen: StatusFailure[] = [];
  const { http } = client(server.url, {
    retry: { ...fast, attempts: 5, maxTotalWaitMs: 100 },
    retryAfterOn5xx: true,
    errors: { exhausted: (f) => (seen.push(f), new Error('gave up')) },
  });
  await assert.rejects(http({ method: 'GET', url: '/' }), /gave up/);
  assert.deepEqual(seen.map((f) => [f.stop, f.retryAfterMs]), [['wait-budget', 200]]);
  assert.equal(server.requests.length, 1);
});

test('a timeout counts as a network failure: retried for an idempotent call, then mapped to unreachable', async (t) => {
  const { server } = await peer(t, [(_, res) => void setTimeout(() => sendJson(res, 200, {}), 400)]);
  const seen: NetworkFailure[] = [];
  const { http, notices } = client(server.url, {
    timeoutMs: 50,
    retry: { ...fast, attempts: 2 },
    errors: { unreachable: (f) => (seen.push(f), new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', `down (${f.code})`)) },
  });
  const err = await failure(http({ method: 'GET', url: '/slow' }));
  assert.ok(isArgusError(err, 'ARGUS_DEPENDENCY_UNAVAILABLE'));
  assert.equal(err.message, 'down (ECONNABORTED)');
  assert.equal(server.requests.length, 2);
  assert.deepEqual(notices.map((n) => [n.attempt, n.code]), [[1, 'ECONNABORTED']]);
  assert.deepEqual(seen.map((f) => [f.attempt, f.code]), [[2, 'ECONNABORTED']]);
});

test('a POST that must not run twice is not retried after a 5xx or a timeout, only after a 429', async (t) => {
  const { server } = await peer(t, [answer(503)]);
  const { http, notices } = client(server.url);
  const res = await http({ method: 'POST', url: '/tickets', body: { a: 1 } });
  assert.equal(res.status, 503, 'the answer goes back to the caller');
  assert.equal(server.requests.length, 1);

  const slow = await peer(t, [(_, res2) => void setTimeout(() => sendJson(res2, 201, {}), 400)]);
  const err = await failure(client(slow.server.url, { timeoutMs: 50 }).http({ method: 'POST', url: '/tickets', body: {} }));
  assert.ok(isArgusError(err, 'ARGUS_DEPENDENCY_UNAVAILABLE'));
  assert.equal(slow.server.requests.length, 1);

  const throttled = await peer(t, [answer(429, { 'retry-after': '0' }), answer(201)]);
  assert.equal((await client(throttled.server.url).http({ method: 'POST', url: '/tickets', body: {} })).status, 201);
  assert.equal(throttled.server.requests.length, 2);
  assert.equal(notices.length, 0);
});

test('a refused connection is retried even for a POST (the request never left)', async (t) => {
  const gone = await startTestServer(() => undefined);
  await gone.close();
  const { http, notices } = client(gone.url);
  const err = await failure(http({ method: 'POST', url: '/tickets', body: {} }));
  assert.ok(isArgusError(err, 'ARGUS_DEPENDENCY_UNAVAILABLE'));
  assert.equal(err.message, 'testpeer could not be reached (ECONNREFUSED)');
  assert.deepEqual(notices.map((n) => n.code), ['ECONNREFUSED', 'ECONNREFUSED']);
});

test('after a 401 the authorization is refreshed once, without counting an attempt', async (t) => {
  const { server } = await peer(t, [answer(401), answer(200)]);
  const asked: boolean[] = [];
  const { http } = client(server.url, {
    retry: { ...fast, attempts: 1 },
    refreshOn401: true,
    authorization: async ({ refresh }) => (asked.push(refresh), refresh ? 'fresh' : 'stale'),
  });
  assert.equal((await http({ method: 'GET', url: '/' })).status, 200);
  assert.deepEqual(asked, [false, true]);
  assert.deepEqual(server.requests.map((r) => r.headers.authorization), ['stale', 'fresh']);

  const anonymous = await peer(t, [answer(401)]);
  const { http: http2 } = client(anonymous.server.url, { refreshOn401: true, authorization: async () => 'x' });
  assert.equal((await http2({ method: 'GET', url: '/', anonymous: true })).status, 401);
  assert.equal(anonymous.server.requests[0]?.headers.authorization, undefined);
});
