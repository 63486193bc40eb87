/**
 * `npm run bench:detections`: throughput of the Sigma engine on one core (Node runs it on one
 * thread). (a) the shared SigmaHQ rules over their recorded events replicated to ≥ 100,000 events,
 * evaluating already-parsed events and, separately, from JSON Lines text; (b) 1,000 generated rules
 * over the same events. Prints one JSON document.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { DetectionEngine } from '../../src/detections/engine';
import { JsonEventSplitter } from '../../src/detections/json-stream';
import { parseRuleFile } from '../../src/detections/rule-parser';
import type { SigmaRule } from '../../src/detections/sigma-rule';
import { loadSigmaCases } from '../unit/detections/sigma-fixtures';

const targetEvents = 100_000;
/** Each measurement runs this many times; the best run is reported (the machine may be shared). */
const repeats = 3;

interface Result {
  name: string;
  rules: number;
  events: number;
  matches: number;
  compileMs: number;
  /** Wall-clock seconds, and events per wall-clock second. */
  seconds: number;
  eventsPerSecond: number;
  /** CPU seconds of this (single-threaded) process: the one-core figure, steadier on a busy machine. */
  cpuSeconds: number;
  eventsPerCpuSecond: number;
  /** Events per wall-clock second of every run, best first. */
  runs: number[];
}

interface Measured<T> {
  value: T;
  seconds: number;
  cpuSeconds: number;
  runs: number[];
}

/** Runs `fn` `repeats` times, measuring wall and CPU time; keeps the fastest run. */
function measure<T>(events: () => number, fn: () => T): Measured<T> {
  let best: Measured<T> | undefined;
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const value = fn();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    runs.push(Math.round(events() / seconds));
    if (!best || seconds < best.seconds) best = { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, runs };
  }
  (best as Measured<T>).runs = runs.sort((a, b) => b - a);
  return best as Measured<T>;
}

function result(name: string, rules: number, events: number, matches: number, compileMs: number, m: Measured<unknown>): Result {
  return {
    name,
    rules,
    events,
    matches,
    compileMs: Math.round(compileMs),
    seconds: round(m.seconds),
    eventsPerSecond: Math.round(events / m.seconds),
    cpuSeconds: round(m.cpuSeconds),
    eventsPerCpuSecond: Math.round(events / m.cpuSeconds),
    runs: m.runs,
  };
}

function timeEvaluate(name: string, rules: SigmaRule[], events: Record<string, unknown>[], count: number): Result {
  const t0 = performance.now();
  const engine = new DetectionEngine(rules);
  const compileMs = performance.now() - t0;
  for (let i = 0; i < Math.min(20_000, count); i++) engine.evaluate(events[i % events.length] as Record<string, unknown>);
  const m = measure(() => count, () => {
    let matches = 0;
    for (let i = 0; i < count; i++) matches += engine.evaluate(events[i % events.length] as Record<string, unknown>).matches.length;
    return matches;
  });
  return result(name, engine.rules.length, count, m.value, compileMs, m);
}

/** The same, but from JSON Lines text: splitting and JSON.parse included. */
function timeFromText(name: string, rules: SigmaRule[], events: Record<string, unknown>[], count: number): Result {
  const engine = new DetectionEngine(rules);
  const block = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
  const rounds = Math.ceil(count / events.length);
  const splitter = new JsonEventSplitter();
  for (const item of splitter.push(block)) if (item.kind === 'event') engine.evaluate(item.value); // warm-up
  let seen = 0;
  const m = measure(() => seen, () => {
    let matches = 0;
    seen = 0;
    for (let r = 0; r < rounds; r++) {
      for (const item of splitter.push(block)) {
        if (item.kind !== 'event') continue;
        seen++;
        matches += engine.evaluate(item.value).matches.length;
      }
    }
    return matches;
  });
  return result(name, engine.rules.length, seen, m.value, 0, m);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Small seeded PRNG (mulberry32) so generated rules are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 1,000 rules shaped like SigmaHQ's: an image selection (`Image|endswith: '\\x.exe'` or
 * `OriginalFileName`), command-line or path substrings (some `|all`, some `windash`, a few regexes),
 * and filters. A small share reuse fragments of the recorded events so that some of them fire.
 */
