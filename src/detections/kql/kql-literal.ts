import type { Pattern } from '../sigma-pattern';
import { KqlUnsupported } from './kql-unsupported';

/**
 * KQL text for values: string literals with the escapes KQL reads (`\\`, `\"`, `\n`, `\r`, `\t`),
 * and RE2 regular expressions for Sigma wildcards in the middle of a value.
 */

const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A double-quoted KQL string literal. Other control characters have no escape KQL reads: refused. */
export function kqlString(text: string): string {
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control) throw new KqlUnsupported(`a value with the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${text.replace(/[\\"\n\r\t]/g, (c) => escapes[c] as string)}"`;
}

/** Escapes literal text for RE2 (the engine behind KQL's `matches regex`). */
export function re2Escape(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * A wildcard pattern as an RE2 expression over the whole value: `*` any run of characters
 * (newlines included, as in Sigma), `?` one character; anchored where the pattern does not start
 * or end with `*`. `cased: false` adds the case-insensitive flag.
 */
export function patternRegex(pattern: Pattern, cased: boolean): string {
  const first = pattern[0];
  const last = pattern[pattern.length - 1];
  const start = first?.kind === 'many' ? '' : '^';
  const end = last?.kind === 'many' ? '' : '$';
  const body = pattern
    .slice(start ? 0 : 1, end ? pattern.length : pattern.length - 1)
    .map((p) => (p.kind === 'lit' ? re2Escape(p.text) : p.kind === 'many' ? '.*' : '.'))
    .join('');
  return `(?${cased ? '' : 'i'}s)${start}${body}${end}`;
}

/**
 * Constructs of a Sigma (PCRE) regular expression that JavaScript has but RE2 lacks (what neither
 * has, the rule compiler has refused already).
 */
const re2Missing: [RegExp, string][] = [
  [/\(\?<?[=!]/, 'lookahead or lookbehind'],
  [/\\[1-9]|\\k[<{']/, 'back-references'],
  [/\\Z/, '\\Z'],
];

/** A Sigma `re` value as a KQL regex (flags from the modifiers in front); refuses what RE2 lacks. */
export function sigmaRegexToRe2(source: string, flags: { i: boolean; m: boolean; s: boolean }): string {
  for (const [re, what] of re2Missing) if (re.test(source)) throw new KqlUnsupported(`the regular expression uses ${what}, which KQL (RE2) does not support`);
  const letters = `${flags.i ? 'i' : ''}${flags.m ? 'm' : ''}${flags.s ? 's' : ''}`;
  return letters ? `(?${letters})${source}` : source;
}
