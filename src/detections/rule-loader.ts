import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ArgusError } from '../errors/catalog';
import { DetectionEngine, type EngineOptions } from './engine';
import { parseLogsourceConfig, type LogsourceConfig } from './logsource-config';
import { rulesInvalidError, toRuleFailure, type RuleFailure } from './rule-errors';
import { parseRuleFile } from './rule-parser';
import type { SigmaRule } from './sigma-rule';

/** Rule files are `*.yml` / `*.yaml`; `*.tests.yml` beside them hold their tests. */
export const testsSuffix = /\.tests\.ya?ml$/i;
const yamlFile = /\.ya?ml$/i;

export function isRuleFile(name: string): boolean {
  return yamlFile.test(name) && !testsSuffix.test(name);
}

/** Every rule file under `path` (a file or a folder, searched recursively, dot-folders skipped), sorted. */
export function findRuleFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `no such rule file or folder: ${path}`, { cause: err });
  }
  if (st.isFile()) return [path];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = join(dir, name);
      const s = statSync(full);
      if (s.isDirectory()) walk(full);
      else if (s.isFile() && isRuleFile(name)) out.push(full);
    }
  };
  walk(path);
  return out;
}

export interface LoadedRules {
  rules: SigmaRule[];
  failures: RuleFailure[];
  files: string[];
  /** YAML documents that are not Sigma rules (metadata and the like), skipped. */
  notRules: string[];
}

/** Reads and parses rule files; `source` labels are paths relative to `cwd`. */
export function loadRuleFiles(files: readonly string[], cwd: string): LoadedRules {
  const out: LoadedRules = { rules: [], failures: [], files: [...files], notRules: [] };
  for (const file of files) {
    const label = relative(cwd, resolve(cwd, file)) || file;
    let text: string;
    try {
      text = readFileSync(resolve(cwd, file), 'utf8');
    } catch (err) {
      out.failures.push({ source: label, message: `cannot read: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    const parsed = parseRuleFile(text, label);
    out.rules.push(...parsed.rules);
    out.notRules.push(...parsed.notRules);
    out.failures.push(...parsed.failures.map((f) => toRuleFailure(f.source, f.title, f.error)));
  }
  return out;
}

export function readLogsourceFile(path: string, cwd: string): LogsourceConfig {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `cannot read logsource mapping file ${path}`, { cause: err });
  }
  return parseLogsourceConfig(text, path);
}

export interface LoadEngineOptions extends Pick<EngineOptions, 'onInvalid'> {
  cwd: string;
  /** A logsource mapping file (YAML), added to the built-in Windows mappings. */
  logsourcesFile?: string;
}

/** Rules from a file or folder, compiled. Unusable rules are an error naming each (unless `onInvalid: 'skip'`). */
export function loadEngine(path: string, options: LoadEngineOptions): { engine: DetectionEngine; loaded: LoadedRules } {
  const loaded = loadRuleFiles(findRuleFiles(resolve(options.cwd, path)), options.cwd);
  const skip = options.onInvalid === 'skip';
  if (loaded.failures.length && !skip) throw rulesInvalidError(loaded.failures);
  const logsources = options.logsourcesFile ? readLogsourceFile(options.logsourcesFile, options.cwd) : undefined;
  const engine = new DetectionEngine(loaded.rules, { logsources, onInvalid: options.onInvalid });
  if (loaded.rules.length === 0 && loaded.failures.length === 0) throw new ArgusError('ARGUS_BAD_REQUEST', `no Sigma rules found in ${path}`);
  return { engine, loaded: { ...loaded, failures: [...loaded.failures, ...engine.failures] } };
}
