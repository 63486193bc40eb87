import type { Incident, IncidentEntity } from '../incidents/incident';
import type { ParameterType, QueryDefinition, QueryParameter } from './query-schema';

/**
 * Parameters reach a query as KQL `let` statements put before it (`let host = "FIN-WS-042";`),
 * each value written as a literal of its type, never pasted into the query text. Entity values
 * come from alerts, so they are attacker-influenced: a string is escaped as a KQL string literal
 * (only the escapes the language documents: `\\`, `\"`, `\t`, `\n`), and anything a literal
 * cannot carry safely is refused rather than guessed at.
 */

export class BindingError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'BindingError';
  }
}

/** Longest string value bound; host names, UPNs, URLs and hashes are far shorter. */
export const maxStringLength = 4096;

/** Control characters other than tab and line feed, DEL, C1 controls and the Unicode line/paragraph separators. */
const unsafeCharacters = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/;

/** A double-quoted KQL string literal holding exactly `value`. */
export function kqlString(value: string, parameter = 'value'): string {
  if (value.length > maxStringLength) throw new BindingError(parameter, `${parameter} is longer than ${maxStringLength} characters`);
  if (unsafeCharacters.test(value)) throw new BindingError(parameter, `${parameter} contains control characters`);
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  return `"${escaped}"`;
}

/** RFC 3339 with a zone (Z or ±hh:mm): what Sentinel and Log Analytics write. */
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** `datetime(2024-05-01T10:00:00.000Z)`: the value is re-written from the parsed instant. */
export function kqlDatetime(value: unknown, parameter = 'value'): string {
  const ms = typeof value === 'string' && isoDateTime.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new BindingError(parameter, `${parameter} is not a date and time with a zone (2024-05-01T10:00:00Z)`);
  return `datetime(${new Date(ms).toISOString()})`;
}

/** `int(42)`: KQL's int is 32 bits. */
export function kqlInt(value: unknown, parameter = 'value'): string {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < -2_147_483_648 || n > 2_147_483_647) throw new BindingError(parameter, `${parameter} is not a 32-bit integer`);
  return `int(${n})`;
}

export function kqlLiteral(type: ParameterType, value: unknown, parameter: string): string {
  if (type === 'datetime') return kqlDatetime(value, parameter);
  if (type === 'int') return kqlInt(value, parameter);
  if (typeof value === 'number' && Number.isFinite(value)) return kqlString(String(value), parameter);
  if (typeof value !== 'string') throw new BindingError(parameter, `${parameter} is not text`);
  return kqlString(value, parameter);
}

/** A property of the entity, matched exactly first, then ignoring case (`HostName` vs `hostName`). */
function entityProperty(entity: IncidentEntity, name: string): unknown {
  const props = entity.properties;
  if (name in props) return props[name];
  const lower = name.toLowerCase();
  const key = Object.keys(props).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : props[key];
}

function sourceValue(from: string, entity: IncidentEntity, incident: Incident): unknown {
  if (!from.startsWith('incident.')) return entityProperty(entity, from);
  const field = from.slice('incident.'.length) as 'number' | 'createdTimeUtc' | 'firstActivityTimeUtc' | 'lastActivityTimeUtc';
  return incident[field];
}

export interface BoundParameters {
  /** `let` statements, one per parameter, in definition order. */
  lets: string[];
  /** The values as bound, for the audit row and the answer card. */
  values: Record<string, string>;
}

/** Binds every parameter of `query` from the entity (and incident); a missing or unfit value is a BindingError naming it. */
export function bindParameters(query: Pick<QueryDefinition, 'parameters'>, entity: IncidentEntity, incident: Incident): BoundParameters {
  const lets: string[] = [];
  const values: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(query.parameters) as Array<[string, QueryParameter]>) {
    const value = sourceValue(parameter.from, entity, incident);
    if (value === undefined || value === null || value === '') throw new BindingError(name, `the ${entity.kind} has no ${parameter.from} for ${name}`);
    lets.push(`let ${name} = ${kqlLiteral(parameter.type, value, name)};`);
    values[name] = String(value);
  }
  return { lets, values };
}

/**
 * The text sent to Log Analytics: the `let` statements, the query, and a `take` one above the row
 * cap (so the answer can tell "exactly N" from "more than N"). Trailing semicolons are dropped so
 * the `take` continues the query's last tabular expression.
 */
export function composeQuery(lets: readonly string[], kql: string, maxRows: number): string {
  const body = kql.replace(/[\s;]+$/, '');
  return [...lets, body, `| take ${maxRows + 1}`].join('\n');
}
