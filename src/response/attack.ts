import table from './attack-enterprise.json';

/** One ATT&CK Enterprise tactic, in kill-chain order (the matrix's order). */
export interface AttackTactic {
  readonly id: string;
  readonly shortName: string;
  readonly name: string;
}

export interface AttackTechnique {
  readonly id: string;
  readonly name: string;
  /** Tactic short names (`defense-evasion`), as the technique's kill-chain phases list them. */
  readonly tactics: readonly string[];
  readonly status?: 'revoked' | 'deprecated';
}

interface TableEntry {
  name: string;
  tactics: string[];
  status?: string;
}

const techniques = table.techniques as Record<string, TableEntry>;
const tacticList: readonly AttackTactic[] = table.tactics;
const tacticByKey = new Map<string, AttackTactic>();
for (const t of tacticList) {
  tacticByKey.set(t.id.toLowerCase(), t);
  tacticByKey.set(t.shortName, t);
  tacticByKey.set(t.name.toLowerCase().replace(/\s+/g, ''), t);
}

/** Which ATT&CK release the table holds and where it was generated from. */
export const attackRelease = { domain: table.domain, version: table.version, source: table.source } as const;

/** Tactics in kill-chain order. */
export function attackTactics(): readonly AttackTactic[] {
  return tacticList;
}

/**
 * A tactic by id (`TA0002`), short name (`execution`, as Sigma tags write it with `attack.`),
 * or Sentinel's name (`Execution`, `DefenseEvasion`, `PrivilegeEscalation`).
 */
export function findTactic(key: string): AttackTactic | undefined {
  const k = key.trim().toLowerCase().replace(/^attack\./, '');
  return tacticByKey.get(k) ?? tacticByKey.get(k.replace(/[_\s-]+/g, '')) ?? tacticByKey.get(k.replace(/_/g, '-'));
}

/** Kill-chain position of a tactic (0-based), or undefined when it is not an Enterprise tactic. */
export function tacticOrder(key: string): number | undefined {
  const t = findTactic(key);
  return t ? tacticList.indexOf(t) : undefined;
}

/** A technique by id: `T1059.001`, `t1059.001` or a Sigma tag `attack.t1059.001`. */
export function findTechnique(key: string): AttackTechnique | undefined {
  const id = key.trim().replace(/^attack\./i, '').toUpperCase();
  const entry = techniques[id];
  if (!entry) return undefined;
  const status = entry.status === 'revoked' || entry.status === 'deprecated' ? entry.status : undefined;
  return { id, name: entry.name, tactics: entry.tactics, ...(status ? { status } : {}) };
}

/** True for a string shaped like a technique id (`T1234` or `T1234.001`), known or not. */
export function isTechniqueId(key: string): boolean {
  return /^(attack\.)?t\d{4}(\.\d{3})?$/i.test(key.trim());
}
