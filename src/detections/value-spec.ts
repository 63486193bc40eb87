import { compileCidr, type CidrTest } from './cidr';
import { compileSigmaRegex, type RegexFlags } from './regex-compat';
import { RuleProblem } from './rule-errors';
import { SigmaNumber, type DetectionValue } from './sigma-rule';
import {
  hasWildcards,
  literalPattern,
  mapLiterals,
  parseSigmaString,
  plainText,
  withLeadingMany,
  withTrailingMany,
  type Pattern,
} from './sigma-pattern';
import {
  base64,
  base64Offsets,
  countWindashPositions,
  maxWindashPositions,
  utf16be,
  utf16le,
  utf16WithBom,
  windashVariants,
  type EncodedText,
} from './value-encodings';

export const timeParts = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const;
export type TimePart = (typeof timeParts)[number];
export type CompareOp = 'lt' | 'lte' | 'gt' | 'gte' | 'eq';

/** One rule value after its modifiers were applied: what the compiled matcher tests. */
export type ValueSpec =
  | { kind: 'pattern'; patterns: Pattern[]; cased: boolean; number?: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'exists'; want: boolean }
  | { kind: 'regex'; re: RegExp }
  | { kind: 'cidr'; test: CidrTest }
  | { kind: 'compare'; op: CompareOp; n: number; part?: TimePart }
  | { kind: 'fieldref'; ref: string; starts: boolean; ends: boolean; cased: boolean };

const compareOps = new Set(['lt', 'lte', 'gt', 'gte']);
const regexFlagNames: Record<string, keyof RegexFlags> = { i: 'i', ignorecase: 'i', m: 'm', multiline: 'm', s: 's', dotall: 's' };
const anchorMods = new Set(['contains', 'startswith', 'endswith']);
const encodingMods = new Set(['base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide']);
const timePartSet = new Set<string>(timeParts);
export const knownModifiers = new Set([
  ...anchorMods,
  ...encodingMods,
  ...compareOps,
  ...Object.keys(regexFlagNames),
  ...timeParts,
  'all',
  'windash',
  're',
  'cidr',
  'neq',
  'exists',
  'cased',
  'fieldref',
]);

function problem(path: string, message: string): RuleProblem {
  return new RuleProblem(path, message);
}

/** The text a scalar value stands for (numbers as written). */
function scalarText(raw: DetectionValue, path: string, what: string): string {
  if (typeof raw === 'string') return raw;
  if (raw instanceof SigmaNumber) return raw.text;
  throw problem(path, `${what} needs a string value`);
}

function numberValue(raw: DetectionValue, path: string, modifier: string): number {
  if (raw instanceof SigmaNumber) return raw.value;
  throw problem(path, `'${modifier}' needs a number value`);
}

interface Alt {
  pattern: Pattern;
  binary: boolean;
}

function encodeAlt(alt: Alt, modifier: string, path: string): Alt[] {
  if (modifier === 'base64' || modifier === 'base64offset') {
    if (hasWildcards(alt.pattern)) throw problem(path, `'${modifier}' cannot encode a value with wildcards (or after contains/startswith/endswith)`);
    const value: EncodedText = { text: plainText(alt.pattern), binary: alt.binary };
    const encoded = modifier === 'base64' ? [base64(value)] : base64Offsets(value);
    return encoded.map((e) => ({ pattern: literalPattern(e.text), binary: false }));
  }
  const fn = modifier === 'utf16be' ? utf16be : modifier === 'utf16' ? utf16WithBom : utf16le;
  if (alt.binary) throw problem(path, `'${modifier}' applied to an already encoded value`);
  // A byte order mark belongs at the start of the value only.
  let first = true;
  const pattern = mapLiterals(alt.pattern, (text) => {
    const enc = modifier === 'utf16' && !first ? utf16le({ text, binary: false }) : fn({ text, binary: false });
    first = false;
    return enc.text;
  });
  return [{ pattern, binary: true }];
}

function windashAlt(alt: Alt, path: string): Alt[] {
  if (alt.binary) throw problem(path, "'windash' must come before encoding modifiers");
  let variants: Pattern[] = [[]];
  let positions = 0;
  for (const part of alt.pattern) {
    if (part.kind !== 'lit') {
      variants = variants.map((v) => [...v, part]);
      continue;
    }
    positions += countWindashPositions(part.text);
    if (positions > maxWindashPositions) throw problem(path, `'windash' supports at most ${maxWindashPositions} dash characters in one value`);
    const texts = windashVariants(part.text);
    const next: Pattern[] = [];
    for (const v of variants) for (const t of texts) next.push([...v, { kind: 'lit', text: t }]);
    variants = next;
  }
  return variants.map((pattern) => ({ pattern, binary: false }));
}

/**
 * The text patterns one value stands for after its modifiers (windash and base64offset give
 * several), in the rule's own letter case, and whether they compare case-sensitively. Shared by
 * the matcher (which folds them once) and the KQL conversion (which keeps the rule's text).
 */
