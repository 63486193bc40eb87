import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import { createLogger } from '../logging/logger';
import { clockListRows, type ClockListRow, type ClockRecord } from '../response/clock-records';
import { clockRows } from '../response/clock-store';
import { openTableStore } from '../storage/open-table-store';
import { tableNames } from '../storage/table-store';
import { type CliIO, withSubcommands, writeLine } from './command';

const usage = 'argus clocks list [--all] [--json]';

/** Every clock in storage as the config says where storage is. */
async function readClocks(io: CliIO): Promise<ClockRecord[]> {
  const config = loadConfig(io.env, { cwd: io.cwd });
  // Logs go to stderr so stdout carries only the result; quiet unless LOG_LEVEL asks for more.
  const logger = createLogger({ level: io.env.LOG_LEVEL ? config.env.LOG_LEVEL : 'warn', destination: io.stderr });
  const { store } = await openTableStore(config.storage, { logger });
  try {
    await store.ensureTable(tableNames.clocks);
    return (await clockRows(store.client(tableNames.clocks)).list()).map((r) => r.value);
  } finally {
    await store.close();
  }
}

function line(r: ClockListRow): string {
  const when = r.status === 'met' ? `met ${r.metAt}` : `due ${r.dueAt}`;
  return [`#${r.incident}`, r.regime, r.milestone, r.status, when, `${r.remindersSent} reminder(s)`].join('  ');
}

/**
 * `argus clocks list`: the milestones of every open clock (a clock is open while one of its
 * milestones is not met), soonest first; `--all` adds clocks whose milestones are all met.
 */
async function list(args: string[], io: CliIO): Promise<number> {
  let values: { all?: boolean; json?: boolean };
  try {
    const parsed = parseArgs({ args, strict: true, allowPositionals: false, options: { all: { type: 'boolean' }, json: { type: 'boolean' } } });
    values = parsed.values;
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`);
  }
  const clocks = (await readClocks(io)).filter((c) => values.all || c.milestones.some((m) => !m.met));
  const rows = clockListRows(clocks, Date.now()).sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.incident - b.incident);
  if (values.json) writeLine(io.stdout, JSON.stringify(rows, null, 2));
  else if (rows.length === 0) writeLine(io.stdout, values.all ? 'no compliance clocks' : 'no open compliance clocks');
  else for (const r of rows) writeLine(io.stdout, line(r));
  return 0;
}

/** `argus clocks list`: compliance clocks and their milestones (ARCHITECTURE §9). */
export const clocksCommand = withSubcommands({ name: 'clocks', summary: 'Compliance clocks: milestones, due times, status, reminders sent', usage }, { list });
