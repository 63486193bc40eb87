import { secretNames } from '../config/secret-provider';
import type { Indicator, IndicatorType, IntelVerdict, VirusTotalDetail, VirusTotalStats } from '../triage/types';
import { guardedSource, type EnrichmentSource, type SourceAnswer, type SourceDeps } from './intel-source';
import { createSourceHttp, describeErrorBody, type SourceHttpOptions } from './source-http';

/**
 * VirusTotal API v3 (docs.virustotal.com): `GET /files/{hash}`, `/urls/{id}`, `/domains/{domain}`,
 * `/ip_addresses/{ip}` with the key in `x-apikey`. The answer's `data.attributes` hold
 * `last_analysis_stats` (engines per category), `reputation` and `last_analysis_date` (Unix
 * seconds). 404 NotFoundError means VirusTotal has no record: unknown, not clean. 401/403
 * (WrongCredentialsError, ForbiddenError, UserNotActiveError…) make the source unavailable; 429
 * QuotaExceededError is retried after Retry-After, then left to the scheduler.
 */

type Answer = SourceAnswer<'virustotal'>;

/** A URL's identifier in API v3: the URL in base64url without padding (VT canonicalises it server-side). */
export function virusTotalUrlId(url: string): string {
  return Buffer.from(url, 'utf8').toString('base64url');
}

const paths: Record<IndicatorType, (value: string) => string> = {
  ip: (ip) => `/ip_addresses/${ip}`,
  domain: (domain) => `/domains/${domain}`,
  url: (url) => `/urls/${virusTotalUrlId(url)}`,
  sha256: (hash) => `/files/${hash}`,
  sha1: (hash) => `/files/${hash}`,
  md5: (hash) => `/files/${hash}`,
};

/** The API path for an indicator (normalised values need no escaping: hex, dots, colons, LDH labels, base64url). */
export const virusTotalPath = (indicator: Indicator): string => paths[indicator.type](indicator.value);

/** Engines that flag it malicious before the verdict is malicious; fewer flags make it suspicious. */
export const virusTotalMaliciousEngines = 3;

/**
 * malicious: at least virusTotalMaliciousEngines engines say malicious; suspicious: fewer, or that
 * many say suspicious; clean: engines answered and none of that; unknown: no engine answered.
 */
export function virusTotalVerdict(stats: VirusTotalStats): IntelVerdict {
  const answered = stats.malicious + stats.suspicious + stats.harmless + stats.undetected;
  if (answered === 0) return 'unknown';
  if (stats.malicious >= virusTotalMaliciousEngines) return 'malicious';
  if (stats.malicious > 0 || stats.suspicious >= virusTotalMaliciousEngines) return 'suspicious';
  return 'clean';
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0);

function readAnswer(data: unknown): Answer {
  const attributes = (data as { data?: { attributes?: Record<string, unknown> } } | null)?.data?.attributes;
  const raw = attributes?.last_analysis_stats;
  if (typeof raw !== 'object' || raw === null) return { verdict: 'unknown', reason: 'VirusTotal has no analysis of it yet' };
  const s = raw as Record<string, unknown>;
  const lastAnalysisStats: VirusTotalStats = { malicious: count(s.malicious), suspicious: count(s.suspicious), harmless: count(s.harmless), undetected: count(s.undetected), timeout: count(s.timeout) };
  const detail: VirusTotalDetail = { lastAnalysisStats };
  if (typeof attributes?.reputation === 'number') detail.reputation = attributes.reputation;
  if (typeof attributes?.last_analysis_date === 'number') detail.lastAnalysisDate = new Date(attributes.last_analysis_date * 1000).toISOString();
  const verdict = virusTotalVerdict(lastAnalysisStats);
  return verdict === 'unknown' ? { verdict, detail, reason: 'no VirusTotal engine has analysed it' } : { verdict, detail };
}

export interface VirusTotalOptions extends SourceDeps {
  apiUrl: string;
  http?: Pick<SourceHttpOptions, 'retry' | 'timeoutMs' | 'log'>;
}

export function createVirusTotalSource(options: VirusTotalOptions): EnrichmentSource<'virustotal'> {
  const request = createSourceHttp({ peer: 'virustotal', baseUrl: options.apiUrl, ...options.http });
  return guardedSource(
    {
      name: 'virustotal',
      types: ['ip', 'domain', 'url', 'sha256', 'sha1', 'md5'],
      secretName: secretNames.virustotalApiKey,
      async ask(indicator, apiKey): Promise<Answer> {
        const res = await request({ path: virusTotalPath(indicator), headers: { 'x-apikey': apiKey, accept: 'application/json' } });
        if (!res.answered) return { verdict: 'unavailable', failure: res.failure, reason: res.reason, ...(res.retryAfterMs !== undefined ? { retryAfterMs: res.retryAfterMs } : {}) };
        if (res.status === 200) return readAnswer(res.data);
        if (res.status === 404) return { verdict: 'unknown', reason: 'VirusTotal has no record of it' };
        const why = `VirusTotal answered ${res.status} (${describeErrorBody(res.data)})`;
        if (res.status === 401 || res.status === 403) return { verdict: 'unavailable', failure: 'credentials', reason: `${why}: check the secret ${secretNames.virustotalApiKey}` };
        return { verdict: 'unavailable', failure: 'refused', reason: why };
      },
    },
    options,
  );
}
