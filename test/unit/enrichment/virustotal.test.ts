import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseUrl } from '../../../src/enrichment/indicators';
import { virusTotalUrlId } from '../../../src/enrichment/virustotal';
import { virusTotalOnFake } from './intel-setup';

const maliciousIp = '185.220.101.47';
const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856';

test('a malicious IP: GET /ip_addresses/{ip} with x-apikey, the engine counts, reputation and analysis date kept', async (t) => {
  const { fake, source } = await virusTotalOnFake(t);
  fake.set('ip_addresses', maliciousIp, { malicious: 14, suspicious: 2, harmless: 55, undetected: 23, reputation: -31, lastAnalysisDate: 1_772_400_000 });
  const result = await source.lookup({ type: 'ip', value: maliciousIp });
  assert.deepEqual(result, {
    source: 'virustotal',
    verdict: 'malicious',
    detail: { lastAnalysisStats: { malicious: 14, suspicious: 2, harmless: 55, undetected: 23, timeout: 0 }, reputation: -31, lastAnalysisDate: '2026-03-01T21:20:00.000Z' },
    fetchedAt: '2026-03-02T10:00:00.000Z',
  });
  assert.equal(fake.requests.length, 1);
  const [req] = fake.requests;
  assert.equal(req?.method, 'GET');
  assert.equal(req?.path, `/api/v3/ip_addresses/${maliciousIp}`);
  assert.equal(req?.headers['x-apikey'], fake.apiKey);
  assert.equal(req?.headers.authorization, undefined, 'the key travels in x-apikey only');
});

test('a clean file hash is looked up by /files/{hash}; one or two flags are suspicious, three malicious', async (t) => {
  const { fake, source } = await virusTotalOnFake(t);
  fake.set('files', sha256, { harmless: 0, undetected: 71, lastAnalysisDate: 1_772_000_000 });
  const clean = await source.lookup({ type: 'sha256', value: sha256 });
  assert.equal(clean.verdict, 'clean');
  assert.equal(fake.requests[0]?.path, `/api/v3/files/${sha256}`);

  const md5 = '4fcfe1d61e6d962f06ce2b61fc11bc0f';
  fake.set('files', md5, { malicious: 2, undetected: 60, lastAnalysisDate: 1_772_000_000 });
  assert.equal((await source.lookup({ type: 'md5', value: md5 })).verdict, 'suspicious');
  fake.set('files', md5, { malicious: 3, undetected: 60, lastAnalysisDate: 1_772_000_000 });
  assert.equal((await source.lookup({ type: 'md5', value: md5 })).verdict, 'malicious');
});

test('a URL is asked for by its unpadded base64url id', async (t) => {
  const { fake, source } = await virusTotalOnFake(t);
  const url = 'https://dl.malware-drop.xyz/a/b?x=~~~&y=??1';
  assert.deepEqual(normaliseUrl(url), { ok: true, value: url });
  // Plain base64 of this URL has '+', '/' and '=' padding: the id must have none of them.
  assert.match(Buffer.from(url).toString('base64'), /[+/].*==$/);
  const id = 'aHR0cHM6Ly9kbC5tYWx3YXJlLWRyb3AueHl6L2EvYj94PX5-fiZ5PT8_MQ';
  assert.equal(virusTotalUrlId(url), id);
  fake.set('urls', url, { malicious: 5, harmless: 60, undetected: 20, lastAnalysisDate: 1_772_000_000 });
  const result = await source.lookup({ type: 'url', value: url });
  assert.equal(fake.requests[0]?.path, `/api/v3/urls/${id}`);
  assert.equal(result.verdict, 'malicious');
});

test('a domain goes to /domains/{domain}; an object with no analysis yet is unknown', async (t) => {
  const { fake, source } = await virusTotalOnFake(t);
  fake.set('domains', 'fresh-domain.top', { reputation: 0 });
  const result = await source.lookup({ type: 'domain', value: 'fresh-domain.top' });
  assert.equal(fake.requests[0]?.path, '/api/v3/domains/fresh-domain.top');
  assert.equal(result.verdict, 'unknown');
  assert.equal(result.detail, undefined);
});

