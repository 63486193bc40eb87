import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { DetectionEngine } from '../../../src/detections/engine';
import { splitJsonEvents } from '../../../src/detections/json-stream';
import { parseRuleFile } from '../../../src/detections/rule-parser';
import type { SigmaRule } from '../../../src/detections/sigma-rule';

/**
 * SigmaHQ's own rules with the events their authors recorded (read from ../shared at run time,
 * never copied here): every rule must fire on its events at least `match_count` times.
 */
const casesDir = resolve(__dirname, '../../../../shared/sigma/cases');

interface Case {
  name: string;
  rule: SigmaRule;
  required: number;
  events: Record<string, unknown>[];
}

function loadCases(): Case[] {
  return readdirSync(casesDir)
    .filter((name) => existsSync(join(casesDir, name, 'rule.yml')))
    .sort()
    .map((name) => {
      const dir = join(casesDir, name);
      const parsed = parseRuleFile(readFileSync(join(dir, 'rule.yml'), 'utf8'), `${name}/rule.yml`);
      if (parsed.failures.length) throw parsed.failures[0]?.error;
      const info = parse(readFileSync(join(dir, 'info.yml'), 'utf8')) as { regression_tests_info?: { match_count?: number }[] };
      const tests = info.regression_tests_info ?? [{}];
      const required = tests.reduce((sum, t) => sum + (t.match_count ?? 1), 0);
      const events: Record<string, unknown>[] = [];
      for (const file of readdirSync(dir).filter((f) => /^events(-\d+)?\.json$/.test(f))) {
        for (const item of splitJsonEvents(readFileSync(join(dir, file), 'utf8'))) {
          if (item.kind === 'error') throw new Error(`${name}/${file} line ${item.line}: ${item.message}`);
          events.push(item.value);
        }
      }
      return { name, rule: parsed.rules[0] as SigmaRule, required, events };
    });
}

const cases = existsSync(casesDir) ? loadCases() : [];

test('the shared SigmaHQ cases are present', () => {
  assert.ok(cases.length >= 90, `expected the SigmaHQ cases under ${casesDir}`);
});

for (const c of cases) {
  test(`SigmaHQ case ${c.name}`, () => {
    const engine = new DetectionEngine([c.rule]);
    assert.deepEqual(engine.warnings, [], 'the rule has a logsource mapping');
    const matches = c.events.flatMap((e) => engine.evaluate(e).matches);
    assert.ok(matches.length >= c.required, `${matches.length} matches on ${c.events.length} events, expected at least ${c.required}`);
    for (const m of matches) assert.ok(m.explanation.matchedSelections.length > 0);
  });
}

test('cross-firing: every rule over every other case’s events', (t) => {
  const engine = new DetectionEngine(cases.map((c) => c.rule));
  const firedOn = new Map<string, Set<string>>();
  for (const c of cases) {
    for (const event of c.events) {
      for (const m of engine.evaluate(event).matches) {
        if (m.rule === c.rule) continue;
        const set = firedOn.get(m.rule.source) ?? new Set<string>();
        set.add(c.name);
        firedOn.set(m.rule.source, set);
      }
    }
  }
  const others = cases.length - 1;
  const lines = [...firedOn].sort((a, b) => b[1].size - a[1].size).map(([rule, on]) => `${rule} fires on ${on.size}/${others} other cases: ${[...on].join(', ')}`);
  t.diagnostic(`${firedOn.size} of ${cases.length} rules fire on other cases' events`);
  for (const line of lines) t.diagnostic(line);
  // A rule that fires on most unrelated recordings has been compiled too loosely.
  for (const [rule, on] of firedOn) assert.ok(on.size <= others / 4, `${rule} fires on ${on.size} of ${others} other cases`);
});
