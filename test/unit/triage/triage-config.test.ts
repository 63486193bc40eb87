import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFileConfig } from '../../../src/config/load-config';
import { isArgusError } from '../../../src/errors/catalog';

function errorPaths(yaml: string): string[] {
  try {
    parseFileConfig(yaml);
  } catch (err) {
    assert.ok(isArgusError(err, 'ARGUS_CONFIG_INVALID'), String(err));
    return err.details.map((d) => d.path ?? '');
  }
  assert.fail(`expected a config error for ${yaml}`);
}

test('triage and llm defaults (ARCHITECTURE §8)', () => {
  const cfg = parseFileConfig('');
  assert.deepEqual(cfg.triage, { thresholds: { autoCloseBelow: 0.2, escalateAtOrAbove: 0.8 }, groupWindow: 'PT1H', allow: { ips: [], domains: [], hashes: [] }, criticalAssets: [], rules: {} });
  assert.deepEqual(cfg.llm, { enabled: false, apiVersion: '2024-10-21' });
});

test('the §8 triage and llm example parses', () => {
  const cfg = parseFileConfig(`
triage:
  conversationId: "19:abc@thread.tacv2"
  thresholds: { autoCloseBelow: 0.1, escalateAtOrAbove: 0.9 }
  groupWindow: PT30M
  allow: { ips: [203.0.113.0/24, "2001:db8::/32", 198.51.100.7], domains: [corp.example.com], hashes: [${'A'.repeat(64)}] }
  criticalAssets: [ "DC*", "FILESRV-02", "*.prod.example.com" ]
  rules: { "5f1e6d3c-0000-4000-8000-000000000001": always-escalate, noisy-rule: auto-close, careful: never-auto-close }
llm: { enabled: true, endpoint: https://contoso.openai.azure.com, deployment: gpt-4o-mini }
`);
  assert.equal(cfg.triage.thresholds.escalateAtOrAbove, 0.9);
  assert.equal(cfg.triage.rules['noisy-rule'], 'auto-close');
  assert.deepEqual(cfg.llm, { enabled: true, endpoint: 'https://contoso.openai.azure.com', deployment: 'gpt-4o-mini', apiVersion: '2024-10-21' });
});

test('errors name the bad triage or llm key', () => {
  assert.deepEqual(errorPaths('triage: { thresholds: { autoCloseBelow: 0.8, escalateAtOrAbove: 0.8 } }'), ['triage.thresholds.autoCloseBelow']);
  assert.deepEqual(errorPaths('triage: { thresholds: { autoCloseBelow: 0.9 } }'), ['triage.thresholds.autoCloseBelow'], 'checked against the default too');
  assert.deepEqual(errorPaths('triage: { thresholds: { escalateAtOrAbove: 1.5 } }'), ['triage.thresholds.escalateAtOrAbove']);
  assert.deepEqual(errorPaths('triage: { groupWindow: 1h }'), ['triage.groupWindow']);
  assert.deepEqual(errorPaths('triage: { groupWindow: PT0S }'), ['triage.groupWindow']);
  assert.deepEqual(errorPaths('triage: { allow: { ips: [10.0.0.0/33] } }'), ['triage.allow.ips[0]']);
  assert.deepEqual(errorPaths('triage: { allow: { domains: [corp.example.com, "bad domain"] } }'), ['triage.allow.domains[1]']);
  assert.deepEqual(errorPaths('triage: { allow: { hashes: [abc123] } }'), ['triage.allow.hashes[0]']);
  assert.deepEqual(errorPaths('triage: { criticalAssets: ["DC 01"] }'), ['triage.criticalAssets[0]']);
  assert.deepEqual(errorPaths('triage: { rules: { r1: escalate } }'), ['triage.rules.r1']);
  assert.deepEqual(errorPaths('triage: { thresholdz: {} }'), ['triage']);
  assert.deepEqual(errorPaths('llm: { enabled: true }').sort(), ['llm.deployment', 'llm.endpoint']);
  assert.deepEqual(errorPaths('llm: { apiVersion: latest }'), ['llm.apiVersion']);
});
