import { SigmaNumber, type DetectionValue } from '../sigma-rule';
import { literalPattern } from '../sigma-pattern';
import { buildValueSpec, patternAlternatives } from '../value-spec';
import { list, allOf, not, term, type KqlExpr } from './kql-expr';
import { kqlString, sigmaRegexToRe2 } from './kql-literal';
import { columnSpec, type ColumnSpec, type TableMapping } from './kql-target';
import { KqlUnsupported } from './kql-unsupported';
import { atomText, patternAtoms, type Atom } from './value-atoms';

/** What one rule's conversion has gathered: its table, and the computed columns it uses. */
export interface ConversionScope {
  table: TableMapping;
  /** Column name → KQL expression, for `| extend`. */
  extends: Map<string, string>;
}

export function columnFor(scope: ConversionScope, field: string, path: string): ColumnSpec {
  const spec = Object.hasOwn(scope.table.fields, field) ? scope.table.fields[field] : scope.table.dataField?.(field);
  if (spec === undefined) throw new KqlUnsupported(`field '${field}' has no column in ${scope.table.table}`, path);
  const column = columnSpec(spec);
  if (column.extend) scope.extends.set(column.column, column.extend);
  return column;
}

/** A column whose text is the Sigma field's own (no rewritten values, no split into parts). */
function plainText(column: ColumnSpec, what: string, allowHive = false): string {
  const special = column.numeric ? 'holds numbers' : column.valueMap ? 'holds other values than Sysmon' : column.fileNameOnly ? 'holds only a file name' : column.hashColumns ? 'is split into one column per algorithm' : column.rewrite && !allowHive ? 'spells its values differently' : undefined;
  if (special) throw new KqlUnsupported(`${what} on ${column.column}, which ${special}`);
  return column.column;
}

const regexFlags: Record<string, 'i' | 'm' | 's'> = { i: 'i', ignorecase: 'i', m: 'm', multiline: 'm', s: 's', dotall: 's' };

function scalar(v: DetectionValue): string {
  return v instanceof SigmaNumber ? v.text : String(v);
}

/** One value of a field (with the modifiers in front of the list-level all/neq) as atoms. */
function valueAtoms(v: DetectionValue, mods: string[], path: string, column: ColumnSpec, scope: ConversionScope): Atom[] {
  const spec = buildValueSpec(v, mods, path, false);
  const col = column.column;
  switch (spec.kind) {
    case 'pattern': {
      if (spec.number !== undefined && column.numeric) return [{ kind: 'num', column: col, value: String(spec.number) }];
      const { patterns, cased } = patternAlternatives(v as string | SigmaNumber | boolean, mods, path, false);
      return patternAtoms(column, patterns, cased);
    }
    case 'bool':
      return patternAtoms(column, [literalPattern(String(spec.value))], false);
    case 'null':
      return [{ kind: 'raw', text: `isempty(${col})` }];
    case 'exists':
      return [{ kind: 'raw', text: `${spec.want ? 'isnotempty' : 'isempty'}(${col})` }];
    case 'regex': {
      const source = scalar(v);
      // Hive names differ between Sysmon and the table; a regex that names none is unaffected.
      plainText(column, 'a regular expression', !/hk(lm|u\\|cr|ey_)/i.test(source));
      const flags = { i: false, m: false, s: false };
      for (const m of mods.slice(1)) if (regexFlags[m]) flags[regexFlags[m]] = true;
      return [{ kind: 'op', column: col, op: 'matches regex', value: sigmaRegexToRe2(source, flags), cased: true }];
    }
    case 'cidr': {
      const network = scalar(v).trim();
      return [{ kind: 'cidr', column: plainText(column, 'a CIDR match'), network, v6: network.includes(':') }];
    }
    case 'compare': {
      if (spec.part) throw new KqlUnsupported(`the '${spec.part}' modifier (a part of a timestamp) does not convert`);
      if (!column.numeric) throw new KqlUnsupported(`a numeric comparison on ${col}, which holds text`);
      const op = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '==' }[spec.op];
      return [{ kind: 'raw', text: `${col} ${op} ${spec.n}` }];
    }
    case 'fieldref': {
      if (spec.starts || spec.ends) throw new KqlUnsupported("'fieldref' with contains/startswith/endswith does not convert");
      const other = plainText(columnFor(scope, spec.ref, path), `a field reference to '${spec.ref}'`);
      const self = plainText(column, 'a field reference');
      return [{ kind: 'raw', text: `(isnotempty(${self}) and ${self} ${spec.cased ? '==' : '=~'} ${other})` }];
    }
  }
}

