import type { ValueSpec } from './value-spec';

/**
 * A necessary condition of a rule, used to pre-select rules per event: "field equals value"
 * (`exact`) or "the part of field after its last backslash equals value" (`base`, from
 * `endswith: '\name.exe'`). A rule with atoms can only match an event that satisfies one of them;
 * `null` means no such set is known and the rule is always evaluated. The index only skips rules
 * that cannot match: every rule it lets through is still evaluated in full.
 */
export interface Atom {
  field: string;
  kind: 'exact' | 'base';
  /** Lower-cased. */
  value: string;
}
export type Atoms = Atom[] | null;

/** Atoms of one value: exact literals and `\name` suffixes, matched case-insensitively. */
export function specAtoms(spec: ValueSpec, field: string | null): Atoms {
  if (field === null || spec.kind !== 'pattern' || spec.cased || spec.number !== undefined) return null;
  const out: Atom[] = [];
  for (const p of spec.patterns) {
    const [a, b] = p;
    if (p.length === 1 && a?.kind === 'lit') out.push({ field, kind: 'exact', value: a.text });
    else if (p.length === 2 && a?.kind === 'many' && b?.kind === 'lit' && b.text.lastIndexOf('\\') === 0 && b.text.length > 1)
      out.push({ field, kind: 'base', value: b.text.slice(1) });
    else return null;
  }
  return out;
}

/** OR: every branch must name its atoms, and any of them may be the one that holds. */
export function unionAtoms(parts: readonly Atoms[]): Atoms {
  if (parts.length === 0 || parts.some((p) => p === null)) return null;
  return (parts as Atom[][]).flat();
}

/** AND: any one branch's atoms are necessary; the smallest set prunes best. */
export function narrowestAtoms(parts: readonly Atoms[]): Atoms {
  let best: Atoms = null;
  for (const p of parts) if (p !== null && (best === null || p.length < best.length)) best = p;
  return best;
}
