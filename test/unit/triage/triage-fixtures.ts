import { triageSchema } from '../../../src/config/triage-schema';
import { compileAllowList } from '../../../src/triage/allow-list';
import { scoreIndicators, type ScoreResult } from '../../../src/triage/score';
import type { EnrichedIndicator, SourceVerdict } from '../../../src/triage/types';

/** Source answers and a scorer with the weights and thresholds of ARCHITECTURE §8's example. */

export const weights = { virustotal: 1.0, abuseipdb: 0.8 };
export const thresholds = { autoCloseBelow: 0.2, escalateAtOrAbove: 0.8 };
export const noAllow = compileAllowList(triageSchema.parse({}).allow);

export function vt(malicious: number, suspicious: number, harmless: number, undetected: number, verdict: SourceVerdict['verdict'] = 'malicious'): SourceVerdict {
  return { source: 'virustotal', verdict, detail: { lastAnalysisStats: { malicious, suspicious, harmless, undetected, timeout: 3 } } };
}

export function abuse(abuseConfidenceScore: number, numDistinctUsers: number, isWhitelisted = false): SourceVerdict {
  return { source: 'abuseipdb', verdict: 'suspicious', detail: { abuseConfidenceScore, totalReports: numDistinctUsers * 2, numDistinctUsers, isWhitelisted, isTor: false, usageType: 'Data Center/Web Hosting/Transit' } };
}

export function score(indicators: EnrichedIndicator[], allow = noAllow): ScoreResult {
  return scoreIndicators({ indicators, weights, allow, thresholds });
}
