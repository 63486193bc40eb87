import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionEngine } from '../../../src/detections/engine';
import { loadSigmaCases, sigmaCasesDir } from './sigma-fixtures';

/**
 * SigmaHQ's own rules with the events their authors recorded (read from ../shared at run time,
 * never copied here): every rule must fire on its events at least `match_count` times.
 */
const cases = loadSigmaCases();

test('the shared SigmaHQ cases are present', () => {
  assert.ok(cases.length >= 90, `expected the SigmaHQ cases under ${sigmaCasesDir}`);
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
