import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionEngine } from '../../../../src/detections/engine';
import { convertRule } from '../../../../src/detections/kql/rule-to-kql';
import type { SigmaRule } from '../../../../src/detections/sigma-rule';
import { toDefenderXdrRow } from '../../../helpers/defender-xdr-rows';
import { compileKql } from '../../../helpers/kql-subset';
import { loadSigmaCases } from '../sigma-fixtures';

/**
 * The SigmaHQ cases (../shared/sigma) on Defender XDR: every rule converts or names what does not,
 * and each query, run by an interpreter written apart from the converter over the recorded events
 * as XDR would hold them, selects exactly the events the in-process engine matches.
 */
const cases = loadSigmaCases();

/** Every recorded event, also with its data upper- and lower-cased (case rules must agree). */
function variants(event: Record<string, unknown>): Record<string, unknown>[] {
  const root = (event as { Event?: { EventData?: Record<string, unknown> } }).Event;
  if (!root?.EventData) return [event];
  const recase = (fn: (s: string) => string) => ({
    ...event,
    Event: { ...root, EventData: Object.fromEntries(Object.entries(root.EventData ?? {}).map(([k, v]) => [k, typeof v === 'string' ? fn(v) : v])) },
  });
  return [event, recase((s) => s.toUpperCase()), recase((s) => s.toLowerCase())];
}

const pool = cases.flatMap((c) => c.events.flatMap(variants).map((raw) => ({ from: c.name, raw, xdr: toDefenderXdrRow(raw) })));

/** Events the rule's logsource admits in the in-process engine (whatever its detection says). */
function admits(rule: SigmaRule): DetectionEngine {
  return new DetectionEngine([{ ...rule, detection: { any: { 'Channel|exists': true } }, conditions: ['any'] }]);
}

test('every SigmaHQ rule converts for defender-xdr or names the construct that does not', () => {
  let converted = 0;
  for (const c of cases) {
    const { result } = convertRule(c.rule, 'defender-xdr');
    if (result.query) {
      converted += 1;
      assert.equal(result.unsupported, undefined, c.name);
      assert.match(result.query, new RegExp(`^${result.table}\\n(\\| (where|extend) .+\\n?)+$`), c.name);
    } else {
      // Names a field, modifier, logsource or regex construct, with where it sits in the rule.
      assert.match(result.unsupported ?? '', /(field '\w+'|logsource .+ has no table|Hashes|regular expression|keyword|modifier|fieldref)/, `${c.name}: ${result.unsupported}`);
    }
  }
  assert.ok(converted >= 85, `only ${converted} of ${cases.length} rules convert`);
});

test('differential: each defender-xdr query selects exactly the events the in-process engine matches', (t) => {
  let compared = 0;
  let matched = 0;
  for (const c of cases) {
    const { result } = convertRule(c.rule, 'defender-xdr');
    if (!result.query) continue;
    const kql = compileKql(result.query);
    const engine = new DetectionEngine([c.rule]);
    const gate = admits(c.rule);
    for (const e of pool) {
      if (!e.xdr || e.xdr.table !== kql.table || gate.evaluate(e.raw).matches.length === 0) continue;
      const inProcess = engine.evaluate(e.raw).matches.length > 0;
      assert.equal(kql.select(e.xdr.row), inProcess, `${c.name} on an event of ${e.from}: in-process ${inProcess}\n${result.query}\n${JSON.stringify(e.xdr.row)}`);
      compared += 1;
      if (inProcess) matched += 1;
    }
  }
  t.diagnostic(`${compared} rule/event pairs compared, ${matched} matches`);
  assert.ok(matched >= 150, `only ${matched} matching pairs: the comparison says little`);
});
