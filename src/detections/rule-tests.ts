import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { formatIssuePath } from '../config/load-config';
import { DetectionEngine } from './engine';
import { splitJsonEvents } from './json-stream';
import type { LogsourceConfig } from './logsource-config';
import { describeFailure } from './rule-errors';
import { findRuleFiles, loadRuleFiles, testsSuffix } from './rule-loader';

/**
 * Tests beside a rule: `rule.yml` → `rule.tests.yml`, a list of cases, each with events (inline,
 * or a file of events in any supported layout) and the expected outcome: `match` (optionally an
 * exact number of matches) or `no-match`.
 */
const testCaseSchema = z
  .strictObject({
    name: z.string().min(1),
    expect: z.enum(['match', 'no-match']),
    matches: z.number().int().min(1).optional(),
    events: z.array(z.record(z.string(), z.unknown())).min(1).optional(),
    eventsFile: z.string().min(1).optional(),
  })
  .refine((t) => (t.events === undefined) !== (t.eventsFile === undefined), 'give exactly one of events and eventsFile')
  .refine((t) => t.matches === undefined || t.expect === 'match', 'matches only goes with expect: match');
export type RuleTestCase = z.output<typeof testCaseSchema>;

export const ruleTestFileSchema = z.strictObject({ tests: z.array(testCaseSchema).min(1) });

export interface RuleTestResult {
  /** Rule file, relative to the working folder. */
  ruleFile: string;
  test: string;
  expected: string;
  actual: string;
  passed: boolean;
  /** Why it failed, when it failed for another reason than the count. */
  detail?: string;
}

export function testsFileFor(ruleFile: string): string | undefined {
  const base = ruleFile.replace(/\.ya?ml$/i, '');
  return [`${base}.tests.yml`, `${base}.tests.yaml`].find((f) => existsSync(f));
}

function readTests(file: string): RuleTestCase[] {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors[0]?.message ?? ''}`);
  const parsed = ruleTestFileSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`).join('; '));
  return parsed.data.tests;
}

function eventsOf(t: RuleTestCase, testsFile: string): Record<string, unknown>[] {
  if (t.events) return t.events;
  const file = resolve(dirname(testsFile), t.eventsFile as string);
  const events: Record<string, unknown>[] = [];
  for (const item of splitJsonEvents(readFileSync(file, 'utf8'))) {
    if (item.kind === 'error') throw new Error(`${t.eventsFile} line ${item.line}: ${item.message}`);
    events.push(item.value);
  }
  return events;
}

const expectation = (t: RuleTestCase): string => (t.expect === 'no-match' ? 'no match' : t.matches ? `${t.matches} match(es)` : '≥1 match');

export interface RunRuleTestsOptions {
  cwd: string;
  logsources?: LogsourceConfig;
}

/** Runs the tests of every rule under `path`. A rule without tests, or tests without a rule, fail. */
export function runRuleTests(path: string, options: RunRuleTestsOptions): RuleTestResult[] {
  const { cwd } = options;
  const results: RuleTestResult[] = [];
  const ruleFiles = findRuleFiles(resolve(cwd, path));
  const paired = new Set<string>();
  for (const ruleFile of ruleFiles) {
    const label = relative(cwd, ruleFile) || ruleFile;
    const fail = (test: string, detail: string): void => {
      results.push({ ruleFile: label, test, expected: '-', actual: 'error', passed: false, detail });
    };
    const loaded = loadRuleFiles([ruleFile], cwd);
    if (loaded.rules.length === 0 && loaded.failures.length === 0) continue; // not a rule file
    const testsFile = testsFileFor(ruleFile);
    if (!testsFile) {
      fail('(tests)', `no tests: add ${basename(ruleFile).replace(/\.ya?ml$/i, '.tests.yml')} beside the rule`);
      continue;
    }
    paired.add(resolve(testsFile));
    if (loaded.failures.length) {
      fail('(load)', loaded.failures.map(describeFailure).join('; '));
      continue;
    }
    let engine: DetectionEngine;
    let cases: RuleTestCase[];
    try {
      engine = new DetectionEngine(loaded.rules, { logsources: options.logsources });
      cases = readTests(testsFile);
    } catch (err) {
      fail('(load)', err instanceof Error ? err.message : String(err));
      continue;
    }
    for (const t of cases) {
      try {
        const count = eventsOf(t, testsFile).reduce((n, e) => n + engine.evaluate(e).matches.length, 0);
        const passed = t.expect === 'no-match' ? count === 0 : t.matches ? count === t.matches : count >= 1;
        results.push({ ruleFile: label, test: t.name, expected: expectation(t), actual: `${count} match(es)`, passed });
      } catch (err) {
        fail(t.name, err instanceof Error ? err.message : String(err));
      }
    }
  }
  // Tests whose rule is gone would otherwise pass silently by never running.
  for (const orphan of findTestFiles(resolve(cwd, path))) {
    if (!paired.has(resolve(orphan)))
      results.push({ ruleFile: relative(cwd, orphan), test: '(rule)', expected: '-', actual: 'error', passed: false, detail: 'tests file without a rule beside it' });
  }
  return results;
}

function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (testsSuffix.test(entry.name)) out.push(full);
    }
  };
  if (existsSync(dir) && statSync(dir).isDirectory()) walk(dir);
  return out;
}
