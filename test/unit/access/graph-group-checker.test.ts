import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGraphGroupChecker, retryAfterSeconds, type GraphGroupCheckerOptions } from '../../../src/access/graph-group-checker';
import { isArgusError } from '../../../src/errors/catalog';
import { startGraphTestbed, type GraphTestbed } from '../../helpers/fake-graph';
import { startTestServer } from '../../helpers/http-server';

const user = '0a0a0a0a-0000-4000-8000-000000000001';
const nested = '0b0b0b0b-0000-4000-8000-000000000002';
const outer = '0c0c0c0c-0000-4000-8000-000000000003';
const other = '0d0d0d0d-0000-4000-8000-000000000004';

let testbed: GraphTestbed;
before(async () => {
  testbed = await startGraphTestbed({ users: [user], groups: { [outer]: [nested], [nested]: [user], [other]: [] } });
});
after(() => testbed.close());

function checker(options: Partial<GraphGroupCheckerOptions> = {}) {
  return createGraphGroupChecker({ endpoint: testbed.graph.endpoint, credential: testbed.credential, ...options });
}

test('answers transitive membership among the asked ids, in the caller spelling', async () => {
  const groups = await checker().checkMemberGroups(user, [outer.toUpperCase(), other, nested, nested]);
  assert.deepEqual(groups, [outer.toUpperCase(), nested]);
  const last = testbed.graph.checks().at(-1);
  assert.deepEqual(last?.groupIds, [outer, other, nested], 'duplicates are asked once');
});

test('no group ids: no request; a non-GUID user id never reaches the URL', async () => {
  const before = testbed.graph.attempts().length;
  assert.deepEqual(await checker().checkMemberGroups(user, []), []);
  await assert.rejects(checker().checkMemberGroups('../../me', [outer]), (err: unknown) => isArgusError(err, 'ARGUS_BAD_REQUEST'));
  assert.equal(testbed.graph.attempts().length, before);
});

test('Graph 404 for the user is ARGUS_NOT_FOUND', async () => {
  await assert.rejects(checker().checkMemberGroups('0e0e0e0e-0000-4000-8000-000000000009', [outer]), (err: unknown) =>
    isArgusError(err, 'ARGUS_NOT_FOUND'),
  );
});

test('a 429 with a short Retry-After is waited out and retried', async () => {
  testbed.graph.failNext(1, 429, 1);
  const before = testbed.graph.attempts().length;
  const started = Date.now();
  assert.deepEqual(await checker().checkMemberGroups(user, [nested]), [nested]);
  assert.equal(testbed.graph.attempts().length - before, 2);
  assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
});

test('a Retry-After beyond the budget fails at once instead of holding the click', async () => {
  testbed.graph.failNext(1, 429, 120);
  const before = testbed.graph.attempts().length;
  const started = Date.now();
  await assert.rejects(checker().checkMemberGroups(user, [nested]), (err: unknown) => {
    assert.ok(isArgusError(err, 'ARGUS_DEPENDENCY_FAILED'));
    assert.match(err.message, /HTTP 429 TooManyRequests/);
    return true;
  });
  assert.equal(testbed.graph.attempts().length - before, 1);
  assert.ok(Date.now() - started < 1_000);
});

test('the token must be for Graph: another scope is refused by Graph', async () => {
  await assert.rejects(checker({ scope: 'https://management.azure.com/.default' }).checkMemberGroups(user, [nested]), (err: unknown) => {
    assert.ok(isArgusError(err, 'ARGUS_DEPENDENCY_FAILED'));
    assert.match(err.message, /HTTP 401/);
    return true;
  });
});

test('an unreachable endpoint is ARGUS_DEPENDENCY_FAILED naming the network error', async () => {
  const closed = await startTestServer(() => undefined);
  await closed.close();
  await assert.rejects(checker({ endpoint: closed.url.replace('http:', 'https:'), retry: { maxRetries: 0 } }).checkMemberGroups(user, [nested]), (err: unknown) => {
    assert.ok(isArgusError(err, 'ARGUS_DEPENDENCY_FAILED'));
    assert.match(err.message, /ECONNREFUSED/);
    return true;
  });
});

test('a Graph that does not answer is given up on after timeoutMs', async () => {
  testbed.graph.stallNext(1);
  const started = Date.now();
  await assert.rejects(checker({ timeoutMs: 200 }).checkMemberGroups(user, [nested]), (err: unknown) => {
    assert.ok(isArgusError(err, 'ARGUS_DEPENDENCY_FAILED'));
    assert.match(err.message, /no answer within 200 ms/);
    return true;
  });
  assert.ok(Date.now() - started < 1_500);
});

test('graph.endpoint must be an https origin', () => {
  for (const endpoint of ['http://127.0.0.1:8080', 'https://graph.microsoft.com/v1.0', 'graph.microsoft.com'])
    assert.throws(() => checker({ endpoint }), (err: unknown) => isArgusError(err, 'ARGUS_CONFIG_INVALID'), endpoint);
});

test('the fake refuses more than 20 ids, as Graph does, so batching is really exercised', async () => {
  const token = await testbed.credential.getToken('https://graph.microsoft.com/.default');
  const groupIds = Array.from({ length: 21 }, (_, i) => `0f0f0f0f-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const res = await fetch(`${testbed.graph.endpoint}/v1.0/users/${user}/checkMemberGroups`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token?.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ groupIds }),
  });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'Request_BadRequest');
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(retryAfterSeconds('7', now), 7);
  assert.equal(retryAfterSeconds('Wed, 01 Jan 2025 00:00:30 GMT', now), 30);
  assert.equal(retryAfterSeconds(null, now), undefined);
  assert.equal(retryAfterSeconds('soon', now), undefined);
});
