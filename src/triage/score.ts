import type { TriageConfig } from '../config/triage-schema';
import type { AllowList } from './allow-list';
import { intelSourceNames, type AbuseIpdbDetail, type EnrichedIndicator, type Indicator, type IntelSource, type SourceVerdict, type VirusTotalStats } from './types';

/**
 * One confidence score (0–1) for an alert from what the intel sources said about its indicators,
 * with every contribution shown. Pure; the formula is explained in docs/triage.md.
 *
 * Each answer becomes a probability p that the indicator is malicious; answers are combined by
 * weighted log-odds from the prior 0.5: logit(score) = Σ weight · logit(p), p clamped to
 * [probabilityFloor, probabilityCeiling].
 */

export const probabilityFloor = 0.01;
export const probabilityCeiling = 0.99;
/** VirusTotal: the engine ratio is pulled toward 0.5 by n / (n + k), n the engines that answered. */
export const virusTotalDampingEngines = 10;
/** AbuseIPDB: the doubt (1 − confidence) is multiplied by r / (r + distinct reporters). */
export const abuseIpdbReporterScale = 25;
/** AbuseIPDB: a whitelisted address's probability is multiplied by this. */
export const abuseIpdbWhitelistFactor = 0.25;
/** Weight of an allow-listed indicator, which counts as clean (probability at the floor). */
export const allowListWeight = 1;

export type ContributionSource = IntelSource | 'allow-list';

export interface Contribution {
  indicator: Indicator;
  source: ContributionSource;
  /** Probability that the indicator is malicious after clamping; null when the answer carries no evidence. */
  probability: number | null;
  weight: number;
  /** weight · logit(probability); 0 when there is no evidence. */
  logOdds: number;
  note: string;
}

export type ScoreVerdict = 'malicious' | 'suspicious' | 'clean' | 'unknown';

export interface ScoreResult {
  /** sigmoid(logOdds); 0.5 (the prior) when nothing gave evidence. */
  score: number;
  /** Σ contributions[].logOdds. */
  logOdds: number;
  /** From the thresholds: malicious at or above escalateAtOrAbove, clean below autoCloseBelow; unknown without evidence. */
  verdict: ScoreVerdict;
  indicators: Array<{ indicator: Indicator; allowListedBy?: string }>;
  /** How many contributions carry evidence (a probability). */
  evidence: number;
  contributions: Contribution[];
}

export interface ScoreInput {
  indicators: readonly EnrichedIndicator[];
  /** Per-source weight (`enrichment.<source>.weight`). */
  weights: Readonly<Record<IntelSource, number>>;
  allow: AllowList;
  thresholds: TriageConfig['thresholds'];
}

type Estimate = { probability: number; note: string } | { probability: null; note: string };

export const logit = (p: number): number => Math.log(p / (1 - p));
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const fmt = (x: number): string => String(Number(x.toFixed(3)));
const countable = (...xs: unknown[]): boolean => xs.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0);

/** (malicious + ½·suspicious) / answered, damped toward 0.5 by answered / (answered + k). */
export function virusTotalProbability(stats: VirusTotalStats): Estimate {
  const { malicious, suspicious, harmless, undetected } = stats;
  if (!countable(malicious, suspicious, harmless, undetected)) return { probability: null, note: 'VirusTotal figures are not counts: contributes nothing' };
  const answered = malicious + suspicious + harmless + undetected;
  if (answered === 0) return { probability: null, note: 'no VirusTotal engine answered: contributes nothing' };
  const ratio = (malicious + suspicious / 2) / answered;
  const damping = answered / (answered + virusTotalDampingEngines);
  const probability = 0.5 + (ratio - 0.5) * damping;
  return {
    probability,
    note: `VirusTotal: (${malicious} malicious + ½·${suspicious} suspicious) / ${answered} engines = ${fmt(ratio)}, damped by ${answered}/(${answered}+${virusTotalDampingEngines}) toward 0.5 → ${fmt(probability)}`,
  };
}

