import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ArgusError } from '../errors/catalog';
import { EventProcessor, processReadable } from '../detections/ingest/event-processor';
import { describeFailure } from '../detections/rule-errors';
import { loadEngine, readLogsourceFile } from '../detections/rule-loader';
import { runRuleTests, type RuleTestResult } from '../detections/rule-tests';
import { type CliIO, withSubcommands, writeLine } from './command';

const usage = `argus detect test [PATH] [--logsources FILE] [--json]
       argus detect run --rules PATH --events FILE|- [--logsources FILE] [--skip-invalid]`;

function badUsage(message: string): ArgusError {
  return new ArgusError('ARGUS_BAD_REQUEST', `${message}\nusage: ${usage}`);
}

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw badUsage(err instanceof Error ? err.message : String(err));
  }
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

function printResults(results: RuleTestResult[], io: CliIO): void {
  const rows = [['RESULT', 'RULE', 'TEST', 'EXPECTED', 'ACTUAL']];
  for (const r of results) rows.push([r.passed ? 'PASS' : 'FAIL', r.ruleFile, r.test, r.expected, r.actual]);
  for (const line of table(rows)) writeLine(io.stdout, line);
  const failed = results.filter((r) => !r.passed);
  const rules = new Set(results.map((r) => r.ruleFile)).size;
  writeLine(io.stdout);
  for (const f of failed) if (f.detail) writeLine(io.stdout, `FAIL ${f.ruleFile} — ${f.test}: ${f.detail}`);
  writeLine(io.stdout, `${results.length - failed.length} passed, ${failed.length} failed (${rules} rule files)`);
}

async function runTests(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, { logsources: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length > 1) throw badUsage('detect test takes at most one PATH');
  const path = positionals[0] ?? 'detections';
  const logsources = typeof values.logsources === 'string' ? readLogsourceFile(values.logsources, io.cwd) : undefined;
  const results = runRuleTests(path, { cwd: io.cwd, logsources });
  if (results.length === 0) throw new ArgusError('ARGUS_BAD_REQUEST', `no rules or rule tests found in ${path}`);
  if (values.json) for (const r of results) writeLine(io.stdout, JSON.stringify(r));
  else printResults(results, io);
  return results.every((r) => r.passed) ? 0 : 1;
}

async function runRules(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, {
    rules: { type: 'string' },
    events: { type: 'string' },
    logsources: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
  });
  if (positionals.length) throw badUsage(`unexpected argument '${positionals[0]}'`);
  if (typeof values.rules !== 'string') throw badUsage('--rules PATH is required');
  if (typeof values.events !== 'string') throw badUsage('--events FILE (or - for stdin) is required');
  const { engine, loaded } = loadEngine(values.rules, {
    cwd: io.cwd,
    logsourcesFile: typeof values.logsources === 'string' ? values.logsources : undefined,
    onInvalid: values['skip-invalid'] ? 'skip' : 'throw',
  });
  for (const f of loaded.failures) writeLine(io.stderr, `argus detect run: skipped ${describeFailure(f)}`);
  if (loaded.notRules.length) writeLine(io.stderr, `argus detect run: ignored ${loaded.notRules.length} YAML document(s) that are not Sigma rules`);
  for (const w of engine.warnings) writeLine(io.stderr, `argus detect run: warning: ${w}`);

  const fromStdin = values.events === '-';
  const source = fromStdin ? 'stdin' : values.events;
  const processor = new EventProcessor({
    engine,
    onAlert: (alert) => {
      writeLine(io.stdout, JSON.stringify(alert));
    },
    onProblem: (p) => writeLine(io.stderr, `argus detect run: ${p.source} line ${p.line} (event ${p.index}): ${p.message}`),
  });
  let input: AsyncIterable<string | Buffer>;
  if (fromStdin) input = io.stdin as AsyncIterable<string | Buffer>;
  else {
    const stream = createReadStream(resolve(io.cwd, values.events), { encoding: 'utf8', highWaterMark: 1 << 20 });
    input = stream;
  }
  try {
    await processReadable(input, source, processor);
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `cannot read events from ${source}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const { events, matches, errors } = processor.stats;
  writeLine(io.stderr, `argus detect run: ${events} events, ${matches} matches${errors ? `, ${errors} unusable inputs` : ''} (${engine.rules.length} rules)`);
  return errors > 0 ? 1 : 0;
}

/** `argus detect test|run`: rule tests, and rules over a file of events. */
export const detectCommand = withSubcommands({ name: 'detect', summary: 'Test Sigma rules against their test events, or run rules over events', usage }, { test: runTests, run: runRules });
