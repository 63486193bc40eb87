import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenCredential } from '@azure/identity';
import { createLogAnalyticsClient, type LogAnalyticsClient } from '../../../src/queries/log-analytics-client';
import { startFakeLogAnalytics, type FakeLogAnalytics } from '../../helpers/fake-log-analytics';
import { mintFakeToken } from '../../helpers/fake-managed-identity';

const scopes: string[] = [];
const credential: TokenCredential = {
  async getToken(scope) {
    const s = Array.isArray(scope) ? scope[0]! : (scope as string);
    scopes.push(s);
    return { token: mintFakeToken(s), expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

async function withFake(fn: (fake: FakeLogAnalytics, client: LogAnalyticsClient) => Promise<void>, scope = 'https://api.loganalytics.io/.default'): Promise<void> {
  const fake = await startFakeLogAnalytics();
  try {
    const client = createLogAnalyticsClient({ settings: { workspaceId: fake.workspaceId, endpoint: fake.endpoint, scope, timeout: 'PT30S' }, credential: () => credential });
    await fn(fake, client);
  } finally {
    await fake.close();
  }
}

const table = { columns: [{ name: 'TimeGenerated', type: 'datetime' }, { name: 'Count', type: 'long' }], rows: [['2024-05-01T10:00:00Z', 3]] };

test('a query is POSTed with its timespan, a Log Analytics token and the server timeout; the PrimaryResult table comes back', async () => {
  await withFake(async (fake, client) => {
    fake.setTable(table);
    const outcome = await client.query({ query: 'let host = "A";\nT\n| take 11', timespan: 'P1D' });
    assert.deepEqual(outcome, { kind: 'ok', table: { name: 'PrimaryResult', ...table } });
    assert.deepEqual(fake.queries(), [{ query: 'let host = "A";\nT\n| take 11', timespan: 'P1D', prefer: 'wait=30' }]);
    assert.equal(fake.requests[0]!.path, `/v1/workspaces/${fake.workspaceId}/query`);
    assert.equal(scopes.at(-1), 'https://api.loganalytics.io/.default');
  });
});

test('a partial error comes back with the rows and the error described, innermost message included', async () => {
  await withFake(async (fake, client) => {
    fake.answerNext({ kind: 'table', table, partial: true });
    const outcome = await client.query({ query: 'T' });
    assert.equal(outcome.kind, 'ok');
    assert.ok(outcome.kind === 'ok' && outcome.partial);
    assert.equal(outcome.partial.code, 'PartialError');
    assert.match(outcome.partial.message, /There were some errors when processing your query\. → EngineError: .* → -2133196797: Query result set has exceeded/);
    assert.equal(outcome.table.rows.length, 1);
  });
});

test('429 with a long Retry-After is reported at once with the wait; a short one is waited for and tried once more', async () => {
  await withFake(async (fake, client) => {
    fake.answerNext({ kind: 'throttled', retryAfterSeconds: 30 });
    const throttled = await client.query({ query: 'T' });
    assert.deepEqual(throttled, { kind: 'throttled', status: 429, retryAfterSeconds: 30, problem: { code: 'ThrottledError', message: 'Your request was throttled: too many queries are running or queued for this user. Retry later.' } });
    assert.equal(fake.queries().length, 1, 'not retried behind the person’s back');

    fake.answerNext({ kind: 'throttled', retryAfterSeconds: 0 }, { kind: 'table', table });
    assert.equal((await client.query({ query: 'T' })).kind, 'ok');
    assert.equal(fake.queries().length, 3);
  });
});

test('fatal errors are described with their status, code and inner messages', async () => {
  await withFake(async (fake, client) => {
    fake.answerNext({ kind: 'error', status: 400, code: 'BadArgumentError', message: 'The request had some invalid properties', inner: { code: 'SyntaxError', message: "Syntax error: Query could not be parsed at 'whre'" } });
    assert.deepEqual(await client.query({ query: 'T | whre x' }), {
      kind: 'failed',
      status: 400,
      problem: { code: 'BadArgumentError', message: "The request had some invalid properties → SyntaxError: Syntax error: Query could not be parsed at 'whre'" },
    });
    fake.answerNext({ kind: 'error', status: 504, code: 'GatewayTimeout', message: 'timeout' });
    assert.deepEqual(await client.query({ query: 'T' }), { kind: 'failed', status: 504, problem: { code: 'GatewayTimeout', message: 'The query ran longer than 30 s and was stopped' } });
  });
  // A token for another audience is refused by the API: said as it is.
  await withFake(async (_fake, client) => {
    const outcome = await client.query({ query: 'T' });
    assert.equal(outcome.kind, 'failed');
    assert.ok(outcome.kind === 'failed' && outcome.status === 403 && outcome.problem.code === 'InvalidAuthenticationTokenAudience');
  }, 'https://management.azure.com/.default');
});

test('an unreachable workspace and a missing token are failures to show, not exceptions', async () => {
  const fake = await startFakeLogAnalytics();
  await fake.close();
  const unreachable = createLogAnalyticsClient({ settings: { workspaceId: fake.workspaceId, endpoint: fake.endpoint, scope: 'x', timeout: 'PT5S' }, credential: () => credential });
  const outcome = await unreachable.query({ query: 'T' });
  assert.equal(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.problem.message : '', /Log Analytics could not be reached \(ECONNREFUSED\)/);

  const noToken = createLogAnalyticsClient({
    settings: { workspaceId: fake.workspaceId, endpoint: fake.endpoint, scope: 'x', timeout: 'PT5S' },
    credential: () => ({ getToken: async () => Promise.reject(new Error('no identity')) }),
  });
  const denied = await noToken.query({ query: 'T' });
  assert.deepEqual(denied, { kind: 'failed', problem: { code: 'ARGUS_DEPENDENCY_UNAVAILABLE', message: 'Could not get an access token for Log Analytics' } });
});
