/**
 * Sigma string values with wildcards (sigma-rules-specification §"String Wildcard" and §"Escaping").
 * A value is parsed once into parts; `*` matches any run of characters, `?` exactly one.
 * A backslash escapes `*`, `?` and itself; before any other character it is a plain backslash,
 * so `C:\Windows\` keeps its backslashes and `\\\\` stands for two.
 */
export type PatternPart = { kind: 'lit'; text: string } | { kind: 'many' } | { kind: 'one' };
export type Pattern = readonly PatternPart[];

const many: PatternPart = { kind: 'many' };
const one: PatternPart = { kind: 'one' };

export function literalPattern(text: string): Pattern {
  return text ? [{ kind: 'lit', text }] : [];
}

/** Parses a rule value (as written in YAML) into literal and wildcard parts. */
export function parseSigmaString(raw: string): Pattern {
  const parts: PatternPart[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit) parts.push({ kind: 'lit', text: lit });
    lit = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        lit += next;
        i++;
      } else {
        lit += '\\';
      }
    } else if (c === '*' || c === '?') {
      flush();
      parts.push(c === '*' ? many : one);
    } else {
      lit += c;
    }
  }
  flush();
  return normalizePattern(parts);
}

/** Merges adjacent literals and collapses runs of `*`. */
export function normalizePattern(parts: readonly PatternPart[]): Pattern {
  const out: PatternPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.kind === 'lit') {
      if (!p.text) continue;
      if (last?.kind === 'lit') out[out.length - 1] = { kind: 'lit', text: last.text + p.text };
      else out.push(p);
    } else if (p.kind === 'many') {
      if (last?.kind !== 'many') out.push(many);
    } else {
      out.push(one);
    }
  }
  return out;
}

export function hasWildcards(pattern: Pattern): boolean {
  return pattern.some((p) => p.kind !== 'lit');
}

/** The literal text of a pattern that has no wildcards. */
export function plainText(pattern: Pattern): string {
  return pattern.map((p) => (p.kind === 'lit' ? p.text : '')).join('');
}

/** Renders a pattern back to Sigma notation (for explanations). */
export function patternToSigma(pattern: Pattern): string {
  return pattern
    .map((p) => (p.kind === 'lit' ? p.text.replace(/[\\*?]/g, (c) => `\\${c}`) : p.kind === 'many' ? '*' : '?'))
    .join('');
}

export function withLeadingMany(pattern: Pattern): Pattern {
  return pattern[0]?.kind === 'many' ? pattern : [many, ...pattern];
}

export function withTrailingMany(pattern: Pattern): Pattern {
  return pattern[pattern.length - 1]?.kind === 'many' ? pattern : [...pattern, many];
}

export function mapLiterals(pattern: Pattern, fn: (text: string) => string): Pattern {
  return pattern.map((p) => (p.kind === 'lit' ? { kind: 'lit', text: fn(p.text) } : p));
}

const regexSyntax = /[\\^$.*+?()[\]{}|/]/g;

/** Escapes literal text for a RegExp compiled with the `u` flag (only syntax characters may be escaped there). */
export function escapeRegExp(text: string): string {
  return text.replace(regexSyntax, '\\$&');
}

export type StringTest = (value: string) => boolean;

/**
 * Compiles one pattern into a test over an already case-folded (or cased) string. Common shapes use
 * plain string operations; anything else becomes one RegExp, built here and never per event.
 */
