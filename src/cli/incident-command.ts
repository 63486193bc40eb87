import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import { TableIncidentRepository } from '../incidents/incident-repository';
import { createLogger } from '../logging/logger';
import { currentPhase, ownerOf } from '../response/plan-assignment';
import { phaseTitles } from '../response/phases';
import { TableResponseStore } from '../response/response-store';
import { asEntityTable, type EntityTable } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import { openTableStore } from '../storage/open-table-store';
import { tableNames, type TableStore } from '../storage/table-store';
import { type CliIO, withSubcommands, writeLine } from './command';
import { timeline, timelineUsage } from './incident-timeline';
import { impactSummary, tableImpactStore } from '../response/impact-store';

const usage = 'argus incident show <number> [--json]';
const usages = `${usage}\n       ${timelineUsage}`;

export function parseCli<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, usageText = usage) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: true, options });
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `${err instanceof Error ? err.message : String(err)}\nusage: ${usageText}`);
  }
}

/** The incident number a subcommand names (its one positional argument). */
export function incidentNumber(positionals: string[], usageText = usage): number {
  const [text] = positionals;
  if (!text || positionals.length > 1 || !/^\d{1,12}$/.test(text)) throw new ArgusError('ARGUS_BAD_REQUEST', `name one incident number\nusage: ${usageText}`);
  return Number(text);
}

/** Opens storage where the config keeps it, runs `use`, closes (logs go to stderr, quiet unless LOG_LEVEL asks). */
export async function withTables<T>(io: CliIO, tables: string[], use: (store: TableStore) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env, { cwd: io.cwd });
  const logger = createLogger({ level: io.env.LOG_LEVEL ? config.env.LOG_LEVEL : 'warn', destination: io.stderr });
  const { store } = await openTableStore(config.storage, { logger });
  try {
    for (const table of tables) await store.ensureTable(table);
    return await use(store);
  } finally {
    await store.close();
  }
}

/** The incident as `argus incident show --json` prints it (ARCHITECTURE §9). */
export async function incidentSummary(store: TableStore, number: number): Promise<Record<string, unknown>> {
  const record = await new TableIncidentRepository(store.client(tableNames.incidents)).findByNumber(number);
  if (!record) throw new ArgusError('ARGUS_NOT_FOUND', `Argus does not know incident #${number}`);
  const { incident } = record;
  const responseTable: EntityTable = asEntityTable(store.client(tableNames.response));
  const state = await new TableResponseStore(responseTable).load(incident.name);
  const postMortem = await responseTable.get(encodeKey(incident.name), 'postmortem');
  const impact = await tableImpactStore(responseTable).get(incident.name);
  return {
    name: incident.name,
    number: incident.number,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    phase: currentPhase(state),
    owner: ownerOf(incident) ?? null,
    plan: state.plan
      ? {
          id: state.plan.planId,
          title: state.plan.title,
          steps: state.steps.map((s) => ({
            id: s.id,
            title: s.title,
            phase: s.phase,
            type: s.type,
            status: s.status,
            ...(s.by ? { by: s.by } : {}),
            ...(s.startedAt ? { startedAt: s.startedAt } : {}),
            ...(s.doneAt ? { doneAt: s.doneAt } : {}),
            ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
            ...(s.note ? { note: s.note } : {}),
            evidence: s.evidence,
          })),
        }
      : null,
    ...(impact ? { impact: impactSummary(impact) } : {}),
    clocks: [],
    ...(postMortem ? { postMortem: { status: postMortem.status === 'completed' ? 'completed' : 'draft' } } : {}),
  };
}

async function show(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCli(args, { json: { type: 'boolean' } });
  const number = incidentNumber(positionals);
  const summary = await withTables(io, [tableNames.incidents, tableNames.response], (store) => incidentSummary(store, number));
  if (values.json) {
    writeLine(io.stdout, JSON.stringify(summary, null, 2));
    return 0;
  }
  const plan = summary.plan as { title: string; steps: Array<{ phase: string; title: string; status: string; by?: string }> } | null;
  writeLine(io.stdout, `#${number}  ${String(summary.severity)}  ${String(summary.status)}  ${String(summary.title)}`);
  writeLine(io.stdout, `phase: ${phaseTitles[summary.phase as keyof typeof phaseTitles]}   owner: ${String(summary.owner ?? '-')}`);
  writeLine(io.stdout, plan ? `plan: ${plan.title}` : 'plan: none');
  for (const s of plan?.steps ?? []) writeLine(io.stdout, `  ${s.status.padEnd(8)} ${s.phase.padEnd(14)} ${s.title}${s.by ? ` (${s.by})` : ''}`);
  return 0;
}

/** `argus incident show` and `argus incident timeline`: an incident's response state and its story in time order. */
export const incidentCommand = withSubcommands(
  { name: 'incident', summary: 'An incident: response phase, plan and steps, timeline', usage: usages },
  // Called through a closure: incident-timeline.ts imports this file's helpers.
  { show, timeline: (args, io) => timeline(args, io) },
);
