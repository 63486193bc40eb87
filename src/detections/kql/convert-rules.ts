import { resolve } from 'node:path';
import type { RuleFailure } from '../rule-errors';
import { findRuleFiles, loadRuleFiles } from '../rule-loader';
import type { KqlTarget } from './kql-target';
import { convertRule, type ConvertedRule } from './rule-to-kql';

export interface RuleSetConversion {
  converted: ConvertedRule[];
  /** Files or documents that are not usable Sigma rules at all. */
  failures: RuleFailure[];
}

/** Every rule under `path` (a file or folder, as `argus detect test` reads it) converted for `target`. */
export function convertRuleFiles(path: string, target: KqlTarget, cwd: string): RuleSetConversion {
  const loaded = loadRuleFiles(findRuleFiles(resolve(cwd, path)), cwd);
  return { converted: loaded.rules.map((rule) => convertRule(rule, target)), failures: loaded.failures };
}
