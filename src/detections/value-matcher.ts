import type { EventView } from './event-view';
import { compileAlternatives, type StringTest } from './sigma-pattern';
import type { CompareOp, TimePart, ValueSpec } from './value-spec';

/** Where a value matched: the event field and its text. */
export interface Witness {
  field: string;
  text: string;
}

/** A compiled rule value bound to its event field (null field: keyword over the whole event). */
export interface ValueMatcher {
  test(view: EventView): boolean;
  /** Slow path for explanations: where the value matched, if it did. */
  witness(view: EventView): Witness | undefined;
}

const numericText = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$|^\s*0[xX][0-9a-fA-F]+\s*$/;

export function toNumber(text: string): number | undefined {
  return numericText.test(text) ? Number(text) : undefined;
}

/** ISO-8601 week number of a calendar date. */
function isoWeek(year: number, month: number, day: number): number {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

const dateText = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/;

/** A part of a timestamp as written (no time zone conversion, as the modifiers appendix says). */
function timePart(text: string, part: TimePart): number | undefined {
  const m = dateText.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  switch (part) {
    case 'year':
      return year;
    case 'month':
      return month;
    case 'day':
      return day;
    case 'week':
      return isoWeek(year, month, day);
    case 'hour':
      return m[4] === undefined ? undefined : Number(m[4]);
    case 'minute':
      return m[5] === undefined ? undefined : Number(m[5]);
  }
}

function compare(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'eq':
      return a === b;
  }
}

/** The string test and case mode of a spec that compares field text, or undefined. */
export function textTest(spec: ValueSpec): { cased: boolean; test: StringTest } | undefined {
  switch (spec.kind) {
    case 'pattern': {
      const alts = compileAlternatives(spec.patterns);
      const n = spec.number;
      if (n === undefined) return { cased: spec.cased, test: alts };
      return { cased: false, test: (s) => alts(s) || toNumber(s) === n };
    }
    case 'bool': {
      const want = String(spec.value);
      return { cased: false, test: (s) => s === want };
    }
    case 'regex': {
      const re = spec.re;
      return { cased: true, test: (s) => re.test(s) };
    }
    case 'cidr':
      return { cased: true, test: spec.test };
    case 'compare': {
      const { op, n, part } = spec;
      return {
        cased: true,
        test: (s) => {
          const v = part ? timePart(s, part) : toNumber(s);
          return v !== undefined && compare(op, v, n);
        },
      };
    }
    default:
      return undefined;
  }
}

function firstMatch(view: EventView, field: string, cased: boolean, test: StringTest): Witness | undefined {
  const v = cased ? view.text(field) : view.lower(field);
  if (v === null) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  for (let i = 0; i < list.length; i++) {
    if (test(list[i] as string)) {
      const original = view.text(field);
      const text = typeof original === 'string' ? original : (original?.[i] ?? '');
      return { field, text };
    }
  }
  return undefined;
}

function fieldrefMatcher(field: string, spec: Extract<ValueSpec, { kind: 'fieldref' }>): ValueMatcher {
  const get = (view: EventView, f: string) => (spec.cased ? view.text(f) : view.lower(f));
  const relate = (a: string, b: string): boolean =>
    spec.starts && spec.ends ? a.includes(b) : spec.starts ? a.startsWith(b) : spec.ends ? a.endsWith(b) : a === b;
  const test = (view: EventView): boolean => {
    const a = get(view, field);
    const b = get(view, spec.ref);
    if (a === null || b === null) return false;
    const as = typeof a === 'string' ? [a] : a;
    const bs = typeof b === 'string' ? [b] : b;
    for (const x of as) for (const y of bs) if (relate(x, y)) return true;
    return false;
  };
  return {
    test,
    witness: (view) => (test(view) ? { field, text: String(view.text(field)) } : undefined),
  };
}

/** Compiles one value spec against a field (or, when `field` is null, as a keyword). */
export function compileValueMatcher(field: string | null, spec: ValueSpec): ValueMatcher {
  if (spec.kind === 'null') {
    if (field === null) throw new Error('null keyword');
    return {
      test: (view) => view.raw(field) == null,
      witness: (view) => (view.raw(field) == null ? { field, text: view.has(field) ? 'null' : '(missing)' } : undefined),
    };
  }
  if (spec.kind === 'exists') {
    if (field === null) throw new Error('exists keyword');
    return {
      test: (view) => view.has(field) === spec.want,
      witness: (view) => (view.has(field) === spec.want ? { field, text: spec.want ? 'present' : '(missing)' } : undefined),
    };
  }
  if (spec.kind === 'fieldref') {
    if (field === null) throw new Error('fieldref keyword');
    return fieldrefMatcher(field, spec);
  }
  const t = textTest(spec);
  if (!t) throw new Error(`unhandled value kind ${spec.kind}`);
  const { cased, test } = t;
  if (field === null) {
    return {
      test: (view) => view.findAnyField(cased, test) !== undefined,
      witness: (view) => {
        const hit = view.findAnyField(cased, test);
        if (!hit) return undefined;
        const original = view.text(hit.field);
        return { field: hit.field, text: typeof original === 'string' ? original : hit.text };
      },
    };
  }
  return {
    test: cased ? (view) => view.someText(field, test) : (view) => view.someLower(field, test),
    witness: (view) => firstMatch(view, field, cased, test),
  };
}
