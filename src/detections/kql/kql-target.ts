/**
 * Where a converted rule runs: the KQL targets and, per target, the tables a Sigma logsource maps
 * to with the column each Sigma field becomes. The tables are data (defender-xdr-tables.ts,
 * sentinel-asim-tables.ts, azure-monitor-tables.ts); this file holds their shape.
 */

export const kqlTargets = ['defender-xdr', 'sentinel-asim', 'azure-monitor'] as const;
export type KqlTarget = (typeof kqlTargets)[number];

/**
 * A rewrite of rule values for a column whose text differs from the Sysmon field's:
 * `registry-hive` spells out hive abbreviations (HKLM\ → HKEY_LOCAL_MACHINE\).
 */
export type ValueRewrite = 'registry-hive';

/** A Sigma field's place in a table. */
export interface ColumnSpec {
  column: string;
  /** The column is computed (`| extend column = extend`) from the table's own columns. */
  extend?: string;
  /** Numbers compare as numbers (`== 4688`), not as text. */
  numeric?: boolean;
  rewrite?: ValueRewrite;
  /** Rule values (exact, case-insensitive) → the column's values; other values do not convert. */
  valueMap?: Record<string, string[]>;
  /** The column holds only the file name of the Sigma field's path: values must be `*\name`. */
  fileNameOnly?: boolean;
  /** The Sigma field is Sysmon's `Hashes` list (`SHA256=…,MD5=…`): each algorithm has its own column. */
  hashColumns?: Record<string, string>;
}

export type FieldSpec = string | ColumnSpec;

/** Columns the deployed analytics rule maps to Sentinel entities (when the table has them). */
export interface EntityColumns {
  host?: string;
  accountName?: string;
  accountDomain?: string;
  /** `DOMAIN\user` (or a UPN) in one column. */
  accountFull?: string;
  ip?: string;
  sha256?: string;
}

/** One Sigma logsource on one target. */
export interface TableMapping {
  /** Matches a rule whose logsource has this category (or, for Windows event logs, this service). */
  category?: string;
  service?: string;
  /** Products the table holds (a rule naming another product does not map here). */
  products: string[];
  table: string;
  /** A first `| where` that narrows the table to what the logsource means (an event type, a log). */
  filter?: string;
  fields: Record<string, FieldSpec>;
  /** A field not among `fields` that the table still holds, computed from its columns (Event's EventData XML). */
  dataField?: (field: string) => ColumnSpec | undefined;
  entities: EntityColumns;
}

export function columnSpec(spec: FieldSpec): ColumnSpec {
  return typeof spec === 'string' ? { column: spec } : spec;
}

/** A numeric column. */
export function num(column: string): ColumnSpec {
  return { column, numeric: true };
}

/** `DOMAIN\user` rebuilt from a table that keeps the domain and the name apart. */
export function domainUser(domainColumn: string, nameColumn: string, as: string): ColumnSpec {
  return { column: as, extend: `iff(isempty(${domainColumn}), ${nameColumn}, strcat(${domainColumn}, "\\\\", ${nameColumn}))` };
}
