import type { EventView } from './event-view';
import type { Atom } from './match-atoms';

/** A rule that may apply to an event, with the atoms any match of it needs (null: always try it). */
export interface IndexedCandidate {
  rule: number;
  atoms: Atom[] | null;
  /** Last selection round that picked it (dedupes hits from several atoms). */
  seen: number;
}

interface FieldIndex {
  field: string;
  exact: Map<string, IndexedCandidate[]>;
  base: Map<string, IndexedCandidate[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== value) list.push(value);
  } else map.set(key, [value]);
}

/** Below this many candidates, looking them up costs more than trying them. */
const minIndexed = 6;

/**
 * The rules that share one channel/Event ID key, indexed by their atoms: for an event, only rules
 * with no atoms and rules one of whose atoms the event satisfies are returned.
 */
export class CandidateSet<C extends IndexedCandidate> {
  private readonly always: C[] = [];
  private readonly fields: FieldIndex[] = [];
  private round = 0;

  constructor(
    readonly all: readonly C[],
    indexed = true,
  ) {
    if (!indexed || all.length < minIndexed) {
      this.always = [...all];
      return;
    }
    const byField = new Map<string, FieldIndex>();
    for (const c of all) {
      if (c.atoms === null || c.atoms.length === 0) {
        this.always.push(c);
        continue;
      }
      for (const a of c.atoms) {
        let f = byField.get(a.field);
        if (!f) byField.set(a.field, (f = { field: a.field, exact: new Map(), base: new Map() }));
        push(a.kind === 'exact' ? f.exact : f.base, a.value, c);
      }
    }
    this.fields = [...byField.values()];
  }

  /** Candidates for one event, in rule order. */
  select(view: EventView): C[] {
    if (this.fields.length === 0) return this.always;
    const round = ++this.round;
    const picked: C[] = [];
    for (const f of this.fields) {
      const v = view.lower(f.field);
      if (v === null) continue;
      if (typeof v === 'string') this.lookup(f, v, round, picked);
      else for (const s of v) this.lookup(f, s, round, picked);
    }
    if (picked.length === 0) return this.always;
    for (const c of this.always) picked.push(c);
    return picked.length > 1 ? picked.sort(byRule) : picked;
  }

  private lookup(f: FieldIndex, value: string, round: number, picked: C[]): void {
    if (f.exact.size) take(f.exact.get(value), round, picked);
    if (f.base.size) take(f.base.get(value.slice(value.lastIndexOf('\\') + 1)), round, picked);
  }
}

function take<C extends IndexedCandidate>(list: IndexedCandidate[] | undefined, round: number, picked: C[]): void {
  if (!list) return;
  for (const c of list) {
    if (c.seen === round) continue;
    c.seen = round;
    picked.push(c as C);
  }
}

function byRule(a: IndexedCandidate, b: IndexedCandidate): number {
  return a.rule - b.rule;
}
