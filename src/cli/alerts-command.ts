import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import { createLogger } from '../logging/logger';
import { openTableStore } from '../storage/open-table-store';
import { tableNames } from '../storage/table-store';
import type { TriageDecision } from '../triage/policy';
import { shownRecord, type TriageRecord } from '../triage/triage-record';
import { TableTriageStore } from '../triage/triage-store';
import { type CliIO, withSubcommands, writeLine } from './command';

const usage = 'argus alerts list [--decision auto-close|escalate|review] [--json] | argus alerts show <alertId> --json';
const decisions: readonly TriageDecision[] = ['auto-close', 'escalate', 'review'];

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: true, options });
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`);
  }
}

/** Opens the triage records where the config keeps storage, runs `use`, closes. */
async function withStore<T>(io: CliIO, use: (store: TableTriageStore) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env, { cwd: io.cwd });
  // Logs go to stderr so stdout carries only the result; quiet unless LOG_LEVEL asks for more.
  const logger = createLogger({ level: io.env.LOG_LEVEL ? config.env.LOG_LEVEL : 'warn', destination: io.stderr });
  const { store } = await openTableStore(config.storage, { logger });
  try {
    await store.ensureTable(tableNames.alerts);
    return await use(new TableTriageStore(store.client(tableNames.alerts)));
  } finally {
    await store.close();
  }
}

function line(r: TriageRecord): string {
  const verdict = r.override ? `${r.override.verdict} (${r.override.by})` : '-';
  return [r.decidedAt ?? '-', r.status === 'decided' ? (r.decision ?? '-') : r.status, r.score.toFixed(3), verdict, r.alertId, r.ruleId, r.alert.title.replace(/\s+/g, ' ')].join('  ');
}

async function list(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { decision: { type: 'string' }, json: { type: 'boolean' } });
  const decision = values.decision as string | undefined;
  if (positionals.length > 0 || (decision !== undefined && !decisions.includes(decision as TriageDecision)))
    throw new ArgusError('ARGUS_BAD_REQUEST', `--decision is one of ${decisions.join(', ')}\nusage: ${usage}`);
  const records = await withStore(io, (s) => s.list(decision ? { decision: decision as TriageDecision } : {}));
  if (values.json) for (const r of records) writeLine(io.stdout, JSON.stringify(shownRecord(r)));
  else if (records.length === 0) writeLine(io.stdout, 'no alerts triaged yet');
  else for (const r of records) writeLine(io.stdout, line(r));
  return 0;
}

async function show(args: string[], io: CliIO): Promise<number> {
  const { positionals } = parse(args, { json: { type: 'boolean' } });
  const [alertId] = positionals;
  if (!alertId || positionals.length > 1) throw new ArgusError('ARGUS_BAD_REQUEST', `name one alert id\nusage: ${usage}`);
  const stored = await withStore(io, (s) => s.get(alertId));
  if (!stored) throw new ArgusError('ARGUS_NOT_FOUND', `no triage record for alert ${alertId}`);
  writeLine(io.stdout, JSON.stringify(shownRecord(stored.record), null, 2));
  return 0;
}

/** `argus alerts list|show`: triage decisions, their scores, reasons and overrides (ARCHITECTURE §8). */
export const alertsCommand = withSubcommands({ name: 'alerts', summary: 'Triaged alerts: decisions, scores, reasons and overrides', usage }, { list, show });
