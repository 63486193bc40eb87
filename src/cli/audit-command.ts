import { parseArgs } from 'node:util';
import { TableAuditLog } from '../audit/table-audit-log';
import { resolveRange } from '../audit/date-range';
import { verifyAuditChain } from '../audit/verify-chain';
import { loadConfig, type ArgusConfig } from '../config/load-config';
import { isArgusError } from '../errors/catalog';
import { createLogger } from '../logging/logger';
import { openTableStore } from '../storage/open-table-store';
import { tableNames, type TableStore } from '../storage/table-store';
import { listCheckpoints, printPublicKey, verifyCheckpoints } from './audit-checkpoints';
import { writeLine, type CliCommand, type CliIO } from './command';

const usage = [
  'argus audit verify [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--public-key FILE] [--checkpoint FILE]',
  '    check the hash chain and its newest signed checkpoint (exit 0 intact, 1 broken)',
  'argus audit tail [--limit N]',
  '    print the newest rows (default 20)',
  'argus audit checkpoints [--limit N] [--json]',
  '    print the newest signed checkpoints (default 20; --json: one JSON object a line, to export)',
  'argus audit public-key [--kid KID]',
  '    print the PEM public key that verifies the checkpoints',
].join('\n');

class UsageError extends Error {}

/** `argus audit verify|tail|checkpoints|public-key`. Exit codes: 0 intact / printed, 1 broken chain or failure, 2 usage error. */
export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'verify or show the hash-chained audit trail',
  usage,
  async run(args, io) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'verify') return await verify(rest, io);
      if (sub === 'tail') return await tail(rest, io);
      if (sub === 'checkpoints') return await checkpoints(rest, io);
      if (sub === 'public-key') return await publicKey(rest, io);
      if (sub === 'help' || sub === '--help' || sub === '-h') {
        writeLine(io.stdout, `usage: ${usage}`);
        return 0;
      }
      throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand');
    } catch (err) {
      if (err instanceof UsageError || isArgusError(err, 'ARGUS_BAD_REQUEST')) {
        writeLine(io.stderr, `argus audit: ${err.message}`);
        writeLine(io.stderr, `usage: ${usage}`);
        return 2;
      }
      throw err;
    }
  },
};

/** Parses `--name value` options (and `flags` without a value); anything else is a usage error. */
function parse<K extends string, F extends string = never>(args: string[], names: readonly K[], flags: readonly F[] = []): Partial<Record<K, string> & Record<F, boolean>> {
  const options = Object.fromEntries([...names.map((n) => [n, { type: 'string' as const }]), ...flags.map((f) => [f, { type: 'boolean' as const }])]);
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return values as Partial<Record<K, string> & Record<F, boolean>>;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function verify(args: string[], io: CliIO): Promise<number> {
  const { from, to, 'public-key': publicKey, checkpoint } = parse(args, ['from', 'to', 'public-key', 'checkpoint']);
  resolveRange({ from, to }); // usage errors before touching storage
  return withAuditTable(io, async (store, config) => {
    const result = await verifyAuditChain(store.client(tableNames.audit), { from, to });
    if (result.ok) {
      const span = result.checked ? ` (seq ${result.firstSeq}..${result.lastSeq})` : '';
      writeLine(io.stdout, `audit chain intact: ${result.checked} rows${span}`);
    } else {
      writeLine(io.stdout, `audit chain BROKEN at seq ${result.firstBadSeq} (RowKey ${result.firstBadRowKey}): ${result.reason}`);
      writeLine(io.stdout, `${result.checked} rows checked before it`);
    }
    // The chain alone cannot show rows cut off its end or hashes recomputed after an edit: the signed checkpoint can.
    const headSeq = result.ok && !from && !to ? result.lastSeq : undefined;
    const anchored = await verifyCheckpoints(io, config, store, { publicKey, checkpoint, headSeq });
    return result.ok && anchored ? 0 : 1;
  });
}

async function checkpoints(args: string[], io: CliIO): Promise<number> {
  const { limit, json } = parse(args, ['limit'], ['json']);
  const n = limit === undefined ? 20 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
  return withAuditTable(io, (store) => listCheckpoints(io, store, { limit: n, json: json === true }));
}

async function publicKey(args: string[], io: CliIO): Promise<number> {
  const { kid } = parse(args, ['kid']);
  return withAuditTable(io, (store, config) => printPublicKey(io, config, store, { kid }));
}

async function tail(args: string[], io: CliIO): Promise<number> {
  const { limit } = parse(args, ['limit']);
  const n = limit === undefined ? 20 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
  return withAuditTable(io, async (store) => {
    const log = new TableAuditLog({ client: store.client(tableNames.audit) });
    for (const r of await log.tail(n)) {
      const actor = r.actorName || r.actorId || '-';
      writeLine(io.stdout, `${r.seq}\t${r.at}\t${r.outcome}\t${r.action}\tactor=${actor}\ttarget=${r.target || '-'}`);
    }
    return 0;
  });
}

async function withAuditTable(io: CliIO, fn: (store: TableStore, config: ArgusConfig) => Promise<number>): Promise<number> {
  const config = loadConfig(io.env, { cwd: io.cwd });
  // Logs go to stderr so stdout carries only the result; quiet unless LOG_LEVEL asks for more.
  const logger = createLogger({ level: io.env.LOG_LEVEL ? config.env.LOG_LEVEL : 'warn', destination: io.stderr });
  const { store } = await openTableStore(config.storage, { logger });
  try {
    await store.ensureTable(tableNames.audit);
    return await fn(store, config);
  } finally {
    await store.close();
  }
}
