/**
 * The `re` modifier: Sigma regular expressions are PCRE. Most of PCRE's everyday syntax means the
 * same in JavaScript, but a few escapes silently mean something else there (`\A` is a plain `A`
 * without the `u` flag), so they are translated or refused here rather than matching wrongly.
 */

export interface RegexFlags {
  i: boolean;
  m: boolean;
  s: boolean;
}

/** PCRE escapes JavaScript has no equivalent for. */
const unsupportedEscapes: Record<string, string> = {
  Q: '\\Q…\\E quoting',
  E: '\\Q…\\E quoting',
  K: '\\K (reset match start)',
  G: '\\G (continue anchor)',
  R: '\\R (any newline)',
  X: '\\X (grapheme cluster)',
  h: '\\h (horizontal space)',
  H: '\\H',
  V: '\\V',
  N: '\\N',
  C: '\\C (single byte)',
  e: '\\e (escape char)',
  a: '\\a (bell)',
  p: '\\p{…} (Unicode property)',
  P: '\\P{…} (Unicode property)',
  o: '\\o{…} (octal)',
  g: '\\g (back-reference syntax)',
  L: '\\L',
  l: '\\l',
  U: '\\U',
  u: '\\u (not a PCRE escape)',
};

/**
 * Translates a PCRE source into a JavaScript RegExp source. Leading inline flags `(?i)`, `(?s)`,
 * `(?m)` (or combined, `(?is)`) are lifted into `flags`. Throws a plain Error naming what is unsupported.
 */
export function translatePcre(source: string, flags: RegexFlags): { source: string; flags: RegexFlags } {
  const out = { ...flags };
  let rest = source;
  const inline = /^\(\?([ims]+)\)/.exec(rest);
  if (inline) {
    for (const f of inline[1] as string) out[f as keyof RegexFlags] = true;
    rest = rest.slice(inline[0].length);
  }
  let js = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i] as string;
    if (c === '\\') {
      const next = rest[i + 1];
      if (next === undefined) throw new Error('the expression ends with a lone backslash');
      if (!inClass && next === 'A') js += '(?<![\\s\\S])';
      else if (!inClass && next === 'z') js += '(?![\\s\\S])';
      else if (!inClass && next === 'Z') js += '(?=\\n?(?![\\s\\S]))';
      else if (unsupportedEscapes[next]) throw new Error(`${unsupportedEscapes[next]} is not supported`);
      else js += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      if (c === '[' && rest[i + 1] === ':') throw new Error('POSIX character classes ([:alpha:]) are not supported');
      js += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      js += c;
      // A `]` right after `[` or `[^` is a literal in PCRE.
      if (rest[i + 1] === '^') {
        js += '^';
        i++;
      }
      if (rest[i + 1] === ']') {
        js += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && rest[i + 1] === '?') {
      const ahead = rest.slice(i + 2, i + 4);
      if (ahead.startsWith('>')) throw new Error('atomic groups (?>…) are not supported');
      if (ahead.startsWith('#')) throw new Error('comments (?#…) are not supported');
      if (ahead.startsWith('P') && rest[i + 4] !== '<') throw new Error('(?P…) constructs other than named groups are not supported');
      if (/^[imsx-]/.test(ahead)) throw new Error('inline flags are only supported at the very start of the expression');
      if (ahead.startsWith('P')) {
        js += '(?';
        i += 2; // drop the P of (?P<name>…), JavaScript writes (?<name>…)
        continue;
      }
    }
    if ((c === '+' || c === '}') && rest[i + 1] === '+') throw new Error('possessive quantifiers are not supported');
    if ((c === '*' || c === '?') && rest[i + 1] === '+' && rest[i - 1] !== '\\') throw new Error('possessive quantifiers are not supported');
    js += c;
  }
  return { source: js, flags: out };
}

/** Compiles a Sigma `re` value once; throws a plain Error with the reason. */
export function compileSigmaRegex(source: string, flags: RegexFlags): RegExp {
  const t = translatePcre(source, flags);
  const f = `${t.flags.i ? 'i' : ''}${t.flags.m ? 'm' : ''}${t.flags.s ? 's' : ''}`;
  try {
    return new RegExp(t.source, f);
  } catch (err) {
    throw new Error(`invalid regular expression: ${err instanceof Error ? err.message : String(err)}`);
  }
}
