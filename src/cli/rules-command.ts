import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config';
import type { RuleStats } from '../detections/outcomes/outcome-stats';
import { TableDetectionOutcomeStore } from '../detections/outcomes/table-outcome-store';
import { ArgusError } from '../errors/catalog';
import { createLogger } from '../logging/logger';
import { openTableStore } from '../storage/open-table-store';
import { tableNames } from '../storage/table-store';
import { type CliIO, withSubcommands, writeLine } from './command';
import { rulesDeploy, rulesDeployUsage } from './rules-deploy-command';
import { rulesKql, rulesKqlUsage } from './rules-kql-command';

const statsUsage = 'argus rules stats [--rule RULE_ID] [--json]';
const usage = `${statsUsage}\n       ${rulesKqlUsage}\n       ${rulesDeployUsage}`;

function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

function printTable(stats: RuleStats[], io: CliIO): void {
  const rows = [['FP RATE', 'FIRED', 'TP', 'FP', 'BENIGN', 'PENDING', 'OVERRIDES', 'LEVEL', 'RULE', 'TITLE']];
  for (const s of stats)
    rows.push([percent(s.falsePositiveRate), s.fired, s.truePositives, s.falsePositives, s.benign, s.pending, s.overrides, s.level, s.ruleId, s.title].map(String));
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) writeLine(io.stdout, r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}

async function stats(args: string[], io: CliIO): Promise<number> {
  let values: { rule?: string; json?: boolean };
  try {
    values = parseArgs({ args, strict: true, allowPositionals: false, options: { rule: { type: 'string' }, json: { type: 'boolean' } } }).values;
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `${err instanceof Error ? err.message : String(err)}\nusage: ${statsUsage}`);
  }
  const config = loadConfig(io.env, { cwd: io.cwd });
  // Logs go to stderr so stdout carries only the result; quiet unless LOG_LEVEL asks for more.
  const logger = createLogger({ level: io.env.LOG_LEVEL ? config.env.LOG_LEVEL : 'warn', destination: io.stderr });
  const { store } = await openTableStore(config.storage, { logger });
  try {
    await store.ensureTable(tableNames.detectionOutcomes);
    const result = await new TableDetectionOutcomeStore(store.client(tableNames.detectionOutcomes)).stats({ ruleId: values.rule });
    if (values.json) for (const s of result) writeLine(io.stdout, JSON.stringify(s));
    else if (result.length === 0) writeLine(io.stdout, values.rule ? `no alerts recorded for rule ${values.rule}` : 'no alerts recorded yet');
    else printTable(result, io);
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * `argus rules stats`: per-rule fires, verdicts and false-positive rate from the outcome history;
 * `argus rules kql|deploy`: the rules as KQL, and as Sentinel scheduled analytics rules.
 */
export const rulesCommand = withSubcommands(
  { name: 'rules', summary: 'Per-rule alert outcomes; the rules as KQL and as Sentinel analytics rules', usage },
  { stats, kql: rulesKql, deploy: rulesDeploy },
);