/** confidence/100, its doubt shrunk by distinct reporters, then lowered when whitelisted. */
export function abuseIpdbProbability(detail: AbuseIpdbDetail): Estimate {
  const { abuseConfidenceScore, numDistinctUsers } = detail;
  if (!countable(abuseConfidenceScore, numDistinctUsers)) return { probability: null, note: 'AbuseIPDB figures are not counts: contributes nothing' };
  const confidence = Math.min(abuseConfidenceScore, 100) / 100;
  const raised = 1 - (1 - confidence) * (abuseIpdbReporterScale / (abuseIpdbReporterScale + numDistinctUsers));
  const parts = [`AbuseIPDB: confidence ${fmt(confidence)}`, `${numDistinctUsers} distinct reporters raise it by doubt × ${abuseIpdbReporterScale}/(${abuseIpdbReporterScale}+${numDistinctUsers}) → ${fmt(raised)}`];
  let probability = raised;
  if (detail.isWhitelisted === true) {
    probability = raised * abuseIpdbWhitelistFactor;
    parts.push(`whitelisted: × ${abuseIpdbWhitelistFactor} → ${fmt(probability)}`);
  }
  return { probability, note: parts.join(', ') };
}

function estimate(answer: SourceVerdict): Estimate {
  const name = intelSourceNames[answer.source];
  if (answer.verdict === 'unknown' || answer.verdict === 'skipped' || answer.verdict === 'unavailable')
    return { probability: null, note: `${name} ${answer.verdict}${answer.reason ? ` (${answer.reason})` : ''}: contributes nothing` };
  if (!answer.detail) return { probability: null, note: `${name} said ${answer.verdict} without figures: contributes nothing` };
  return answer.source === 'virustotal' ? virusTotalProbability(answer.detail.lastAnalysisStats) : abuseIpdbProbability(answer.detail);
}

function contribution(indicator: Indicator, source: ContributionSource, weight: number, est: Estimate): Contribution {
  if (est.probability === null) return { indicator, source, probability: null, weight: 0, logOdds: 0, note: est.note };
  const probability = Math.min(probabilityCeiling, Math.max(probabilityFloor, est.probability));
  const clamped = probability !== est.probability ? `, clamped to ${probability}` : '';
  return { indicator, source, probability, weight, logOdds: weight * logit(probability), note: `${est.note}${clamped}` };
}

function verdictOf(score: number, evidence: number, thresholds: ScoreInput['thresholds']): ScoreVerdict {
  if (evidence === 0) return 'unknown';
  if (score >= thresholds.escalateAtOrAbove) return 'malicious';
  return score < thresholds.autoCloseBelow ? 'clean' : 'suspicious';
}

export function scoreIndicators(input: ScoreInput): ScoreResult {
  const contributions: Contribution[] = [];
  const indicators: ScoreResult['indicators'] = [];
  for (const { indicator, sources } of input.indicators) {
    const allowListedBy = input.allow(indicator);
    indicators.push(allowListedBy ? { indicator, allowListedBy } : { indicator });
    if (allowListedBy) {
      contributions.push(contribution(indicator, 'allow-list', allowListWeight, { probability: probabilityFloor, note: `allow-listed by ${allowListedBy}: counts as clean` }));
      for (const answer of sources)
        contributions.push(contribution(indicator, answer.source, 0, { probability: null, note: `${intelSourceNames[answer.source]} ignored: the indicator is allow-listed` }));
      continue;
    }
    for (const answer of sources) contributions.push(contribution(indicator, answer.source, input.weights[answer.source], estimate(answer)));
  }
  const logOdds = contributions.reduce((sum, c) => sum + c.logOdds, 0);
  const evidence = contributions.filter((c) => c.probability !== null).length;
  const score = sigmoid(logOdds);
  return { score, logOdds, verdict: verdictOf(score, evidence, input.thresholds), indicators, evidence, contributions };
}
