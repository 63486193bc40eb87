import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { DetectionEngine, type DetectionMatch } from '../../../src/detections/engine';
import { splitJsonEvents } from '../../../src/detections/json-stream';
import type { LogsourceConfig } from '../../../src/detections/logsource-config';
import { rulesInvalidError, toRuleFailure } from '../../../src/detections/rule-errors';
import { parseRuleFile } from '../../../src/detections/rule-parser';
import type { SigmaRule } from '../../../src/detections/sigma-rule';
import { sharedDir } from '../../helpers/shared';

/** The shared SigmaHQ cases (read at run time, never copied into the repository). */
export const sigmaCasesDir = resolve(sharedDir, 'sigma/cases');

export interface SigmaCase {
  name: string;
  rule: SigmaRule;
  /** Matches the rule must produce on its events (sum of `match_count`, 1 where absent). */
  required: number;
  events: Record<string, unknown>[];
}

/** Every case folder: its rule, its regression events and the required match count. */
export function loadSigmaCases(dir = sigmaCasesDir): SigmaCase[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'rule.yml')))
    .sort()
    .map((name) => {
      const caseDir = join(dir, name);
      const parsed = parseRuleFile(readFileSync(join(caseDir, 'rule.yml'), 'utf8'), `${name}/rule.yml`);
      if (parsed.failures.length) throw rulesInvalidError(parsed.failures.map((f) => toRuleFailure(f.source, f.title, f.error)));
      const info = parse(readFileSync(join(caseDir, 'info.yml'), 'utf8')) as { regression_tests_info?: { match_count?: number }[] } | null;
      const tests = info?.regression_tests_info ?? [{}];
      const required = tests.reduce((sum, t) => sum + (t.match_count ?? 1), 0);
      const events: Record<string, unknown>[] = [];
      for (const file of readdirSync(caseDir).filter((f) => /^events(-\d+)?\.json$/.test(f)).sort()) {
        for (const item of splitJsonEvents(readFileSync(join(caseDir, file), 'utf8'))) {
          if (item.kind === 'error') throw new Error(`${name}/${file} line ${item.line}: ${item.message}`);
          events.push(item.value);
        }
      }
      return { name, rule: parsed.rules[0] as SigmaRule, required, events };
    });
}

/** A logsource every event belongs to, so value tests need no Windows envelope. */
export const anyEventSource: LogsourceConfig = {
  logsources: [{ name: 'test', logsource: { product: 'test' }, conditions: {}, fieldMappings: {} }],
  unmapped: 'error',
  extendDefaults: false,
};

/** A rule with the given detection body (YAML, indented as under `detection:`). */
export function ruleText(detection: string, extra = ''): string {
  const body = detection
    .replace(/^\n/, '')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `title: Test rule\nid: 6f1e1a9c-0000-4000-8000-000000000001\nlevel: high\ntags: [attack.execution, attack.t1059]\nlogsource:\n    product: test\n${extra}detection:\n${body}\n`;
}

/** `logsources: null` uses the built-in Windows mappings. */
export function compile(text: string, logsources: LogsourceConfig | null = anyEventSource): DetectionEngine {
  const parsed = parseRuleFile(text, 'test-rule.yml');
  if (parsed.failures.length) throw rulesInvalidError(parsed.failures.map((f) => toRuleFailure(f.source, f.title, f.error)));
  return new DetectionEngine(parsed.rules, { logsources: logsources ?? undefined });
}

/** Compiles a detection body and returns a predicate over flat events. */
export function matcher(detection: string): (event: Record<string, unknown>) => boolean {
  const engine = compile(ruleText(detection));
  return (event) => engine.evaluate(event).matches.length > 0;
}

export function firstMatch(engine: DetectionEngine, event: Record<string, unknown>): DetectionMatch | undefined {
  return engine.evaluate(event).matches[0];
}
