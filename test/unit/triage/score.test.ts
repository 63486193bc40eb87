import assert from 'node:assert/strict';
import { test } from 'node:test';
import { triageSchema } from '../../../src/config/triage-schema';
import { compileAllowList } from '../../../src/triage/allow-list';
import { abuseIpdbProbability, logit, virusTotalProbability, type ScoreResult } from '../../../src/triage/score';
import type { Indicator } from '../../../src/triage/types';
import { abuse, score, thresholds, vt } from './triage-fixtures';

const close = (actual: number | null, expected: number, what: string) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
const ip: Indicator = { type: 'ip', value: '198.51.100.23' };
const hash: Indicator = { type: 'sha256', value: 'a'.repeat(64) };

function assertSumsToLogit(r: ScoreResult) {
  const sum = r.contributions.reduce((s, c) => s + c.logOdds, 0);
  assert.equal(r.logOdds, sum);
  close(logit(r.score), sum, 'logit(score) is the sum of the contributions');
}

test('worked example (docs/triage.md): a malicious IP from both sources scores 0.933, both contributions shown', () => {
  const r = score([{ indicator: ip, sources: [vt(45, 10, 25, 10), abuse(90, 30)] }]);
  const [v, a] = r.contributions;
  close(v?.probability ?? null, 0.55, 'VirusTotal: (45 + 5) / 90 = 0.556, damped by 90/100 → 0.55');
  close(v?.logOdds ?? null, Math.log(11 / 9), 'VirusTotal log-odds 1.0 · ln(0.55/0.45)');
  close(a?.probability ?? null, 21 / 22, 'AbuseIPDB: 1 − 0.1 · 25/55');
  close(a?.logOdds ?? null, 0.8 * Math.log(21), 'AbuseIPDB log-odds 0.8 · ln 21');
  assert.deepEqual([v?.source, v?.weight, a?.source, a?.weight], ['virustotal', 1, 'abuseipdb', 0.8]);
  close(r.score, 0.933160852838272, 'score');
  assert.ok(r.score >= thresholds.escalateAtOrAbove);
  assert.equal(r.verdict, 'malicious');
  assert.equal(v?.note, 'VirusTotal: (45 malicious + ½·10 suspicious) / 90 engines = 0.556, damped by 90/(90+10) toward 0.5 → 0.55');
  assert.equal(a?.note, 'AbuseIPDB: confidence 0.9, 30 distinct reporters raise it by doubt × 25/(25+30) → 0.955');
  assertSumsToLogit(r);
});

test('a clean hash (no engine of 70 flags it) scores 0.0625, below autoCloseBelow', () => {
  const r = score([{ indicator: hash, sources: [vt(0, 0, 0, 70, 'clean')] }]);
  close(r.score, 1 / 16, 'score: 0.5 − 0.5 · 70/80');
  assert.equal(r.verdict, 'clean');
  assertSumsToLogit(r);
});

test('mixed answers land between the thresholds', () => {
  const r = score([{ indicator: ip, sources: [vt(5, 0, 60, 25, 'suspicious'), abuse(75, 25)] }]);
  close(r.contributions[0]?.probability ?? null, 0.1, 'VirusTotal: 0.5 + (5/90 − 0.5) · 0.9');
  close(r.contributions[1]?.probability ?? null, 0.875, 'AbuseIPDB: 1 − 0.25 · 25/50');
  close(logit(r.score), Math.log(1 / 9) + 0.8 * Math.log(7), 'logit(score)');
  close(r.score, 0.34513432298735097, 'score');
  assert.equal(r.verdict, 'suspicious');
  assertSumsToLogit(r);
});

test('few engines answering pull the VirusTotal ratio toward 0.5', () => {
  close(virusTotalProbability({ malicious: 3, suspicious: 0, harmless: 0, undetected: 0 }).probability, 8 / 13, '3 of 3: 0.5 + 0.5 · 3/13');
  close(virusTotalProbability({ malicious: 30, suspicious: 0, harmless: 0, undetected: 0 }).probability, 0.875, '30 of 30: 0.5 + 0.5 · 30/40');
  close(virusTotalProbability({ malicious: 0, suspicious: 4, harmless: 0, undetected: 0 }).probability, 0.5, 'suspicious counts half');
  const none = virusTotalProbability({ malicious: 0, suspicious: 0, harmless: 0, undetected: 0, timeout: 70 });
  assert.equal(none.probability, null, 'timeouts are not answers');
});

