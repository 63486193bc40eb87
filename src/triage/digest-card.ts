import digestTemplate from '../../cards/triage-digest.json';
import { atLevel, fitCard } from '../cards/size-guard';
import { createCardTemplate } from '../cards/template';
import { moreText, plain } from '../cards/text';
import type { AdaptiveCardJson, RenderOptions } from '../cards/views';
import type { TriageRecord } from './triage-record';

/**
 * The daily digest card: the alerts triage auto-closed on one UTC day, counted per rule, the
 * reasons that closed them (scores rounded away, so alike reasons count together) and a few of the
 * latest as examples. Everything from alerts is shown as plain text.
 */

export interface TriageDigestView {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  total: number;
  /** Most first. */
  perRule: Array<{ ruleId: string; count: number }>;
  reasons: Array<{ text: string; count: number }>;
  /** The latest few. */
  examples: Array<{ alertId: string; ruleId: string; title: string; host?: string; score: number; reason: string; decidedAt: string }>;
}

const exampleCount = 5;

/** "score 0.063 is below autoCloseBelow 0.2" → "score is below autoCloseBelow 0.2". */
export function reasonKind(reason: string): string {
  return reason.replace(/^score \d+(\.\d+)? /, 'score ');
}

const byCount = <T extends { count: number }>(a: T & { key: string }, b: T & { key: string }) => b.count - a.count || a.key.localeCompare(b.key);

/** The digest of one day from that day's auto-closed records. */
export function digestView(day: string, records: readonly TriageRecord[]): TriageDigestView {
  const closed = records.filter((r) => r.status === 'decided' && r.decision === 'auto-close');
  const rules = new Map<string, number>();
  const reasons = new Map<string, number>();
  for (const r of closed) {
    rules.set(r.ruleId, (rules.get(r.ruleId) ?? 0) + 1);
    for (const kind of new Set(r.reasons.map(reasonKind))) reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
  }
  const counted = (m: Map<string, number>) => [...m].map(([key, count]) => ({ key, count })).sort(byCount);
  const latest = [...closed].sort((a, b) => (b.decidedAt ?? '').localeCompare(a.decidedAt ?? '')).slice(0, exampleCount);
  return {
    day,
    total: closed.length,
    perRule: counted(rules).map(({ key, count }) => ({ ruleId: key, count })),
    reasons: counted(reasons).map(({ key, count }) => ({ text: key, count })),
    examples: latest.map((r) => ({
      alertId: r.alertId,
      ruleId: r.ruleId,
      title: r.alert.title,
      ...(r.alert.host ? { host: r.alert.host } : {}),
      score: r.score,
      reason: r.reasons.at(-1) ?? '',
      decidedAt: r.decidedAt ?? '',
    })),
  };
}

interface DigestCardData {
  fallbackText: string;
  eyebrow: string;
  title: string;
  summary: string;
  hasRules: boolean;
  rules: Array<{ title: string; value: string }>;
  hasReasons: boolean;
  reasons: Array<{ text: string }>;
  hasExamples: boolean;
  examples: Array<{ heading: string; detail: string }>;
  footer: string;
}

const budgets = { rules: [15, 8, 3], reasons: [8, 5, 3], examples: [5, 3, 1], text: [200, 120, 60] } as const;
const expand = createCardTemplate<DigestCardData>(digestTemplate);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderTriageDigestCard(view: TriageDigestView, options: RenderOptions = {}): AdaptiveCardJson {
  const title = `Auto-closed alerts on ${view.day} (UTC)`;
  const summary =
    view.total === 0
      ? 'Triage auto-closed no alert on this day.'
      : `Triage auto-closed ${plural(view.total, 'alert')} of ${plural(view.perRule.length, 'rule')}; no card was posted for them.`;
  return fitCard(
    (level) => {
      const textLength = atLevel(budgets.text, level);
      const limit = (list: readonly unknown[], table: readonly [number, ...number[]]) => Math.min(list.length, atLevel(table, level));
      const rules = view.perRule.slice(0, limit(view.perRule, budgets.rules)).map((r) => ({ title: plain(r.ruleId, textLength), value: String(r.count) }));
      if (view.perRule.length > rules.length) rules.push({ title: moreText(view.perRule.length - rules.length), value: String(view.perRule.slice(rules.length).reduce((n, r) => n + r.count, 0)) });
      const reasons = view.reasons.slice(0, limit(view.reasons, budgets.reasons)).map((r) => ({ text: `• ${plain(r.text, textLength)} (${r.count})` }));
      if (view.reasons.length > reasons.length) reasons.push({ text: moreText(view.reasons.length - reasons.length) });
      const examples = view.examples.slice(0, limit(view.examples, budgets.examples)).map((e) => ({
        heading: plain(e.title, textLength),
        detail: [plain(e.ruleId, 120), e.host ? `host ${plain(e.host, 120)}` : undefined, `score ${Number(e.score.toFixed(3))}`, plain(e.reason, textLength), `alert ${e.alertId}`]
          .filter((x): x is string => Boolean(x))
          .join(' · '),
      }));
      return expand({
        fallbackText: `${title}: ${view.total}`,
        eyebrow: 'Alert triage: daily digest',
        title,
        summary,
        hasRules: rules.length > 0,
        rules,
        hasReasons: reasons.length > 0,
        reasons,
        hasExamples: examples.length > 0,
        examples,
        footer: 'Every decision with its score and reasons: argus alerts list --decision auto-close',
      });
    },
    { card: 'triage-digest', levels: budgets.text.length, maxBytes: options.maxBytes },
  );
}