test('404 NotFoundError is unknown, not clean', async (t) => {
  const { fake, source } = await virusTotalOnFake(t);
  const result = await source.lookup({ type: 'sha256', value: sha256 });
  assert.equal(fake.requests.length, 1);
  assert.equal(result.verdict, 'unknown');
  assert.equal(result.reason, 'VirusTotal has no record of it');
  assert.equal(result.failure, undefined);
});

test('429 QuotaExceededError: the Retry-After is waited for, then the answer is read', async (t) => {
  const { fake, source, logs } = await virusTotalOnFake(t);
  fake.set('ip_addresses', maliciousIp, { malicious: 9, harmless: 60, lastAnalysisDate: 1_772_000_000 });
  fake.answerNext({ status: 429, retryAfter: '0.3' });
  const started = Date.now();
  const result = await source.lookup({ type: 'ip', value: maliciousIp });
  assert.ok(Date.now() - started >= 280, `waited ${Date.now() - started} ms`);
  assert.equal(fake.requests.length, 2);
  assert.equal(result.verdict, 'malicious');
  assert.ok(logs.some((l) => l.status === 429), 'the retry is logged');
  assert.ok(!JSON.stringify(logs).includes(fake.apiKey), 'the API key is never logged');
});

test('429 with a Retry-After beyond the retry budget: unavailable (throttled) at once, with the wait for the scheduler', async (t) => {
  const { fake, source } = await virusTotalOnFake(t);
  fake.answerNext({ status: 429, retryAfter: '3600' });
  const result = await source.lookup({ type: 'ip', value: maliciousIp });
  assert.equal(fake.requests.length, 1);
  assert.equal(result.verdict, 'unavailable');
  assert.equal(result.failure, 'throttled');
  assert.equal(result.retryAfterMs, 3_600_000);
});

test('401 WrongCredentialsError and 403 make the source unavailable, naming the secret and never the key', async (t) => {
  const { fake, source } = await virusTotalOnFake(t, { apiKey: 'not-the-right-key' });
  const result = await source.lookup({ type: 'ip', value: maliciousIp });
  assert.equal(fake.requests.length, 1, 'a refused key is not retried');
  assert.equal(fake.requests[0]?.headers['x-apikey'], 'not-the-right-key');
  assert.equal(result.verdict, 'unavailable');
  assert.equal(result.failure, 'credentials');
  assert.match(result.reason ?? '', /401 \(WrongCredentialsError: Wrong API key\).*virustotal-api-key/);
  assert.ok(!result.reason?.includes('not-the-right-key'));

  fake.answerNext({ status: 403, message: 'You are not allowed to perform the requested operation' });
  assert.equal((await source.lookup({ type: 'ip', value: maliciousIp })).failure, 'credentials');
});

test('without the secret nothing is sent: unavailable, saying which secret is missing', async (t) => {
  const { fake, source } = await virusTotalOnFake(t, { apiKey: null });
  const result = await source.lookup({ type: 'ip', value: maliciousIp });
  assert.equal(fake.requests.length, 0);
  assert.deepEqual([result.verdict, result.failure, result.reason], ['unavailable', 'credentials', 'the secret virustotal-api-key is not set']);
});

test('a failing VirusTotal (5xx after the retries) is an outage, not a verdict', async (t) => {
  const { fake, source } = await virusTotalOnFake(t);
  fake.answerNext({ status: 503 }, { status: 503 }, { status: 503 });
  const result = await source.lookup({ type: 'ip', value: maliciousIp });
  assert.equal(fake.requests.length, 3);
  assert.deepEqual([result.verdict, result.failure], ['unavailable', 'outage']);
});