type Groupable = Extract<Atom, { kind: 'eq' | 'num' | 'cidr' }>;

/** Atoms that can share one list with others like them (same shape, same column), by that likeness. */
function groupKey(a: Atom): string | undefined {
  if (a.kind === 'eq') return `eq\u0000${a.column}\u0000${a.cased}`;
  if (a.kind === 'num') return `num\u0000${a.column}`;
  return a.kind === 'cidr' && !a.v6 ? `v4\u0000${a.column}` : undefined;
}

function groupText(g: Groupable[]): string {
  const first = g[0] as Groupable;
  if (g.length === 1) return atomText(first);
  const values = (render: (a: Groupable) => string) => g.map(render).join(', ');
  switch (first.kind) {
    case 'num':
      return `${first.column} in (${values((a) => (a as { value: string }).value)})`;
    case 'eq':
      return `${first.column} ${first.cased ? 'in' : 'in~'} (${values((a) => kqlString((a as { value: string }).value))})`;
    case 'cidr':
      return `ipv4_is_in_any_range(${first.column}, ${values((a) => kqlString((a as { network: string }).network))})`;
  }
}

/**
 * Atoms OR-ed, as pySigma writes value lists: equal values on one column share one `in~` / `in`
 * (first), IPv4 networks one `ipv4_is_in_any_range`, the rest follow in rule order.
 */
export function anyAtom(atoms: Atom[]): KqlExpr {
  if (atoms.length === 1) return term(atomText(atoms[0] as Atom));
  const groups = new Map<string, Groupable[]>();
  for (const a of atoms) {
    const key = groupKey(a);
    if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), a as Groupable]);
  }
  const lists = [...groups].filter(([key]) => !key.startsWith('v4')).map(([, g]) => groupText(g));
  const rest: string[] = [];
  for (const a of atoms) {
    const key = groupKey(a);
    if (key === undefined) rest.push(atomText(a));
    else if (key.startsWith('v4') && groups.get(key)?.[0] === a) rest.push(groupText(groups.get(key) as Groupable[]));
  }
  return { kind: 'list', op: 'or', terms: [...lists, ...rest] };
}

/** One `field|modifiers: value(s)` entry of a selection. */
export function fieldTerms(key: string, raw: DetectionValue, path: string, scope: ConversionScope): KqlExpr {
  const [name = '', ...mods] = key.split('|');
  if (mods.includes('expand')) throw new KqlUnsupported("placeholders ('expand') do not convert", path);
  if (name === '') throw new KqlUnsupported('keyword search (values without a field) does not convert: name the field', path);
  const wide = mods.findIndex((m) => m.startsWith('utf16') || m === 'wide');
  if (wide >= 0 && !mods.slice(wide).some((m) => m.startsWith('base64')))
    throw new KqlUnsupported(`'${mods[wide]}' without base64 matches raw UTF-16 bytes, which a KQL text column does not hold`, path);
  const column = columnFor(scope, name, path);
  const transforms = mods.filter((m) => m !== 'all' && m !== 'neq');
  const values = Array.isArray(raw) ? raw : [raw];
  try {
    const perValue = values.map((v, i) => valueAtoms(v, transforms, Array.isArray(raw) ? `${path}[${i}]` : path, column, scope));
    if (mods.includes('neq')) return allOf([term(`isnotempty(${column.column})`), not(anyAtom(perValue.flat()))]);
    if (mods.includes('all') && values.length > 1) {
      if (perValue.every((a) => a.length === 1)) return list('and', perValue.map((a) => atomText(a[0] as Atom)));
      return allOf(perValue.map(anyAtom));
    }
    return anyAtom(perValue.flat());
  } catch (err) {
    throw err instanceof KqlUnsupported ? err.at(path) : err;
  }
}
