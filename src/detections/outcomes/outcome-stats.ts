import type { OutcomeRecord } from './outcome-model';

/** Per-rule totals from the outcome history. */
export interface RuleStats {
  ruleId: string;
  title: string;
  level: string;
  fired: number;
  truePositives: number;
  falsePositives: number;
  benign: number;
  /** Alerts without a verdict yet. */
  pending: number;
  /** Alerts an analyst overruled. */
  overrides: number;
  /** falsePositives / (truePositives + benign + falsePositives); null before any verdict. */
  falsePositiveRate: number | null;
}

export type StatsInput = Pick<OutcomeRecord, 'ruleId' | 'title' | 'level' | 'verdict' | 'humanVerdict' | 'autoVerdict'>;

/**
 * Aggregates alerts per rule, worst first: highest false-positive rate, then most false
 * positives, then most fires; rules with no verdict yet come last.
 */
export function ruleStats(records: Iterable<StatsInput>): RuleStats[] {
  const byRule = new Map<string, RuleStats>();
  for (const r of records) {
    let s = byRule.get(r.ruleId);
    if (!s) {
      s = { ruleId: r.ruleId, title: r.title, level: r.level, fired: 0, truePositives: 0, falsePositives: 0, benign: 0, pending: 0, overrides: 0, falsePositiveRate: null };
      byRule.set(r.ruleId, s);
    }
    s.fired++;
    if (r.verdict === 'true_positive') s.truePositives++;
    else if (r.verdict === 'false_positive') s.falsePositives++;
    else if (r.verdict === 'benign') s.benign++;
    else s.pending++;
    if (r.humanVerdict !== undefined && r.autoVerdict !== undefined && r.humanVerdict !== r.autoVerdict) s.overrides++;
  }
  for (const s of byRule.values()) {
    const decided = s.truePositives + s.benign + s.falsePositives;
    s.falsePositiveRate = decided ? s.falsePositives / decided : null;
  }
  return [...byRule.values()].sort(
    (a, b) =>
      (b.falsePositiveRate ?? -1) - (a.falsePositiveRate ?? -1) ||
      b.falsePositives - a.falsePositives ||
      b.fired - a.fired ||
      a.ruleId.localeCompare(b.ruleId),
  );
}
