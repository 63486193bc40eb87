import { ArgusError, type ErrorDetail } from '../errors/catalog';

/**
 * Why a rule cannot be used. `path` points into the rule (`detection.selection.Image|foo`); the
 * loader adds the file. Rules that cannot be evaluated exactly are refused, never half-loaded.
 */
export class RuleProblem extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'RuleProblem';
  }
}

export interface RuleFailure {
  /** File (and document) of the rule. */
  source: string;
  title?: string;
  /** Where in the rule, e.g. `detection.selection.CommandLine|base64`. */
  path?: string;
  message: string;
}

export function describeFailure(f: RuleFailure): string {
  const where = f.path ? ` at ${f.path}` : '';
  return `${f.source}${f.title ? ` (${f.title})` : ''}${where}: ${f.message}`;
}

export function toRuleFailure(source: string, title: string | undefined, err: unknown): RuleFailure {
  if (err instanceof RuleProblem) return { source, title, path: err.path || undefined, message: err.message };
  return { source, title, message: err instanceof Error ? err.message : String(err) };
}

/** One error naming every rule that failed to load, and why. */
export function rulesInvalidError(failures: readonly RuleFailure[]): ArgusError {
  const details: ErrorDetail[] = failures.map((f) => ({
    path: `${f.source}${f.path ? `#${f.path}` : ''}`,
    message: `${f.title ? `${f.title}: ` : ''}${f.message}`,
  }));
  const first = failures[0];
  const summary = failures.length === 1 && first ? describeFailure(first) : `${failures.length} Sigma rules cannot be used`;
  return new ArgusError('ARGUS_CONFIG_INVALID', summary, { details });
}
