import type { EventView } from './event-view';
import { clip, type FieldMatch } from './explanation';
import { RuleProblem } from './rule-errors';
import { SigmaNumber, type DetectionValue } from './sigma-rule';
import { narrowestAtoms, specAtoms, unionAtoms, type Atoms } from './match-atoms';
import { byCost, specCost } from './match-cost';
import { compileValueMatcher, type ValueMatcher } from './value-matcher';
import { buildValueSpec, knownModifiers, type ValueSpec } from './value-spec';

/** A compiled search identifier (or one field comparison inside it). */
export interface Matchable {
  test(view: EventView): boolean;
  /** Relative cost of `test`, to evaluate cheap terms first. */
  cost: number;
  /** Necessary conditions for the rule index (see match-atoms). */
  atoms: Atoms;
  /** The comparisons that made it true, or undefined when it is false. */
  explain(view: EventView, selection: string): FieldMatch[] | undefined;
}

/** Maps a rule field name to the event's field name (logsource field mappings). */
export type FieldMapper = (field: string) => string;

function display(raw: DetectionValue): string {
  if (raw instanceof SigmaNumber) return raw.text;
  if (raw === null) return 'null';
  return typeof raw === 'string' ? raw : String(raw);
}

/** OR over text-pattern values of one case mode folds into one matcher (one Set / one pass). */
function mergePatterns(specs: ValueSpec[]): ValueSpec[] {
  const merged: ValueSpec[] = [];
  const byCase = new Map<boolean, Extract<ValueSpec, { kind: 'pattern' }>>();
  for (const s of specs) {
    if (s.kind !== 'pattern' || s.number !== undefined) {
      merged.push(s);
      continue;
    }
    const existing = byCase.get(s.cased);
    if (existing) existing.patterns.push(...s.patterns);
    else {
      const copy = { kind: 'pattern' as const, patterns: [...s.patterns], cased: s.cased };
      byCase.set(s.cased, copy);
      merged.push(copy);
    }
  }
  return merged;
}

/** One `field|modifiers: value(s)` entry (field empty: keywords). */
export function compileFieldItem(key: string, raw: DetectionValue, path: string, mapField: FieldMapper): Matchable {
  const [name = '', ...mods] = key.split('|');
  for (const m of mods) {
    if (m === 'expand') throw new RuleProblem(path, "placeholders ('expand') are not supported");
    if (!knownModifiers.has(m)) throw new RuleProblem(path, `unknown modifier '${m}'`);
  }
  const all = mods.includes('all');
  const neq = mods.includes('neq');
  const transforms = mods.filter((m) => m !== 'all' && m !== 'neq');
  const keyword = name === '';
  if (keyword && neq) throw new RuleProblem(path, "'neq' needs a field");
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) throw new RuleProblem(path, 'an empty list of values matches nothing');
  const field = keyword ? null : mapField(name);
  const specs = values.map((v, i) => buildValueSpec(v, transforms, Array.isArray(raw) ? `${path}[${i}]` : path, keyword));
  const perValue: ValueMatcher[] = specs.map((s) => compileValueMatcher(field, s));
  const fastSpecs = all ? specs : mergePatterns(specs);
  const fast: ValueMatcher[] = byCost(fastSpecs.map((s) => ({ cost: specCost(s, field), m: compileValueMatcher(field, s) }))).map((x) => x.m);
  const cost = fastSpecs.reduce((sum, s) => sum + specCost(s, field), 0);
  const valueAtoms = specs.map((s) => specAtoms(s, field));
  const atoms = neq ? null : all ? narrowestAtoms(valueAtoms) : unionAtoms(valueAtoms);
  const shown = mods.filter((m) => m !== 'all' || values.length > 1);

  const entry = (selection: string, eventField: string, value: string, actual: string): FieldMatch => ({
    selection,
    field: keyword ? null : name,
    eventField,
    modifiers: shown,
    value,
    actual: clip(actual),
  });

  if (neq) {
    // "The field is different from the specified values": present, and equal to none of them.
    const f = field as string;
    const test = (view: EventView): boolean => view.raw(f) != null && !fast.some((m) => m.test(view));
    return {
      test,
      cost,
      atoms,
      explain: (view, selection) => {
        if (!test(view)) return undefined;
        const actual = view.text(f);
        return [entry(selection, view.recordedName(f), values.map(display).join(', '), String(actual))];
      },
    };
  }
  const test =
    all
      ? (view: EventView): boolean => {
          for (const m of fast) if (!m.test(view)) return false;
          return true;
        }
      : fast.length === 1
        ? (fast[0] as ValueMatcher).test
        : (view: EventView): boolean => {
            for (const m of fast) if (m.test(view)) return true;
            return false;
          };
  return {
    test,
    cost,
    atoms,
    explain: (view, selection) => {
      // The fast test rejects most explanations before any per-value work.
      if (!test(view)) return undefined;
      const out: FieldMatch[] = [];
      for (let i = 0; i < perValue.length; i++) {
        const w = (perValue[i] as ValueMatcher).witness(view);
        if (!w) {
          if (all) return undefined;
          continue;
        }
        out.push(entry(selection, view.recordedName(w.field), display(values[i] as DetectionValue), w.text));
        if (!all) break;
      }
      return out.length ? out : undefined;
    },
  };
}

