import assert from 'node:assert/strict';
import { test } from 'node:test';
import { triageSchema } from '../../../src/config/triage-schema';
import { compileAllowList } from '../../../src/triage/allow-list';
import { criticalAssetMatch, decide, type DecideInput, type MissingSource } from '../../../src/triage/policy';
import type { ScoreResult } from '../../../src/triage/score';
import { abuse, score, vt } from './triage-fixtures';

const config = triageSchema.parse({
  criticalAssets: ['DC*', 'FILESRV-02'],
  allow: { domains: ['corp.example.com'] },
  rules: { 'rule-loud': 'always-escalate', 'rule-noisy': 'auto-close', 'rule-careful': 'never-auto-close' },
});
const ip = { type: 'ip' as const, value: '198.51.100.23' };
const malicious = score([{ indicator: ip, sources: [vt(45, 10, 25, 10), abuse(90, 30)] }]); // 0.933
const clean = score([{ indicator: { type: 'sha256', value: 'a'.repeat(64) }, sources: [vt(0, 0, 0, 70, 'clean')] }]); // 0.0625
const mixed = score([{ indicator: ip, sources: [vt(5, 0, 60, 25, 'suspicious'), abuse(75, 25)] }]); // 0.345
const none = score([]);

function run(s: ScoreResult, alert: Partial<DecideInput['alert']> = {}, missing: MissingSource[] = [], enrichmentConfigured = true) {
  return decide({ alert: { ruleId: 'rule-plain', host: 'ws-17.corp.example.com', ...alert }, score: s, enrichmentConfigured, missing, config });
}

test('the score decides between the thresholds: escalate, auto-close, review', () => {
  const up = run(malicious);
  assert.deepEqual([up.decision, up.reasons], ['escalate', ['score 0.933 is at or above escalateAtOrAbove 0.8']]);
  assert.deepEqual(up.thresholds, { autoCloseBelow: 0.2, escalateAtOrAbove: 0.8 });
  const down = run(clean);
  assert.deepEqual([down.decision, down.reasons], ['auto-close', ['score 0.063 is below autoCloseBelow 0.2']]);
  const middle = run(mixed);
  assert.deepEqual([middle.decision, middle.reasons], ['review', ['score 0.345 is between autoCloseBelow 0.2 and escalateAtOrAbove 0.8']]);
  assert.deepEqual([up.matchedRules, down.matchedRules, middle.matchedRules], [[], [], []]);
});

test('an alert on a critical asset is never auto-closed: it goes to review, saying why', () => {
  for (const host of ['DC01', 'dc01.corp.example.com', 'filesrv-02.corp.example.com']) {
    const d = run(clean, { host });
    assert.equal(d.decision, 'review', host);
    assert.match(d.reasons.at(-1) ?? '', new RegExp(`^host ${host.replace(/\./g, '\\.')} is a critical asset \\((DC\\*|FILESRV-02)\\): never auto-closed, sent to review$`));
    assert.equal(d.matchedRules[0]?.key, 'triage.criticalAssets');
  }
  assert.equal(run(clean, { host: 'dc01', ruleId: 'rule-noisy' }).decision, 'review', 'not even by a per-rule auto-close');
  assert.equal(run(malicious, { host: 'dc01' }).decision, 'escalate', 'escalation is not held back');
  assert.equal(criticalAssetMatch('xdc01', config.criticalAssets), undefined);
  assert.equal(criticalAssetMatch('filesrv-020', config.criticalAssets), undefined);
  assert.equal(criticalAssetMatch(undefined, config.criticalAssets), undefined);
});