export function patternAlternatives(raw: string | SigmaNumber | boolean, mods: readonly string[], path: string, keyword: boolean): { patterns: Pattern[]; cased: boolean } {
  let alts: Alt[];
  if (typeof raw === 'string') alts = [{ pattern: parseSigmaString(raw), binary: false }];
  else alts = [{ pattern: literalPattern(raw instanceof SigmaNumber ? raw.text : String(raw)), binary: false }];
  let cased = false;
  let anchored = false;
  for (const m of mods) {
    if (m === 'contains') alts = alts.map((a) => ({ ...a, pattern: withTrailingMany(withLeadingMany(a.pattern)) }));
    else if (m === 'startswith') alts = alts.map((a) => ({ ...a, pattern: withTrailingMany(a.pattern) }));
    else if (m === 'endswith') alts = alts.map((a) => ({ ...a, pattern: withLeadingMany(a.pattern) }));
    else if (m === 'cased') cased = true;
    else if (m === 'windash') alts = alts.flatMap((a) => windashAlt(a, path));
    else if (encodingMods.has(m)) {
      alts = alts.flatMap((a) => encodeAlt(a, m, path));
      // Base64 text is case-significant: folding it would match different bytes.
      if (m === 'base64' || m === 'base64offset') cased = true;
    } else throw problem(path, `'${m}' cannot be used here (check the modifier order)`);
    if (anchorMods.has(m)) anchored = true;
  }
  // Keywords search the whole event, so a bare keyword is found anywhere in a field's text.
  if (keyword && !anchored) alts = alts.map((a) => ({ ...a, pattern: withTrailingMany(withLeadingMany(a.pattern)) }));
  return { patterns: alts.map((a) => a.pattern), cased };
}

function buildPattern(raw: DetectionValue, mods: readonly string[], path: string, keyword: boolean): ValueSpec {
  if (raw === null) {
    if (mods.length) throw problem(path, `null cannot take the modifiers ${mods.join('|')}`);
    if (keyword) throw problem(path, 'a keyword cannot be null');
    return { kind: 'null' };
  }
  if (typeof raw === 'boolean' && mods.length === 0 && !keyword) return { kind: 'bool', value: raw };
  if (typeof raw !== 'string' && !(raw instanceof SigmaNumber) && typeof raw !== 'boolean')
    throw problem(path, 'a value must be a string, number, boolean or null (nested lists and maps are not allowed)');
  const alternatives = patternAlternatives(raw, mods, path, keyword);
  const cased = alternatives.cased;
  const patterns = alternatives.patterns.map((p) => (cased ? p : mapLiterals(p, (t) => t.toLowerCase())));
  const spec: ValueSpec = { kind: 'pattern', patterns, cased };
  if (raw instanceof SigmaNumber && mods.length === 0 && !keyword) spec.number = raw.value;
  return spec;
}

/**
 * Applies a field's modifier chain to one value (modifiers apply in the order written). `mods`
 * excludes the list-level `all` and `neq`, which the caller handles.
 */
export function buildValueSpec(raw: DetectionValue, mods: readonly string[], path: string, keyword: boolean): ValueSpec {
  const [first, ...rest] = mods;
  const needsField = (m: string): void => {
    if (keyword) throw problem(path, `'${m}' needs a field`);
  };
  if (first === 'exists') {
    needsField(first);
    if (rest.length) throw problem(path, "'exists' cannot be combined with other modifiers");
    if (typeof raw !== 'boolean') throw problem(path, "'exists' needs true or false");
    return { kind: 'exists', want: raw };
  }
  if (first === 're') {
    const flags: RegexFlags = { i: false, m: false, s: false };
    for (const m of rest) {
      const flag = regexFlagNames[m];
      if (flag) flags[flag] = true;
      else if (!anchorMods.has(m)) throw problem(path, `'${m}' cannot follow 're'`);
      // contains/startswith/endswith add nothing: a Sigma regex already matches anywhere in the value.
    }
    try {
      return { kind: 'regex', re: compileSigmaRegex(scalarText(raw, path, "'re'"), flags) };
    } catch (err) {
      if (err instanceof RuleProblem) throw err;
      throw problem(path, err instanceof Error ? err.message : String(err));
    }
  }
  for (const m of rest) {
    if (m === 'exists' || m === 're' || m === 'cidr' || m === 'fieldref') throw problem(path, `'${m}' must be the first modifier`);
  }
  for (const m of mods) if (regexFlagNames[m]) throw problem(path, `'${m}' is a flag of 're' and needs it`);
  if (first === 'cidr') {
    needsField(first);
    if (rest.length) throw problem(path, "'cidr' cannot be combined with other modifiers");
    try {
      return { kind: 'cidr', test: compileCidr(scalarText(raw, path, "'cidr'")) };
    } catch (err) {
      throw problem(path, err instanceof Error ? err.message : String(err));
    }
  }
  if (first === 'fieldref') {
    needsField(first);
    const ref = parseSigmaString(scalarText(raw, path, "'fieldref'"));
    if (hasWildcards(ref)) throw problem(path, 'a field reference cannot contain wildcards');
    const spec = { kind: 'fieldref' as const, ref: plainText(ref), starts: false, ends: false, cased: false };
    for (const m of rest) {
      if (m === 'contains') spec.starts = spec.ends = true;
      else if (m === 'startswith') spec.starts = true;
      else if (m === 'endswith') spec.ends = true;
      else if (m === 'cased') spec.cased = true;
      else throw problem(path, `'${m}' cannot follow 'fieldref'`);
    }
    return spec;
  }
  if (first && timePartSet.has(first)) {
    needsField(first);
    const n = numberValue(raw, path, first);
    if (rest.length > 1 || (rest[0] && !compareOps.has(rest[0]))) throw problem(path, `'${first}' may only be followed by lt, lte, gt or gte`);
    return { kind: 'compare', op: (rest[0] as CompareOp | undefined) ?? 'eq', n, part: first as TimePart };
  }
  if (first && compareOps.has(first)) {
    needsField(first);
    if (rest.length) throw problem(path, `'${first}' cannot be combined with other modifiers`);
    return { kind: 'compare', op: first as CompareOp, n: numberValue(raw, path, first) };
  }
  for (const m of rest) if (compareOps.has(m) || timePartSet.has(m)) throw problem(path, `'${m}' must be the first modifier`);
  return buildPattern(raw, mods, path, keyword);
}
