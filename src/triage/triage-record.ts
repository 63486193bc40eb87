import type { TriageConfig } from '../config/triage-schema';
import type { DetectionAlert } from '../detections/alert';
import type { Verdict } from '../detections/outcomes/outcome-model';
import type { MatchedRule, TriageDecision, TriageDecisionRecord } from './policy';
import type { Contribution, ScoreResult } from './score';
import type { EnrichedIndicator, Indicator, IndicatorType, IntelSource, IntelVerdict, SourceVerdict } from './types';

/**
 * The decision record of one alert (table ArgusAlerts), as `argus alerts show` prints it
 * (ARCHITECTURE §8), plus what the cards need of the alert.
 */

export type TriageStatus = 'pending-intel' | 'decided';

export interface SourceResult {
  source: string;
  verdict: IntelVerdict;
  /** Probability the indicator is malicious; null when the answer carries no evidence. */
  probability: number | null;
  weight: number;
  cached: boolean;
  /** How the answer was read, in plain words. */
  detail: string;
}

export interface TriageOverride {
  verdict: Verdict;
  /** The analyst's name (or object id). */
  by: string;
  at: string;
  note?: string;
}

/** What the cards show of the alert itself. */
export interface TriageAlertFacts {
  title: string;
  level: string;
  host?: string;
  detectedAt: string;
}

export interface TriageRecord {
  alertId: string;
  ruleId: string;
  status: TriageStatus;
  decision?: TriageDecision;
  score: number;
  thresholds: TriageConfig['thresholds'];
  indicators: Array<{ type: IndicatorType; value: string; sources: SourceResult[] }>;
  reasons: string[];
  incident?: { name: string; number: number };
  override?: TriageOverride;
  /** Advisory summary (`llm`); the prompt sent is kept with it but not shown. Never part of the decision. */
  llm?: { summary: string; model: string; prompt?: string };
  decidedAt?: string;
  alert: TriageAlertFacts;
  matchedRules: MatchedRule[];
  /** Where the triage or escalation card was posted, once it was. */
  card?: { conversationId: string; activityId: string };
  /** While `pending-intel`: what deciding it later needs. */
  pending?: PendingIntel;
}

/** An alert waiting for lookups: the alert, when it began waiting and when to ask again (ISO times). */
export interface PendingIntel {
  alert: DetectionAlert;
  since: string;
  nextTry: string;
  /** The lookups the quota holds back (what `argus intel quota` counts as queued). */
  waiting?: Array<{ source: IntelSource; type: IndicatorType; value: string; until?: string }>;
}

/** The record as ARCHITECTURE §8 shows it (`argus alerts show --json`). */
export function shownRecord(r: TriageRecord): Record<string, unknown> {
  const { alert: _alert, matchedRules: _matched, card: _card, pending: _pending, llm, ...shown } = r;
  return { ...shown, ...(llm ? { llm: { summary: llm.summary, model: llm.model } } : {}) };
}

const indicatorKey = (i: Indicator) => `${i.type}:${i.value}`;
const forIndicator = (contributions: readonly Contribution[], key: string) => contributions.filter((c) => indicatorKey(c.indicator) === key);

function sourceResults(enriched: EnrichedIndicator, contributions: readonly Contribution[]): SourceResult[] {
  const mine = forIndicator(contributions, indicatorKey(enriched.indicator));
  const answer = (c: Contribution): SourceVerdict | undefined => enriched.sources.find((s) => s.source === c.source);
  return mine.map((c) => {
    const a = answer(c);
    return {
      source: c.source,
      verdict: a?.verdict ?? 'clean',
      probability: c.probability,
      weight: c.weight,
      cached: a?.cached === true,
      detail: c.note,
    };
  });
}

export interface RecordInput {
  alertId: string;
  ruleId: string;
  alert: TriageAlertFacts;
  enriched: readonly EnrichedIndicator[];
  score: ScoreResult;
  thresholds: TriageConfig['thresholds'];
}

/** An alert still waiting for lookups: its answers so far, no decision. */
export function pendingRecord(input: RecordInput, waitingFor: string[], pending: PendingIntel): TriageRecord {
  return { ...base(input), status: 'pending-intel', reasons: waitingFor, matchedRules: [], pending };
}

export function decidedRecord(input: RecordInput, decided: TriageDecisionRecord, at: Date): TriageRecord {
  return { ...base(input), status: 'decided', decision: decided.decision, reasons: decided.reasons, matchedRules: decided.matchedRules, decidedAt: at.toISOString() };
}

function base(input: RecordInput): Omit<TriageRecord, 'status' | 'reasons' | 'matchedRules'> {
  return {
    alertId: input.alertId,
    ruleId: input.ruleId,
    score: Number(input.score.score.toFixed(4)),
    thresholds: input.thresholds,
    indicators: input.enriched.map((e) => ({ type: e.indicator.type, value: e.indicator.value, sources: sourceResults(e, input.score.contributions) })),
    alert: input.alert,
  };
}