test('per-rule actions: always-escalate, auto-close, never-auto-close', () => {
  const loud = run(clean, { ruleId: 'rule-loud' });
  assert.deepEqual([loud.decision, loud.reasons], ['escalate', ['rule rule-loud is set to always-escalate']]);
  assert.deepEqual(loud.matchedRules, [{ key: 'triage.rules.rule-loud', value: 'always-escalate' }]);
  const noisy = run(mixed, { ruleId: 'rule-noisy' });
  assert.deepEqual([noisy.decision, noisy.reasons], ['auto-close', ['rule rule-noisy is set to auto-close']]);
  assert.equal(run(malicious, { ruleId: 'rule-noisy' }).decision, 'escalate', 'a score at or above escalateAtOrAbove still escalates');
  const careful = run(clean, { ruleId: 'rule-careful' });
  assert.deepEqual(
    [careful.decision, careful.reasons],
    ['review', ['score 0.063 is below autoCloseBelow 0.2', 'rule rule-careful is set to never-auto-close: sent to review']],
  );
  assert.equal(run(mixed, { ruleId: 'constructor' }).decision, 'review', 'only configured rule ids have actions');
});

test('every indicator allow-listed auto-closes; one allow-listed among others does not decide alone', () => {
  const allow = compileAllowList(config.allow);
  const both = score([{ indicator: { type: 'domain', value: 'corp.example.com' }, sources: [] }, { indicator: { type: 'url', value: 'https://www.corp.example.com/a' }, sources: [] }], allow);
  const d = run(both);
  assert.deepEqual([d.decision, d.reasons], ['auto-close', ['every indicator is allow-listed']]);
  assert.equal(d.matchedRules.length, 2);
  const partly = score([{ indicator: { type: 'domain', value: 'corp.example.com' }, sources: [] }, { indicator: ip, sources: [abuse(100, 50)] }], allow);
  assert.equal(run(partly).decision, 'review');
});

test('missing sources are named in the reasons; the alert is decided without them', () => {
  const vtOnly = score([{ indicator: ip, sources: [vt(45, 10, 25, 10)] }]);
  const d = run(vtOnly, {}, [{ source: 'abuseipdb', why: 'past-max-wait', maxWait: 'PT10M' }]);
  assert.deepEqual(d.reasons, ['AbuseIPDB was missing: its lookup waited longer than maxWait (PT10M); decided without it', 'score 0.55 is between autoCloseBelow 0.2 and escalateAtOrAbove 0.8']);
  const unavailable = run(clean, {}, [{ source: 'abuseipdb', why: 'unavailable', detail: '401 from the source' }]);
  assert.deepEqual(unavailable.reasons, ['AbuseIPDB was missing: unavailable (401 from the source); decided without it', 'score 0.063 is below autoCloseBelow 0.2']);
  assert.equal(unavailable.decision, 'auto-close');
  assert.equal(run(clean, {}, [{ source: 'virustotal', why: 'not-configured' }]).reasons[0], 'VirusTotal is not configured; decided without it');
});

test('without enrichment or indicators the alert is decided from policy alone, and says so', () => {
  const bare = run(none, {}, [], false);
  assert.deepEqual(bare, {
    decision: 'review',
    reasons: ['no enrichment is configured: no indicator was looked up', 'the alert has no indicators: decided from policy alone', 'neither the score nor a policy rule decides: sent to review'],
    matchedRules: [],
    thresholds: config.thresholds,
  });
  assert.equal(run(none, { ruleId: 'rule-noisy' }).decision, 'auto-close');
  assert.equal(run(none, { ruleId: 'rule-loud' }).decision, 'escalate');
  const silent = score([{ indicator: ip, sources: [{ source: 'virustotal', verdict: 'unknown' }] }]);
  const d = run(silent);
  assert.deepEqual([d.decision, d.reasons[0]], ['review', "no source gave evidence on the alert's 1 indicator(s): decided from policy alone"]);
  const lenient = decide({ alert: { ruleId: 'r' }, score: none, enrichmentConfigured: true, missing: [], config: { ...config, thresholds: { autoCloseBelow: 0.6, escalateAtOrAbove: 0.9 } } });
  assert.equal(lenient.decision, 'review', 'the prior 0.5 is not evidence: it never auto-closes');
  const eager = decide({ alert: { ruleId: 'r' }, score: none, enrichmentConfigured: true, missing: [], config: { ...config, thresholds: { autoCloseBelow: 0.1, escalateAtOrAbove: 0.5 } } });
  assert.equal(eager.decision, 'review', 'nor does it escalate');
});
