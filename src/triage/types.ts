/**
 * Shapes shared by enrichment (which produces them) and triage (which scores and decides on them).
 * ARCHITECTURE §8.
 */

export const indicatorTypes = ['ip', 'domain', 'url', 'sha256', 'sha1', 'md5'] as const;
export type IndicatorType = (typeof indicatorTypes)[number];

/** Something an alert points at that intel sources can be asked about. */
export interface Indicator {
  type: IndicatorType;
  value: string;
}

export const intelSources = ['virustotal', 'abuseipdb'] as const;
export type IntelSource = (typeof intelSources)[number];

/** Display names used in reasons and notes. */
export const intelSourceNames: Record<IntelSource, string> = { virustotal: 'VirusTotal', abuseipdb: 'AbuseIPDB' };

/**
 * What a source said about one indicator. `unknown` (the source has no record), `skipped` (never
 * sent: private/reserved address or `enrichment.neverSend`) and `unavailable` (the source failed or
 * is not usable) carry no evidence.
 */
export const intelVerdicts = ['malicious', 'suspicious', 'clean', 'unknown', 'skipped', 'unavailable'] as const;
export type IntelVerdict = (typeof intelVerdicts)[number];

/** VirusTotal v3 `data.attributes.last_analysis_stats`: how many engines gave each result. */
export interface VirusTotalStats {
  malicious: number;
  suspicious: number;
  harmless: number;
  undetected: number;
  timeout?: number;
}

export interface VirusTotalDetail {
  lastAnalysisStats: VirusTotalStats;
  reputation?: number;
  /** ISO-8601 time of the last analysis. */
  lastAnalysisDate?: string;
}

/** AbuseIPDB v2 `GET /check` answer (`data`), the fields triage uses. */
export interface AbuseIpdbDetail {
  /** 0–100. */
  abuseConfidenceScore: number;
  totalReports: number;
  numDistinctUsers: number;
  isWhitelisted: boolean | null;
  isTor?: boolean;
  usageType?: string | null;
}

interface VerdictCommon {
  verdict: IntelVerdict;
  /** Served from the cache rather than a fresh lookup. */
  cached?: boolean;
  /** Why a lookup was skipped or the source unavailable, in plain words. */
  reason?: string;
}

/** One source's answer for one indicator; `detail` holds the raw figures when the source answered. */
export type SourceVerdict =
  | (VerdictCommon & { source: 'virustotal'; detail?: VirusTotalDetail })
  | (VerdictCommon & { source: 'abuseipdb'; detail?: AbuseIpdbDetail });

/** An indicator with every source answer gathered for it. */
export interface EnrichedIndicator {
  indicator: Indicator;
  sources: SourceVerdict[];
}
