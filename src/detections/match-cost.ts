import type { Pattern } from './sigma-pattern';
import type { ValueSpec } from './value-spec';

/**
 * A rough cost of testing a compiled value, used to order AND/OR terms so that cheap tests on
 * short fields (an exact or suffix match on `Image`) run before substring scans of long ones
 * (`CommandLine`) or regular expressions. Order changes speed only: AND and OR are commutative.
 */
const longFields = /commandline|scriptblock|calltrace|payload|message|details|hashes|data/i;

function patternCost(p: Pattern): number {
  const n = p.length;
  if (n === 1 && p[0]?.kind === 'lit') return 0.2; // shares one Set lookup
  if (n === 2) return 1;
  if (n === 3 && p[0]?.kind === 'many' && p[2]?.kind === 'many' && p[1]?.kind === 'lit') return 2;
  return 8;
}

export function specCost(spec: ValueSpec, field: string | null): number {
  const scan = field === null ? 30 : longFields.test(field) ? 3 : 1;
  switch (spec.kind) {
    case 'pattern':
      return 0.5 + spec.patterns.reduce((sum, p) => sum + patternCost(p), 0) * scan;
    case 'regex':
      return 10 * scan;
    case 'null':
    case 'exists':
      return 0.3;
    case 'bool':
    case 'compare':
      return 1;
    case 'cidr':
      return 4;
    case 'fieldref':
      return 2 * scan;
  }
}

/** Sorts terms by cost, cheapest first (stable, so equal costs keep their written order). */
export function byCost<T extends { cost: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.cost - b.cost);
}