function andOf(written: Matchable[]): Matchable {
  const items = byCost(written);
  // Where each written term sits in cost order, to report matches in the order the rule reads.
  const positions = written.map((w) => items.indexOf(w));
  const test =
    items.length === 1
      ? (items[0] as Matchable).test
      : (view: EventView): boolean => {
          for (const it of items) if (!it.test(view)) return false;
          return true;
        };
  return {
    test,
    cost: items.reduce((sum, it) => sum + it.cost, 0),
    atoms: narrowestAtoms(items.map((it) => it.atoms)),
    explain: (view, selection) => {
      if (items.length === 1) return (items[0] as Matchable).explain(view, selection);
      // Cheapest first, so a false map is rejected as fast as `test` would.
      const parts: FieldMatch[][] = [];
      for (const it of items) {
        const e = it.explain(view, selection);
        if (!e) return undefined;
        parts.push(e);
      }
      const out: FieldMatch[] = [];
      for (const pos of positions) for (const m of parts[pos] as FieldMatch[]) out.push(m);
      return out;
    },
  };
}

function orOf(written: Matchable[]): Matchable {
  const items = byCost(written);
  const test =
    items.length === 1
      ? (items[0] as Matchable).test
      : (view: EventView): boolean => {
          for (const it of items) if (it.test(view)) return true;
          return false;
        };
  return {
    test,
    cost: items.reduce((sum, it) => sum + it.cost, 0),
    atoms: unionAtoms(items.map((it) => it.atoms)),
    explain: (view, selection) => {
      for (const it of written) {
        const e = it.explain(view, selection);
        if (e) return e;
      }
      return undefined;
    },
  };
}

function compileMap(map: Record<string, DetectionValue>, path: string, mapField: FieldMapper): Matchable {
  const keys = Object.keys(map);
  if (keys.length === 0) throw new RuleProblem(path, 'an empty map matches nothing');
  return andOf(keys.map((k) => compileFieldItem(k, map[k] as DetectionValue, `${path}.${k}`, mapField)));
}

function isMap(v: DetectionValue): v is Record<string, DetectionValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof SigmaNumber);
}

/**
 * A search identifier: a map (AND of fields), a list of maps (OR), a list of plain values
 * (keywords, OR), or one plain value (a keyword).
 */
export function compileSelection(name: string, raw: DetectionValue, mapField: FieldMapper): Matchable {
  const path = `detection.${name}`;
  if (isMap(raw)) return compileMap(raw, path, mapField);
  if (Array.isArray(raw)) {
    if (raw.length === 0) throw new RuleProblem(path, 'an empty list matches nothing');
    const keywords: DetectionValue[] = [];
    const parts: Matchable[] = [];
    raw.forEach((item, i) => {
      if (isMap(item)) parts.push(compileMap(item, `${path}[${i}]`, mapField));
      else if (Array.isArray(item)) throw new RuleProblem(`${path}[${i}]`, 'nested lists are not allowed');
      else keywords.push(item);
    });
    if (keywords.length) parts.unshift(compileFieldItem('', keywords, path, mapField));
    return orOf(parts);
  }
  if (raw === null) throw new RuleProblem(path, 'a search identifier cannot be empty');
  return compileFieldItem('', raw, path, mapField);
}
