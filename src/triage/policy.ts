import type { TriageConfig, TriageRuleAction } from '../config/triage-schema';
import type { ScoreResult } from './score';
import { intelSourceNames, type IntelSource } from './types';

/**
 * The triage policy (`triage` config): from an alert's score and the policy keys, auto-close,
 * escalate or review, with the reasons in plain words. Pure; the rules, in order, are in
 * docs/triage.md.
 */

export type TriageDecision = 'auto-close' | 'escalate' | 'review';

/** What the policy needs of an alert. */
export interface TriageAlert {
  ruleId: string;
  /** The host the alert is about, when known. */
  host?: string;
}

/**
 * A source whose answer is not in the score: `not-configured` (no `enrichment.<source>`),
 * `past-max-wait` (its lookups waited longer than `enrichment.maxWait`), `unavailable` (it refused
 * the key or failed).
 */
export interface MissingSource {
  source: IntelSource;
  why: 'not-configured' | 'past-max-wait' | 'unavailable';
  /** The maxWait that passed, e.g. PT10M. */
  maxWait?: string;
  /** More words, e.g. "401 from the source". */
  detail?: string;
}

export interface DecideInput {
  alert: TriageAlert;
  score: ScoreResult;
  /** False when the config has no `enrichment` section, so no lookup was made. */
  enrichmentConfigured: boolean;
  missing: readonly MissingSource[];
  config: Pick<TriageConfig, 'thresholds' | 'criticalAssets' | 'rules'>;
}

/** A policy entry that applies to the alert: its config key and value. */
export interface MatchedRule {
  key: string;
  value: string;
}

export interface TriageDecisionRecord {
  decision: TriageDecision;
  reasons: string[];
  matchedRules: MatchedRule[];
  thresholds: TriageConfig['thresholds'];
}

function hostPatternTest(pattern: string): (host: string) => boolean {
  const body = pattern.replace(/[.*+?^${}()|[\]\\-]/g, (c) => (c === '*' ? '.*' : `\\${c}`));
  const re = new RegExp(`^${body}$`, 'i');
  // A pattern without a dot also matches the short name of a fully qualified host.
  const shortName = !pattern.includes('.');
  return (host) => re.test(host) || (shortName && re.test(host.split('.')[0] ?? ''));
}

/** The first `criticalAssets` pattern the host matches (case-insensitive), if any. */
export function criticalAssetMatch(host: string | undefined, patterns: readonly string[]): string | undefined {
  const h = host?.trim();
  if (!h) return undefined;
  return patterns.find((p) => hostPatternTest(p)(h));
}

function missingReason(m: MissingSource): string {
  const name = intelSourceNames[m.source];
  const why =
    m.why === 'not-configured'
      ? `${name} is not configured`
      : m.why === 'past-max-wait'
        ? `${name} was missing: its lookup waited longer than maxWait${m.maxWait ? ` (${m.maxWait})` : ''}`
        : `${name} was missing: unavailable`;
  return `${why}${m.detail ? ` (${m.detail})` : ''}; decided without it`;
}

/** Why the score alone cannot decide: no enrichment, missing sources, no indicators, no evidence. */
function contextReasons(input: DecideInput): string[] {
  const reasons: string[] = [];
  if (!input.enrichmentConfigured) reasons.push('no enrichment is configured: no indicator was looked up');
  reasons.push(...input.missing.map(missingReason));
  const count = input.score.indicators.length;
  if (count === 0) reasons.push('the alert has no indicators: decided from policy alone');
  else if (input.score.evidence === 0) reasons.push(`no source gave evidence on the alert's ${count} indicator(s): decided from policy alone`);
  return reasons;
}

const fmt = (x: number): string => String(Number(x.toFixed(3)));

export function decide(input: DecideInput): TriageDecisionRecord {
  const { alert, score, config } = input;
  const { thresholds } = config;
  const reasons = contextReasons(input);
  const matchedRules: MatchedRule[] = [];
  const done = (decision: TriageDecision, ...why: string[]): TriageDecisionRecord => ({ decision, reasons: [...reasons, ...why], matchedRules, thresholds });

  const action: TriageRuleAction | undefined = Object.hasOwn(config.rules, alert.ruleId) ? config.rules[alert.ruleId] : undefined;
  if (action) matchedRules.push({ key: `triage.rules.${alert.ruleId}`, value: action });
  const critical = criticalAssetMatch(alert.host, config.criticalAssets);
  if (critical) matchedRules.push({ key: 'triage.criticalAssets', value: critical });
  const allowListed = score.indicators.filter((i) => i.allowListedBy);
  for (const i of allowListed) matchedRules.push({ key: 'triage.allow', value: `${i.indicator.type} ${i.indicator.value} (${i.allowListedBy})` });
  const hasEvidence = score.evidence > 0;
  const scoreText = `score ${fmt(score.score)}`;

  // 1. Escalation first: an operator's always-escalate, then a score at or above the threshold.
  if (action === 'always-escalate') return done('escalate', `rule ${alert.ruleId} is set to always-escalate`);
  if (hasEvidence && score.score >= thresholds.escalateAtOrAbove)
    return done('escalate', `${scoreText} is at or above escalateAtOrAbove ${thresholds.escalateAtOrAbove}`);

  // 2. Grounds to auto-close; a critical asset or never-auto-close turns them into review.
  const grounds: string[] = [];
  if (action === 'auto-close') grounds.push(`rule ${alert.ruleId} is set to auto-close`);
  if (score.indicators.length > 0 && allowListed.length === score.indicators.length) grounds.push('every indicator is allow-listed');
  else if (hasEvidence && score.score < thresholds.autoCloseBelow) grounds.push(`${scoreText} is below autoCloseBelow ${thresholds.autoCloseBelow}`);
  if (grounds.length > 0) {
    if (critical) return done('review', ...grounds, `host ${alert.host} is a critical asset (${critical}): never auto-closed, sent to review`);
    if (action === 'never-auto-close') return done('review', ...grounds, `rule ${alert.ruleId} is set to never-auto-close: sent to review`);
    return done('auto-close', ...grounds);
  }

  // 3. Everything else is for a person.
  if (!hasEvidence) return done('review', 'neither the score nor a policy rule decides: sent to review');
  return done('review', `${scoreText} is between autoCloseBelow ${thresholds.autoCloseBelow} and escalateAtOrAbove ${thresholds.escalateAtOrAbove}`);
}