function generateRules(events: Record<string, unknown>[], count: number): SigmaRule[] {
  const rand = prng(20261122);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const samples = new Map<string, string[]>();
  for (const e of events) {
    const data = ((e.Event as Record<string, unknown> | undefined)?.EventData ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(data)) if (typeof v === 'string' && v.length > 8) samples.set(k, [...(samples.get(k) ?? []), v]);
  }
  const word = (): string => Math.floor(rand() * 36 ** 7).toString(36);
  const fragment = (field: string): string => {
    const real = samples.get(field);
    if (real && rand() < 0.05) {
      const v = pick(real);
      const start = Math.floor(rand() * Math.max(1, v.length - 12));
      return v.slice(start, start + 8 + Math.floor(rand() * 8)).replace(/[*?\\]/g, '');
    }
    return `${pick([' -', ' /', '\\', '.', ' '])}${word()}`;
  };
  const exe = (field: string): string => {
    const real = samples.get(field);
    if (real && rand() < 0.05) return (pick(real).split('\\').pop() ?? word()).toLowerCase();
    return `${word()}.exe`;
  };
  const list = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);
  type Gen = () => Record<string, unknown>;
  const imageSel = (field = 'Image'): Record<string, unknown>[] => [
    { [`${field}|endswith`]: list(1 + Math.floor(rand() * 3), () => `\\${exe(field)}`) },
    ...(field === 'Image' ? [{ OriginalFileName: exe('OriginalFileName') }] : []),
  ];
  const categories: [string, number, Gen][] = [
    [
      'process_creation',
      60,
      () => {
        const d: Record<string, unknown> = {};
        if (rand() < 0.8) d.selection_img = imageSel();
        const shape = rand();
        const mod = shape < 0.2 ? '|contains|all' : shape < 0.27 ? '|windash|contains' : '|contains';
        d.selection_cli = shape > 0.95 ? { 'CommandLine|re': `${word()}[0-9]{2,}` } : { [`CommandLine${mod}`]: list(1 + Math.floor(rand() * 6), () => fragment('CommandLine')) };
        if (rand() < 0.2) d.selection_parent = { 'ParentImage|endswith': `\\${exe('ParentImage')}` };
        return d;
      },
    ],
    ['registry_set', 15, () => ({ selection: { 'TargetObject|contains': fragment('TargetObject'), 'TargetObject|endswith': `\\${word()}`, ...(rand() < 0.5 ? { Details: 'DWORD (0x00000001)' } : {}) } })],
    ['file_event', 10, () => ({ selection: { 'TargetFilename|endswith': list(1 + Math.floor(rand() * 4), () => `.${word().slice(0, 3)}`), ...(rand() < 0.6 ? { 'Image|endswith': `\\${exe('Image')}` } : {}) } })],
    ['image_load', 5, () => ({ selection: { 'ImageLoaded|endswith': `\\${word()}.dll`, 'Image|endswith': `\\${exe('Image')}` } })],
    ['process_access', 5, () => ({ selection: { 'TargetImage|endswith': `\\${exe('TargetImage')}`, GrantedAccess: pick(['0x1010', '0x1410', '0x1fffff']) } })],
    ['registry_delete', 5, () => ({ selection: { 'TargetObject|contains': fragment('TargetObject') } })],
  ];
  const total = categories.reduce((sum, c) => sum + c[1], 0);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    let roll = rand() * total;
    const [category, , gen] = categories.find((c) => (roll -= c[1]) < 0) ?? (categories[0] as (typeof categories)[number]);
    const detection = gen();
    const withFilter = rand() < 0.4;
    if (withFilter) detection.filter_main = { 'CommandLine|contains': fragment('CommandLine') };
    const selections = Object.keys(detection).filter((k) => k.startsWith('selection'));
    detection.condition = `${selections.length > 1 ? 'all of selection*' : (selections[0] as string)}${withFilter ? ' and not 1 of filter_main*' : ''}`;
    texts.push(stringify({ title: `Generated rule ${i}`, id: `gen-${i}`, level: 'medium', logsource: { product: 'windows', category }, detection }));
  }
  const parsed = parseRuleFile(texts.join('---\n'), 'generated.yml');
  if (parsed.failures.length) throw new Error(`generated rules do not compile: ${String(parsed.failures[0]?.error)}`);
  return parsed.rules;
}

function main(): void {
  const cases = loadSigmaCases();
  if (cases.length === 0) throw new Error('the shared SigmaHQ cases (../shared/sigma/cases) are missing');
  const rules = cases.map((c) => c.rule);
  const events = cases.flatMap((c) => c.events);
  const count = Math.ceil(targetEvents / events.length) * events.length;
  const generated = generateRules(events, 1000);
  const results = [
    timeEvaluate('sigmahq-rules', rules, events, count),
    timeFromText('sigmahq-rules-from-jsonl', rules, events, count),
    timeEvaluate('generated-1000-rules', generated, events, count),
  ];
  const cpu = cpus()[0]?.model ?? 'unknown';
  process.stdout.write(
    `${JSON.stringify({ suite: 'detections', node: process.version, cpu, uniqueEvents: events.length, targetEventsPerSecond: 50_000, results }, null, 2)}\n`,
  );
}

main();
