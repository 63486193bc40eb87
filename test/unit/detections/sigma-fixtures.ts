import { DetectionEngine, type DetectionMatch } from '../../../src/detections/engine';
import type { LogsourceConfig } from '../../../src/detections/logsource-config';
import { rulesInvalidError, toRuleFailure } from '../../../src/detections/rule-errors';
import { parseRuleFile } from '../../../src/detections/rule-parser';

/** Path of the shared SigmaHQ material (never copied into the repository). */
export const sharedSigmaDir = `${__dirname}/../../../../shared/sigma`;

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
