import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ArgusError } from '../errors/catalog';
import { checkEvidenceId } from '../response/evidence-input';
import type { EvidenceActor } from '../response/evidence-service';
import { incidentNumberOf } from '../response/evidence-upload';
import { verifyEvidence } from '../response/evidence-verify';
import { type CliIO, withSubcommands, writeLine } from './command';
import { openEvidence, shownEvidence, type OpenedEvidence } from './evidence-setup';

const usage = [
  'argus evidence add --incident <number> --file <path> --custodian <name> --purpose <text> [--source <text>] [--json]',
  'argus evidence transfer <id> --to <name> --reason <text> [--by <name>]',
  'argus evidence show <id> [--json]',
  'argus evidence list [--incident <number>] [--json]',
  'argus evidence verify [<id>] [--json] [--record-by <name>]',
  'argus evidence get <id> --out <path> --by <name> --purpose <text>',
  'argus evidence release <id> --reason <text> [--by <name>]',
].join('\n       ');

/** Largest file `argus evidence add` takes (4 MiB blocks, well inside Blob Storage's 50,000-block limit). */
const cliLimitBytes = 100 * 1024 ** 3;

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: true, options });
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`);
  }
  if (parsed.positionals.length > positionals) throw new ArgusError('ARGUS_BAD_REQUEST', `unexpected ${parsed.positionals.slice(positionals).join(' ')}\nusage: ${usage}`);
  return parsed;
}

/** The command line is an operator's tool with the storage keys: it acts as an admin, recorded under the name given. */
function operator(name: string): EvidenceActor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user database entry (some containers): recorded as unknown.
  }
  return { name, id: `cli:${user}`, via: 'cli', admin: true };
}

async function add(args: string[], io: CliIO): Promise<number> {
  const { values } = parse(args, { incident: { type: 'string' }, file: { type: 'string' }, custodian: { type: 'string' }, purpose: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' } }, 0);
  const number = incidentNumberOf(values.incident);
  if (!values.file) throw new ArgusError('ARGUS_BAD_REQUEST', `--file is required\nusage: ${usage}`);
  const path = resolve(io.cwd, values.file);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new ArgusError('ARGUS_BAD_REQUEST', `${values.file} is not a readable file`);
  const registered = await openEvidence(io, async (e) => {
    const record = await e.incidents.findByNumber(number);
    if (!record) throw new ArgusError('ARGUS_NOT_FOUND', `Argus has no incident number ${number}`);
    return e.service.register({
      incident: { id: record.incident.name, number },
      filename: basename(path),
      source: values.source,
      purpose: values.purpose,
      custodian: values.custodian,
      actor: operator(String(values.custodian ?? '')),
      content: createReadStream(path),
      maxBytes: cliLimitBytes,
    });
  });
  if (values.json) writeLine(io.stdout, JSON.stringify(registered));
  else writeLine(io.stdout, `registered ${registered.evidenceId} on incident #${number}: ${registered.size} bytes, SHA-256 ${registered.sha256}`);
  return 0;
}

/** The name an operator acts under: `--by`, or the item's custodian (acting as the custodian). */
async function actingAs(e: OpenedEvidence, id: string, by: string | undefined): Promise<EvidenceActor> {
  if (by) return operator(by);
  const stored = await e.store.get(id);
  if (!stored) throw new ArgusError('ARGUS_NOT_FOUND', `no evidence ${id}`);
  return operator(stored.item.custodian);
}

async function transfer(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { to: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' } }, 1);
  const id = checkEvidenceId(positionals[0]);
  const entry = await openEvidence(io, async (e) => e.service.transfer(id, { to: values.to, reason: values.reason, actor: await actingAs(e, id, values.by) }));
  writeLine(io.stdout, `transferred ${id} from ${entry.by} to ${entry.to} (custody entry ${entry.seq})`);
  return 0;
}

async function release(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { reason: { type: 'string' }, by: { type: 'string' } }, 1);
  const id = checkEvidenceId(positionals[0]);
  const entry = await openEvidence(io, async (e) => e.service.release(id, { reason: values.reason, actor: await actingAs(e, id, values.by) }));
  writeLine(io.stdout, `released ${id} by ${entry.actor ?? entry.by} (custody entry ${entry.seq})`);
  return 0;
}

