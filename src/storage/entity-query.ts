import { ArgusError } from '../errors/catalog';

/*
 * Structured queries over one table: what the Table Storage adapter compiles to an OData filter
 * (values quoted and escaped here, nowhere else) and the in-memory twin evaluates as a predicate.
 */

export type FieldValue = string | number | boolean;
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** A condition on a property (PartitionKey and RowKey may be named too). */
export type Condition =
  | { field: string; op: CompareOp; value: FieldValue }
  | { and: Condition[] }
  | { or: Condition[] };

/** Bounds on a key; `prefix` means every key starting with it. */
export interface KeyRange {
  ge?: string;
  gt?: string;
  le?: string;
  lt?: string;
  prefix?: string;
}

export interface EntityQuery {
  /** One partition, or a range of them. */
  partitionKey?: string | KeyRange;
  rowKey?: string | KeyRange;
  where?: Condition;
  /** Only these properties (Table Storage's $select); the etag always comes along. */
  select?: readonly string[];
}

const compare = (op: CompareOp) => (field: string, value: FieldValue): Condition => ({ field, op, value });
export const eq = compare('eq');
export const ne = compare('ne');
export const lt = compare('lt');
export const le = compare('le');
export const gt = compare('gt');
export const ge = compare('ge');
export const and = (...conditions: Condition[]): Condition => ({ and: conditions });
export const or = (...conditions: Condition[]): Condition => ({ or: conditions });

const fieldName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The key conditions and `where` of a query as one list of conditions (all must hold). */
function conditionsOf(query: EntityQuery): Condition[] {
  return [...keyConditions('PartitionKey', query.partitionKey), ...keyConditions('RowKey', query.rowKey), ...(query.where ? [query.where] : [])];
}

function keyConditions(field: 'PartitionKey' | 'RowKey', key: string | KeyRange | undefined): Condition[] {
  if (key === undefined) return [];
  if (typeof key === 'string') return [eq(field, key)];
  const out: Condition[] = [];
  if (key.prefix !== undefined) {
    if (key.prefix === '') throw new ArgusError('ARGUS_INTERNAL', `empty ${field} prefix`);
    out.push(ge(field, key.prefix), lt(field, prefixEnd(key.prefix)));
  }
  for (const op of ['ge', 'gt', 'le', 'lt'] as const) {
    const bound = key[op];
    if (bound !== undefined) out.push(compare(op)(field, bound));
  }
  return out;
}

/** The first string after every string that starts with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** The OData $filter of a query; undefined when it matches every row. */
export function toODataFilter(query: EntityQuery): string | undefined {
  const parts = conditionsOf(query);
  return parts.length === 0 ? undefined : parts.map((c) => compile(c, parts.length > 1)).join(' and ');
}

function compile(condition: Condition, nested: boolean): string {
  if ('field' in condition) {
    if (!fieldName.test(condition.field)) throw new ArgusError('ARGUS_INTERNAL', `invalid property name in a query: ${condition.field}`);
    return `${condition.field} ${condition.op} ${literal(condition.value)}`;
  }
  const [joiner, items] = 'and' in condition ? ([' and ', condition.and] as const) : ([' or ', condition.or] as const);
  if (items.length === 0) throw new ArgusError('ARGUS_INTERNAL', 'an empty and/or in a query');
  if (items.length === 1) return compile(items[0]!, nested);
  const text = items.map((c) => compile(c, true)).join(joiner);
  return nested ? `(${text})` : text;
}

/** An OData literal; a string's single quotes are doubled. */
function literal(value: FieldValue): string {
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ArgusError('ARGUS_INTERNAL', `not a finite number in a query: ${value}`);
    return String(value);
  }
  return value ? 'true' : 'false';
}

const comparisons: Record<CompareOp, (a: FieldValue, b: FieldValue) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
};

/** Whether an entity matches a query, as Table Storage decides it. */
export function matchesQuery(entity: Record<string, unknown>, query: EntityQuery): boolean {
  return conditionsOf(query).every((c) => holds(entity, c));
}

function holds(entity: Record<string, unknown>, condition: Condition): boolean {
  if ('and' in condition) return condition.and.every((c) => holds(entity, c));
  if ('or' in condition) return condition.or.some((c) => holds(entity, c));
  const actual = condition.field === 'PartitionKey' ? entity.partitionKey : condition.field === 'RowKey' ? entity.rowKey : entity[condition.field];
  // A missing property, or one of another type, satisfies no comparison (not even `ne`).
  if (typeof actual !== typeof condition.value) return false;
  return comparisons[condition.op](actual as FieldValue, condition.value);
}
