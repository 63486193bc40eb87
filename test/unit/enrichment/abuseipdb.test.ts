import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abuseIpdbOnFake } from './intel-setup';

const reportedIp = '45.155.205.233';

test('a malicious IP: GET /check with ipAddress and maxAgeInDays, headers Key and Accept; the figures and quota kept', async (t) => {
  const { fake, source } = await abuseIpdbOnFake(t);
  fake.set(reportedIp, { abuseConfidenceScore: 100, totalReports: 1532, numDistinctUsers: 318, isTor: false, usageType: 'Data Center/Web Hosting/Transit' });
  const result = await source.lookup({ type: 'ip', value: reportedIp });
  assert.deepEqual(result, {
    source: 'abuseipdb',
    verdict: 'malicious',
    detail: { abuseConfidenceScore: 100, totalReports: 1532, numDistinctUsers: 318, isWhitelisted: false, isTor: false, usageType: 'Data Center/Web Hosting/Transit' },
    quota: { remaining: 999 },
    fetchedAt: '2026-03-02T10:00:00.000Z',
  });
  assert.equal(fake.requests.length, 1);
  const [req] = fake.requests;
  assert.equal(req?.method, 'GET');
  assert.equal(req?.path, '/api/v2/check');
  assert.deepEqual([...(req?.query.entries() ?? [])], [['ipAddress', reportedIp], ['maxAgeInDays', '90']]);
  assert.equal(req?.headers.key, fake.apiKey);
  assert.equal(req?.headers.accept, 'application/json');
});

test('whitelisted is clean, a low score with reports is clean, a middling one suspicious, no report at all unknown', async (t) => {
  const { fake, source } = await abuseIpdbOnFake(t);
  fake.set('8.8.8.8', { abuseConfidenceScore: 0, totalReports: 12, numDistinctUsers: 9, isWhitelisted: true });
  fake.set('81.2.69.160', { abuseConfidenceScore: 3, totalReports: 1, numDistinctUsers: 1 });
  fake.set('81.2.69.161', { abuseConfidenceScore: 40, totalReports: 7, numDistinctUsers: 5, isTor: true });
  const verdicts = [];
  for (const value of ['8.8.8.8', '81.2.69.160', '81.2.69.161', '81.2.69.162']) verdicts.push((await source.lookup({ type: 'ip', value })).verdict);
  assert.deepEqual(verdicts, ['clean', 'clean', 'suspicious', 'unknown']);
});

test('an IPv6 address is sent compressed, as normalised', async (t) => {
  const { fake, source } = await abuseIpdbOnFake(t);
  await source.lookup({ type: 'ip', value: '2A01:04F8:C010:0000:0000:0000:0000:0001' });
  assert.equal(fake.requests[0]?.query.get('ipAddress'), '2a01:4f8:c010::1');
});

test('AbuseIPDB looks up IP addresses only: a domain or hash is skipped without a request', async (t) => {
  const { fake, source } = await abuseIpdbOnFake(t);
  assert.equal(source.supports('domain'), false);
  const result = await source.lookup({ type: 'domain', value: 'malware-drop.xyz' });
  assert.deepEqual([result.verdict, result.reason], ['skipped', 'AbuseIPDB does not look up domain indicators']);
  assert.equal(fake.requests.length, 0);
});

test('a spent daily quota (429): unavailable (throttled) after one request, waiting until the reset', async (t) => {
  const now = Date.parse('2026-03-02T22:00:00Z');
  const { fake, source } = await abuseIpdbOnFake(t, { now: () => now });
  fake.setRemaining(0);
  const result = await source.lookup({ type: 'ip', value: reportedIp });
  assert.equal(fake.requests.length, 1, 'a Retry-After of hours is not waited for in the request');
  assert.equal(result.verdict, 'unavailable');
  assert.equal(result.failure, 'throttled');
  assert.equal(result.retryAfterMs, 2 * 3_600_000);
  assert.deepEqual(result.quota, { remaining: 0, resetsAt: '2026-03-03T00:00:00.000Z' });
});

test('a 429 without Retry-After: the wait comes from X-RateLimit-Reset', async (t) => {
  const now = Date.parse('2026-03-02T23:30:00Z');
  const { fake, source } = await abuseIpdbOnFake(t, { now: () => now });
  const spent = { status: 429, headers: { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.parse('2026-03-03T00:00:00Z') / 1000) } };
  fake.answerNext(spent, spent, spent);
  const result = await source.lookup({ type: 'ip', value: reportedIp });
  assert.deepEqual([result.failure, result.retryAfterMs], ['throttled', 30 * 60_000]);
});

test('a short Retry-After on 429 is honoured and the check answered', async (t) => {
  const { fake, source } = await abuseIpdbOnFake(t);
  fake.set(reportedIp, { abuseConfidenceScore: 88, totalReports: 40, numDistinctUsers: 20 });
  fake.answerNext({ status: 429, retryAfter: '0.3' });
  const started = Date.now();
  const result = await source.lookup({ type: 'ip', value: reportedIp });
  assert.ok(Date.now() - started >= 280, `waited ${Date.now() - started} ms`);
  assert.equal(fake.requests.length, 2);
  assert.equal(result.verdict, 'malicious');
});

test('401 (a wrong key) makes the source unavailable, naming the secret', async (t) => {
  const { fake, source } = await abuseIpdbOnFake(t, { apiKey: 'revoked-key' });
  const result = await source.lookup({ type: 'ip', value: reportedIp });
  assert.equal(fake.requests.length, 1);
  assert.equal(result.verdict, 'unavailable');
  assert.equal(result.failure, 'credentials');
  assert.match(result.reason ?? '', /^AbuseIPDB answered 401 \(Authentication failed\..*abuseipdb-api-key$/);
});

test('422 (an address AbuseIPDB refuses) is a refused request, not a verdict', async (t) => {
  const { fake, source } = await abuseIpdbOnFake(t);
  fake.answerNext({ status: 422, detail: 'The ip address must be a valid IPv4 or IPv6 address.' });
  const result = await source.lookup({ type: 'ip', value: reportedIp });
  assert.deepEqual([result.verdict, result.failure], ['unavailable', 'refused']);
});