export function compilePattern(pattern: Pattern): StringTest {
  const n = pattern.length;
  if (n === 0) return (s) => s === '';
  const first = pattern[0] as PatternPart;
  const last = pattern[n - 1] as PatternPart;
  if (n === 1) {
    if (first.kind === 'lit') {
      const t = first.text;
      return (s) => s === t;
    }
    if (first.kind === 'many') return () => true;
  }
  if (n === 2) {
    if (first.kind === 'lit' && last.kind === 'many') {
      const t = first.text;
      return (s) => s.startsWith(t);
    }
    if (first.kind === 'many' && last.kind === 'lit') {
      const t = last.text;
      return (s) => s.endsWith(t);
    }
  }
  if (n === 3 && first.kind === 'many' && last.kind === 'many') {
    const mid = pattern[1] as PatternPart;
    if (mid.kind === 'lit') {
      const t = mid.text;
      return (s) => s.includes(t);
    }
  }
  const anchoredStart = first.kind !== 'many';
  const anchoredEnd = last.kind !== 'many';
  const body = pattern
    .slice(anchoredStart ? 0 : 1, anchoredEnd ? n : n - 1)
    .map((p) => (p.kind === 'lit' ? escapeRegExp(p.text) : p.kind === 'many' ? '.*?' : '.'))
    .join('');
  const re = new RegExp(`${anchoredStart ? '^' : ''}${body}${anchoredEnd ? '$' : ''}`, 'su');
  return (s) => re.test(s);
}

type Shape = 'exact' | 'prefix' | 'suffix' | 'infix' | 'other';

function shapeOf(p: Pattern): { shape: Shape; text: string } {
  const n = p.length;
  const a = p[0];
  const b = p[n - 1];
  if (n === 1 && a?.kind === 'lit') return { shape: 'exact', text: a.text };
  if (n === 2 && a?.kind === 'lit' && b?.kind === 'many') return { shape: 'prefix', text: a.text };
  if (n === 2 && a?.kind === 'many' && b?.kind === 'lit') return { shape: 'suffix', text: b.text };
  const mid = p[1];
  if (n === 3 && a?.kind === 'many' && b?.kind === 'many' && mid?.kind === 'lit') return { shape: 'infix', text: mid.text };
  return { shape: 'other', text: '' };
}

/**
 * OR over several patterns, grouped by shape so one call runs native string searches in tight
 * loops: exact values share one Set, prefixes/suffixes/infixes are plain string lists, and only
 * irregular wildcard patterns become RegExps.
 */
export function compileAlternatives(patterns: readonly Pattern[]): StringTest {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  const infixes: string[] = [];
  const others: StringTest[] = [];
  let matchesAll = false;
  for (const p of patterns) {
    if (p.length === 1 && p[0]?.kind === 'many') matchesAll = true;
    const { shape, text } = shapeOf(p);
    if (shape === 'exact') exact.add(text);
    else if (shape === 'prefix') prefixes.push(text);
    else if (shape === 'suffix') suffixes.push(text);
    else if (shape === 'infix') infixes.push(text);
    else if (p.length === 0) exact.add('');
    else others.push(compilePattern(p));
  }
  if (matchesAll) return () => true;
  const groups = [exact.size, prefixes.length, suffixes.length, infixes.length, others.length].filter((n) => n > 0).length;
  if (groups === 1) {
    if (exact.size === 1) {
      const only = exact.values().next().value as string;
      return (s) => s === only;
    }
    if (exact.size) return (s) => exact.has(s);
    if (suffixes.length === 1) {
      const t = suffixes[0] as string;
      return (s) => s.endsWith(t);
    }
    if (infixes.length === 1) {
      const t = infixes[0] as string;
      return (s) => s.includes(t);
    }
    if (others.length === 1) return others[0] as StringTest;
  }
  // Four or more substrings: one scan by a RegExp alternation beats one `includes` per value.
  const anyInfix = infixes.length >= 4 ? new RegExp(infixes.map(escapeRegExp).join('|'), 'u') : undefined;
  if (anyInfix && groups === 1) return (s) => anyInfix.test(s);
  return (s) => {
    if (exact.size && exact.has(s)) return true;
    for (let i = 0; i < suffixes.length; i++) if (s.endsWith(suffixes[i] as string)) return true;
    if (anyInfix) {
      if (anyInfix.test(s)) return true;
    } else for (let i = 0; i < infixes.length; i++) if (s.includes(infixes[i] as string)) return true;
    for (let i = 0; i < prefixes.length; i++) if (s.startsWith(prefixes[i] as string)) return true;
    for (let i = 0; i < others.length; i++) if ((others[i] as StringTest)(s)) return true;
    return false;
  };
}