async function show(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, 1);
  const id = checkEvidenceId(positionals[0]);
  const found = await openEvidence(io, (e) => e.service.show(id));
  if (!found) throw new ArgusError('ARGUS_NOT_FOUND', `no evidence ${id}`);
  const shown = shownEvidence(found.item, found.custody);
  if (values.json) {
    writeLine(io.stdout, JSON.stringify(shown, null, 2));
    return 0;
  }
  const i = found.item;
  writeLine(io.stdout, `${i.evidenceId}  incident #${i.incidentNumber}  ${i.filename}  ${i.size} bytes  SHA-256 ${i.sha256}`);
  writeLine(io.stdout, `custodian ${i.custodian}${i.released ? ' (released)' : ''} · purpose: ${i.purpose}${i.source ? ` · source: ${i.source}` : ''}`);
  for (const c of shown.custody)
    writeLine(io.stdout, `  ${c.seq}. ${c.at}  ${c.action}  by ${c.by}${c.to ? ` to ${c.to}` : ''}${c.reason ? ` (${c.reason})` : ''}${c.purpose ? ` for ${c.purpose}` : ''}`);
  return 0;
}

async function list(args: string[], io: CliIO): Promise<number> {
  const { values } = parse(args, { incident: { type: 'string' }, json: { type: 'boolean' } }, 0);
  const number = values.incident === undefined ? undefined : incidentNumberOf(values.incident);
  const items = await openEvidence(io, async (e) => {
    const out = [];
    for await (const item of e.store.all()) if (number === undefined || item.incidentNumber === number) out.push(item);
    return out;
  });
  for (const i of items)
    writeLine(io.stdout, values.json ? JSON.stringify({ evidenceId: i.evidenceId, incident: i.incidentNumber, filename: i.filename, sha256: i.sha256, size: i.size, custodian: i.custodian, registeredAt: i.registeredAt }) : `${i.registeredAt}  #${i.incidentNumber}  ${i.evidenceId}  ${i.sha256.slice(0, 12)}  ${i.custodian}  ${i.filename}`);
  if (!values.json && items.length === 0) writeLine(io.stdout, 'no evidence registered');
  return 0;
}

async function verify(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, 'record-by': { type: 'string' } }, 1);
  const id = positionals[0] === undefined ? undefined : checkEvidenceId(positionals[0]);
  const report = await openEvidence(io, async (e) => {
    const r = await verifyEvidence(e.store, e.content, id);
    const by = values['record-by'];
    if (by) for (const ok of r.intact) await e.service.recordVerified(ok.evidenceId, { by, sha256: ok.sha256, actor: operator(by) });
    return r;
  });
  if (id && report.checked === 0) throw new ArgusError('ARGUS_NOT_FOUND', `no evidence ${id}`);
  if (values.json) writeLine(io.stdout, JSON.stringify({ ok: report.bad.length === 0, checked: report.checked, bad: report.bad }));
  else if (report.bad.length === 0) writeLine(io.stdout, `evidence intact: ${report.checked} item(s) checked (content re-hashed, custody ledgers verified)`);
  else for (const b of report.bad) writeLine(io.stdout, `evidence BROKEN: ${b.evidenceId} (incident #${b.incidentNumber}, ${b.filename}): ${b.problem}`);
  return report.bad.length === 0 ? 0 : 1;
}

/** Reads the content out (recording the access first), re-hashing it on the way; never overwrites a file. */
async function get(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string' }, by: { type: 'string' }, purpose: { type: 'string' } }, 1);
  const id = checkEvidenceId(positionals[0]);
  if (!values.out) throw new ArgusError('ARGUS_BAD_REQUEST', `--out is required\nusage: ${usage}`);
  const out = resolve(io.cwd, values.out);
  // Checked before the access is recorded (the write below refuses an existing file again).
  if (await stat(out).catch(() => undefined)) throw new ArgusError('ARGUS_BAD_REQUEST', `${values.out} exists: argus evidence get never overwrites a file`);
  const result = await openEvidence(io, async (e) => {
    const entry = await e.service.access(id, { by: values.by, purpose: values.purpose, actor: operator(String(values.by ?? '')) });
    const stream = await e.content.read(id);
    if (!stream) throw new ArgusError('ARGUS_NOT_FOUND', `the content of ${id} is missing from storage`);
    const hash = createHash('sha256');
    const tap = new Transform({ transform: (chunk: Buffer, _enc, done) => (hash.update(chunk), done(null, chunk)) });
    await pipeline(stream, tap, createWriteStream(out, { flags: 'wx' }));
    return { sha256: hash.digest('hex'), expected: (await e.store.get(id))?.item.sha256, seq: entry.seq };
  });
  if (result.sha256 !== result.expected) {
    writeLine(io.stderr, `argus evidence get: the content read has SHA-256 ${result.sha256}, registered ${result.expected}: it changed`);
    return 1;
  }
  writeLine(io.stdout, `wrote ${values.out} (SHA-256 ${result.sha256} as registered; access recorded as custody entry ${result.seq})`);
  return 0;
}

/** `argus evidence …`: evidence items with their chain of custody (ARCHITECTURE §9). */
export const evidenceCommand = withSubcommands(
  { name: 'evidence', summary: 'Evidence with a chain of custody: add, transfer, show, verify', usage },
  { add, transfer, show, list, verify, get, release },
);