test('AbuseIPDB: distinct reporters raise the confidence, whitelisting lowers it', () => {
  const plain = { abuseConfidenceScore: 40, totalReports: 0, numDistinctUsers: 0, isWhitelisted: false };
  close(abuseIpdbProbability(plain).probability, 0.4, 'confidence / 100');
  close(abuseIpdbProbability({ ...plain, numDistinctUsers: 25 }).probability, 0.7, '25 reporters halve the doubt');
  close(abuseIpdbProbability({ ...plain, isWhitelisted: true }).probability, 0.1, 'whitelisted: × 0.25');
  assert.match(abuseIpdbProbability({ ...plain, isWhitelisted: true }).note, /whitelisted/);
  const r = score([{ indicator: ip, sources: [abuse(40, 0, true)] }]);
  close(r.contributions[0]?.logOdds ?? null, 0.8 * Math.log(0.1 / 0.9), 'whitelisted contribution');
});

test('probabilities are clamped to [0.01, 0.99]', () => {
  const r = score([{ indicator: ip, sources: [abuse(100, 0)] }]);
  assert.equal(r.contributions[0]?.probability, 0.99);
  assert.match(r.contributions[0]?.note ?? '', /clamped to 0\.99/);
  assertSumsToLogit(r);
});

test('an allow-listed indicator counts as clean and its lookups are ignored', () => {
  const allow = compileAllowList(triageSchema.parse({ allow: { domains: ['corp.example.com'], ips: ['203.0.113.0/24'] } }).allow);
  const domain: Indicator = { type: 'domain', value: 'Login.Corp.Example.com' };
  const r = score([{ indicator: domain, sources: [vt(60, 0, 20, 10)] }], allow);
  assert.deepEqual(
    r.contributions.map((c) => [c.source, c.probability, c.weight]),
    [['allow-list', 0.01, 1], ['virustotal', null, 0]],
  );
  close(r.score, 0.01, 'score');
  assert.equal(r.indicators[0]?.allowListedBy, 'triage.allow.domains corp.example.com');
  assert.equal(allow({ type: 'ip', value: '203.0.113.9' }), 'triage.allow.ips 203.0.113.0/24');
  assert.equal(allow({ type: 'url', value: 'https://corp.example.com/x' }), 'triage.allow.domains corp.example.com');
  assert.equal(allow({ type: 'domain', value: 'notcorp.example.com' }), undefined, 'a suffix is not a subdomain');
  assertSumsToLogit(r);
});

test('unknown, skipped and unavailable contribute nothing, and say so', () => {
  const r = score([
    { indicator: ip, sources: [{ source: 'virustotal', verdict: 'unknown' }, { source: 'abuseipdb', verdict: 'skipped', reason: 'private address' }] },
    { indicator: hash, sources: [{ source: 'virustotal', verdict: 'unavailable', reason: '401 from the source' }] },
  ]);
  assert.deepEqual(
    r.contributions.map((c) => [c.probability, c.weight, c.logOdds]),
    [[null, 0, 0], [null, 0, 0], [null, 0, 0]],
  );
  assert.deepEqual(r.contributions.map((c) => c.note), ['VirusTotal unknown: contributes nothing', 'AbuseIPDB skipped (private address): contributes nothing', 'VirusTotal unavailable (401 from the source): contributes nothing']);
  assert.deepEqual([r.score, r.evidence, r.verdict], [0.5, 0, 'unknown']);
});

test('contributions of several indicators add up to the logit of the score', () => {
  const r = score([
    { indicator: ip, sources: [vt(45, 10, 25, 10), abuse(90, 30)] },
    { indicator: hash, sources: [vt(0, 0, 0, 70, 'clean')] },
    { indicator: { type: 'md5', value: 'b'.repeat(32) }, sources: [vt(3, 1, 0, 2)] },
  ]);
  assert.equal(r.contributions.length, 4);
  close(r.logOdds, Math.log(11 / 9) + 0.8 * Math.log(21) + Math.log(1 / 15) + logit(0.5 + (3.5 / 6 - 0.5) * (6 / 16)), 'sum');
  assertSumsToLogit(r);
});
