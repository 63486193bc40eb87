import { TableAuditLog } from '../audit/table-audit-log';
import { timelinePorts } from '../app/compose-timeline';
import { ArgusError } from '../errors/catalog';
import { TableIncidentRepository } from '../incidents/incident-repository';
import { incidentTimeline } from '../response/timeline-sources';
import type { TimelineEntry } from '../response/timeline';
import { tableNames, type TableStore } from '../storage/table-store';
import { type CliIO, writeLine } from './command';
import { incidentNumber, parseCli, withTables } from './incident-command';

export const timelineUsage = 'argus incident timeline <number> [--json|--md]';

/** The timeline of incident `number`, as `--json` prints it (ARCHITECTURE §9): only the contract's fields. */
export async function timelineOf(store: TableStore, number: number): Promise<TimelineEntry[]> {
  const record = await new TableIncidentRepository(store.client(tableNames.incidents)).findByNumber(number);
  if (!record) throw new ArgusError('ARGUS_NOT_FOUND', `Argus does not know incident #${number}`);
  const audit = new TableAuditLog({ client: store.client(tableNames.audit) });
  const { entries } = await incidentTimeline(timelinePorts(store, audit), record.incident);
  return entries.map(({ at, kind, title, actor, tactic, technique, techniqueName }) => ({
    at,
    kind,
    title,
    ...(actor ? { actor } : {}),
    ...(tactic ? { tactic } : {}),
    ...(technique ? { technique } : {}),
    ...(techniqueName ? { techniqueName } : {}),
  }));
}

/** A Markdown table cell: one line, pipes escaped. */
const cell = (v: string | undefined) => (v ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|');

export function timelineMarkdown(number: number, entries: readonly TimelineEntry[]): string {
  const rows = entries.map((e) => `| ${cell(e.at)} | ${e.kind} | ${cell(e.title)} | ${cell(e.actor)} | ${cell(e.tactic)} | ${cell([e.technique, e.techniqueName].filter(Boolean).join(' '))} |`);
  return [`# Incident ${number}: timeline`, '', '| at | kind | what | who | tactic | technique |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** `argus incident timeline <number> [--json|--md]`. */
export async function timeline(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCli(args, { json: { type: 'boolean' }, md: { type: 'boolean' } }, timelineUsage);
  if (values.json && values.md) throw new ArgusError('ARGUS_BAD_REQUEST', `choose --json or --md\nusage: ${timelineUsage}`);
  const number = incidentNumber(positionals, timelineUsage);
  const tables = [tableNames.incidents, tableNames.response, tableNames.audit, tableNames.alerts, tableNames.evidence];
  const entries = await withTables(io, tables, (store) => timelineOf(store, number));
  if (values.json) writeLine(io.stdout, JSON.stringify(entries, null, 2));
  else if (values.md) writeLine(io.stdout, timelineMarkdown(number, entries));
  else
    for (const e of entries)
      writeLine(io.stdout, `${e.at}  ${e.kind.padEnd(8)} ${e.title}${e.actor ? ` (${e.actor})` : ''}${e.technique ? `  [${e.tactic ?? ''} ${e.technique} ${e.techniqueName ?? ''}]` : e.tactic ? `  [${e.tactic}]` : ''}`);
  return 0;
}
