import { expandPattern, parseCondition, type ConditionNode } from './condition-parser';
import type { EventView } from './event-view';
import type { FieldMatch } from './explanation';
import { RuleProblem } from './rule-errors';
import { narrowestAtoms, unionAtoms, type Atoms } from './match-atoms';
import { byCost } from './match-cost';
import { compileSelection, type FieldMapper, type Matchable } from './selection-compiler';
import type { SigmaRule } from './sigma-rule';

type Predicate = (view: EventView) => boolean;

/** Why the detection held: the condition that held, and the identifiers' truth values. */
export interface DetectionExplanation {
  condition: string;
  matchedSelections: string[];
  unmatchedSelections: string[];
  matches: FieldMatch[];
}

/** A rule's detection section compiled for one field mapping. */
export interface CompiledDetection {
  test: Predicate;
  /** Necessary conditions for the rule index, or null when the rule must always be evaluated. */
  atoms: Atoms;
  /** Why it holds, or undefined when it does not; `knownTrue` skips re-checking a single condition. */
  explain(view: EventView, knownTrue?: boolean): DetectionExplanation | undefined;
}

interface Compiled {
  test: Predicate;
  cost: number;
  atoms: Atoms;
}

/** Every part (`and`) or any part (`or`), cheapest test first, stopping at the first that decides. */
function combine(parts: Compiled[], every: boolean): Compiled {
  const ordered = byCost(parts);
  const tests = ordered.map((p) => p.test);
  if (tests.length === 1) return ordered[0] as Compiled;
  return {
    cost: parts.reduce((sum, p) => sum + p.cost, 0),
    atoms: (every ? narrowestAtoms : unionAtoms)(parts.map((p) => p.atoms)),
    test: (view) => {
      for (let i = 0; i < tests.length; i++) if ((tests[i] as Predicate)(view) !== every) return !every;
      return every;
    },
  };
}

const all = (parts: Compiled[]): Compiled => combine(parts, true);
const any = (parts: Compiled[]): Compiled => combine(parts, false);

function compileNode(node: ConditionNode, selections: Map<string, Matchable>, ids: string[], path: string, used: Set<string>): Compiled {
  switch (node.type) {
    case 'ref': {
      const sel = selections.get(node.name);
      if (!sel) throw new RuleProblem(path, `the condition names '${node.name}', which the detection does not define`);
      used.add(node.name);
      return sel;
    }
    case 'not': {
      const inner = compileNode(node.child, selections, ids, path, used);
      const t = inner.test;
      return { cost: inner.cost, atoms: null, test: (view) => !t(view) };
    }
    case 'and':
    case 'or': {
      const parts = node.children.map((c) => compileNode(c, selections, ids, path, used));
      return node.type === 'and' ? all(parts) : any(parts);
    }
    case 'of': {
      const names = expandPattern(node.pattern, ids);
      if (names.length === 0)
        throw new RuleProblem(path, `'${node.quantifier === 'all' ? 'all' : '1'} of ${node.pattern}' matches no search identifier`);
      names.forEach((n) => used.add(n));
      const parts = names.map((n) => selections.get(n) as Matchable);
      return node.quantifier === 'all' ? all(parts) : any(parts);
    }
  }
}

/** Compiles every search identifier and condition of a rule, under one field mapping. */
export function compileDetection(rule: SigmaRule, mapField: FieldMapper): CompiledDetection {
  const ids = Object.keys(rule.detection);
  if (ids.length === 0) throw new RuleProblem('detection', 'the detection defines no search identifier');
  const selections = new Map<string, Matchable>();
  for (const id of ids) {
    if (/\s/.test(id) || id.includes('|')) throw new RuleProblem(`detection.${id}`, 'a search identifier cannot contain spaces or |');
    selections.set(id, compileSelection(id, rule.detection[id] ?? null, mapField));
  }
  const conditions = rule.conditions.map((text, i) => {
    const path = rule.conditions.length > 1 ? `detection.condition[${i}]` : 'detection.condition';
    const used = new Set<string>();
    const compiled = compileNode(parseCondition(text, path), selections, ids, path, used);
    return { text, predicate: compiled.test, atoms: compiled.atoms, used: ids.filter((id) => used.has(id)) };
  });
  const test: Predicate =
    conditions.length === 1
      ? (conditions[0] as { predicate: Predicate }).predicate
      : (view) => {
          for (const c of conditions) if (c.predicate(view)) return true;
          return false;
        };
  return {
    test,
    atoms: unionAtoms(conditions.map((c) => c.atoms)),
    explain(view, knownTrue = false) {
      // With one condition (the usual case) a caller that just saw `test` hold need not re-check it.
      const held = conditions.length === 1 && knownTrue ? conditions[0] : conditions.find((c) => c.predicate(view));
      if (!held) return undefined;
      const matchedSelections: string[] = [];
      const unmatchedSelections: string[] = [];
      const matches: FieldMatch[] = [];
      for (const id of held.used) {
        const e = (selections.get(id) as Matchable).explain(view, id);
        if (e) {
          matchedSelections.push(id);
          matches.push(...e);
        } else {
          unmatchedSelections.push(id);
        }
      }
      return { condition: held.text, matchedSelections, unmatchedSelections, matches };
    },
  };
}
