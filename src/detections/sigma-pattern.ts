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

/** OR over several patterns; exact literals share one Set lookup. */
export function compileAlternatives(patterns: readonly Pattern[]): StringTest {
  const exact = new Set<string>();
  const others: StringTest[] = [];
  for (const p of patterns) {
    if (!hasWildcards(p)) exact.add(plainText(p));
    else others.push(compilePattern(p));
  }
  if (others.length === 0) {
    if (exact.size === 1) {
      const only = exact.values().next().value as string;
      return (s) => s === only;
    }
    return (s) => exact.has(s);
  }
  if (exact.size === 0 && others.length === 1) return others[0] as StringTest;
  return (s) => {
    if (exact.size > 0 && exact.has(s)) return true;
    for (const t of others) if (t(s)) return true;
    return false;
  };
}
