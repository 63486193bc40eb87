import type { Pattern } from '../sigma-pattern';
import { toNumber } from '../value-matcher';
import type { ColumnSpec } from './kql-target';
import { kqlString, patternRegex } from './kql-literal';
import { KqlUnsupported } from './kql-unsupported';

/** One comparison on one column, before it is written as KQL (so equal values can share one `in~`). */
export type Atom =
  | { kind: 'eq'; column: string; value: string; cased: boolean }
  | { kind: 'num'; column: string; value: string }
  | { kind: 'op'; column: string; op: 'contains' | 'startswith' | 'endswith' | 'matches regex'; value: string; cased: boolean }
  | { kind: 'cidr'; column: string; network: string; v6: boolean }
  | { kind: 'raw'; text: string };

export function atomText(a: Atom): string {
  switch (a.kind) {
    case 'eq':
      return `${a.column} ${a.cased ? '==' : '=~'} ${kqlString(a.value)}`;
    case 'num':
      return `${a.column} == ${a.value}`;
    case 'op':
      return `${a.column} ${a.op}${a.cased && a.op !== 'matches regex' ? '_cs' : ''} ${kqlString(a.value)}`;
    case 'cidr':
      return `${a.v6 ? 'ipv6' : 'ipv4'}_is_in_range(${a.column}, ${kqlString(a.network)})`;
    case 'raw':
      return a.text;
  }
}

/** A wildcard pattern on a text column: the plainest operator that says exactly the same. */
function textAtom(column: string, p: Pattern, cased: boolean): Atom {
  const [a, b, c] = p;
  if (p.length === 0) return { kind: 'eq', column, value: '', cased };
  if (p.length === 1 && a?.kind === 'lit') return { kind: 'eq', column, value: a.text, cased };
  if (p.length === 1 && a?.kind === 'many') return { kind: 'raw', text: `isnotempty(${column})` };
  if (p.length === 2 && a?.kind === 'lit' && b?.kind === 'many') return { kind: 'op', column, op: 'startswith', value: a.text, cased };
  if (p.length === 2 && a?.kind === 'many' && b?.kind === 'lit') return { kind: 'op', column, op: 'endswith', value: b.text, cased };
  if (p.length === 3 && a?.kind === 'many' && b?.kind === 'lit' && c?.kind === 'many') return { kind: 'op', column, op: 'contains', value: b.text, cased };
  return { kind: 'op', column, op: 'matches regex', value: patternRegex(p, cased), cased: true };
}

/** Sysmon's hive abbreviations, as Defender XDR and ASIM spell them (after pySigma's pipelines). */
const hives: [RegExp, string][] = [
  [/^HKLM\\/i, 'HKEY_LOCAL_MACHINE\\'],
  [/^HKU\\/i, 'HKEY_USERS\\'],
  [/^HKCR\\/i, 'HKEY_LOCAL_MACHINE\\CLASSES\\'],
];

function rewriteHive(p: Pattern): Pattern {
  const i = p[0]?.kind === 'many' ? 1 : 0;
  const part = p[i];
  if (part?.kind !== 'lit') return p;
  for (const [re, full] of hives) {
    if (re.test(part.text)) return [...p.slice(0, i), { kind: 'lit', text: part.text.replace(re, full) }, ...p.slice(i + 1)];
  }
  return p;
}

/** The literal of a pattern that is `text`, `*text`, `text*` or `*text*` (else undefined). */
function onlyLiteral(p: Pattern): string | undefined {
  const inner = p.filter((x, i) => !(x.kind === 'many' && (i === 0 || i === p.length - 1)));
  return inner.length === 1 && inner[0]?.kind === 'lit' ? inner[0].text : undefined;
}

const hashLengths: Record<number, string> = { 32: 'MD5', 40: 'SHA1', 64: 'SHA256' };
const hexDigits: Record<string, number> = { MD5: 32, SHA1: 40, SHA256: 64, IMPHASH: 32 };

/** `SHA256=ab12…` (or a bare hash, known by its length) on the column of its algorithm. */
function hashAtom(columns: Record<string, string>, p: Pattern): Atom {
  const text = onlyLiteral(p) ?? '';
  const m = /^(?:([A-Za-z0-9]+)[=|])?([0-9A-Fa-f]+)$/.exec(text);
  const algorithm = m?.[1]?.toUpperCase() ?? hashLengths[m?.[2]?.length ?? 0];
  const column = algorithm ? columns[algorithm] : undefined;
  if (!m || !algorithm) throw new KqlUnsupported(`Hashes value '${text || '(pattern)'}' is not ALGORITHM=hex`);
  if (!column) throw new KqlUnsupported(`the table has no column for ${algorithm} hashes (it has ${Object.keys(columns).join(', ')})`);
  // A partial hash would be a substring search, which one column's equality cannot say.
  if (hexDigits[algorithm] !== m[2]?.length) throw new KqlUnsupported(`Hashes value '${text}' is not a whole ${algorithm} hash`);
  return { kind: 'eq', column, value: m[2] as string, cased: false };
}

/** Patterns of one value (several after windash/base64offset) as atoms on the field's column. */
export function patternAtoms(spec: ColumnSpec, patterns: Pattern[], cased: boolean): Atom[] {
  const column = spec.column;
  return patterns.flatMap((raw): Atom[] => {
    const p = spec.rewrite === 'registry-hive' ? rewriteHive(raw) : raw;
    const exact = p.length === 1 && p[0]?.kind === 'lit' ? p[0].text : p.length === 0 ? '' : undefined;
    if (spec.hashColumns) return [hashAtom(spec.hashColumns, p)];
    if (spec.valueMap) {
      const mapped = exact === undefined ? undefined : spec.valueMap[exact.toLowerCase()];
      if (!mapped) throw new KqlUnsupported(`only the values ${Object.keys(spec.valueMap).join(', ')} (exactly) convert to ${column}`);
      return mapped.map((value) => ({ kind: 'eq', column, value, cased: false }));
    }
    if (spec.fileNameOnly) {
      const name = p.length === 2 && p[0]?.kind === 'many' && p[1]?.kind === 'lit' ? /^[\\/]([^\\/]+)$/.exec(p[1].text)?.[1] : undefined;
      if (!name) throw new KqlUnsupported(`${column} holds only a file name, so only values ending in \\name convert`);
      return [{ kind: 'eq', column, value: name, cased }];
    }
    if (spec.numeric) {
      if (exact === undefined || toNumber(exact) === undefined) throw new KqlUnsupported(`${column} is a number column; only whole numbers convert`);
      return [{ kind: 'num', column, value: String(toNumber(exact)) }];
    }
    return [textAtom(column, p, cased)];
  });
}
