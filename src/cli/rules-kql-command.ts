import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config';
import { convertRuleFiles } from '../detections/kql/convert-rules';
import { kqlTargets, type KqlTarget } from '../detections/kql/kql-target';
import type { KqlRuleResult } from '../detections/kql/rule-to-kql';
import { describeFailure } from '../detections/rule-errors';
import { ArgusError } from '../errors/catalog';
import { type CliIO, writeLine } from './command';

export const rulesKqlUsage = `argus rules kql [PATH] [--target ${kqlTargets.join('|')}] [--json]`;

/** PATH (default `detections`) and the target (flag, else config `detections.kqlTarget`). */
export function rulesTarget(args: string[], io: CliIO, usage: string, extra: Record<string, { type: 'boolean' }> = {}) {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: true, options: { target: { type: 'string' }, json: { type: 'boolean' }, ...extra } });
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new ArgusError('ARGUS_BAD_REQUEST', `at most one PATH\nusage: ${usage}`);
  const target = values.target as string | undefined;
  if (target !== undefined && !(kqlTargets as readonly string[]).includes(target))
    throw new ArgusError('ARGUS_BAD_REQUEST', `--target must be one of ${kqlTargets.join(', ')}\nusage: ${usage}`);
  const config = loadConfig(io.env, { cwd: io.cwd });
  return { path: positionals[0] ?? 'detections', target: (target ?? config.file.detections.kqlTarget) as KqlTarget, values: values as Record<string, unknown>, config };
}

function printRule(r: KqlRuleResult, io: CliIO): void {
  writeLine(io.stdout, `== ${r.ruleId}  ${r.title}`);
  const attack = [r.tactics.length ? `tactics ${r.tactics.join(', ')}` : '', r.techniques.length ? `techniques ${r.techniques.join(', ')}` : ''].filter(Boolean);
  writeLine(io.stdout, `   ${r.target} · ${r.table ?? 'no table'} · severity ${r.severity}${attack.length ? ` · ${attack.join(' · ')}` : ''}`);
  if (r.query) for (const line of r.query.split('\n')) writeLine(io.stdout, `   ${line}`);
  else writeLine(io.stdout, `   does not convert: ${r.unsupported}`);
  writeLine(io.stdout);
}

/** `argus rules kql`: each rule's KQL for a target, or why it does not convert. Exit 1 when any does not. */
export async function rulesKql(args: string[], io: CliIO): Promise<number> {
  const { path, target, values } = rulesTarget(args, io, rulesKqlUsage);
  const { converted, failures } = convertRuleFiles(path, target, io.cwd);
  for (const f of failures) writeLine(io.stderr, `argus rules kql: skipped ${describeFailure(f)}`);
  if (converted.length === 0 && failures.length === 0) throw new ArgusError('ARGUS_BAD_REQUEST', `no Sigma rules found in ${path}`);
  const results = converted.map((c) => c.result);
  if (values.json) writeLine(io.stdout, JSON.stringify(results, null, 2));
  else for (const r of results) printRule(r, io);
  const unsupported = results.filter((r) => r.unsupported).length;
  writeLine(io.stderr, `argus rules kql: ${results.length} rules, ${results.length - unsupported} converted for ${target}, ${unsupported} do not convert`);
  return unsupported || failures.length ? 1 : 0;
}
