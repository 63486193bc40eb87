import { secretNames } from '../config/secret-provider';
import type { AbuseIpdbDetail, IntelVerdict } from '../triage/types';
import { guardedSource, type EnrichmentSource, type SourceAnswer, type SourceDeps } from './intel-source';
import { createSourceHttp, describeErrorBody, type SourceHttpOptions } from './source-http';

/**
 * AbuseIPDB API v2 (docs.abuseipdb.com): `GET /check?ipAddress=&maxAgeInDays=` with headers `Key`
 * and `Accept: application/json`; IP addresses only. `data` holds `abuseConfidenceScore` (0–100),
 * `totalReports`, `numDistinctUsers`, `isWhitelisted`, `isTor`, `usageType`. Every answer carries
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix seconds, the daily reset); a 429 adds
 * `Retry-After` (seconds). 401/403 make the source unavailable; 422 is a refused address.
 */

type Answer = SourceAnswer<'abuseipdb'>;

export const abuseIpdbMaliciousScore = 75;
export const abuseIpdbSuspiciousScore = 25;

/**
 * clean when whitelisted; malicious from a confidence of abuseIpdbMaliciousScore, suspicious from
 * abuseIpdbSuspiciousScore; unknown when nobody reported it within maxAgeInDays (no report is no
 * evidence either way); clean otherwise (reported, with little confidence).
 */
export function abuseIpdbVerdict(detail: AbuseIpdbDetail): IntelVerdict {
  if (detail.isWhitelisted === true) return 'clean';
  if (detail.abuseConfidenceScore >= abuseIpdbMaliciousScore) return 'malicious';
  if (detail.abuseConfidenceScore >= abuseIpdbSuspiciousScore) return 'suspicious';
  return detail.totalReports === 0 ? 'unknown' : 'clean';
}

const header = (headers: Record<string, unknown> | undefined, name: string): number | undefined => {
  const value = Number(headers?.[name]);
  return headers?.[name] !== undefined && Number.isFinite(value) ? value : undefined;
};

/** `X-RateLimit-Remaining` and `X-RateLimit-Reset`, when both were sent. */
function quotaOf(headers: Record<string, unknown> | undefined): Answer['quota'] {
  const remaining = header(headers, 'x-ratelimit-remaining');
  const reset = header(headers, 'x-ratelimit-reset');
  if (remaining === undefined) return undefined;
  return reset === undefined ? { remaining } : { remaining, resetsAt: new Date(reset * 1000).toISOString() };
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);

function readAnswer(data: unknown): Answer {
  const d = (data as { data?: Record<string, unknown> } | null)?.data;
  if (typeof d !== 'object' || d === null || typeof d.abuseConfidenceScore !== 'number') return { verdict: 'unavailable', failure: 'refused', reason: 'AbuseIPDB answered without data.abuseConfidenceScore' };
  const detail: AbuseIpdbDetail = {
    abuseConfidenceScore: Math.min(100, count(d.abuseConfidenceScore)),
    totalReports: count(d.totalReports),
    numDistinctUsers: count(d.numDistinctUsers),
    isWhitelisted: typeof d.isWhitelisted === 'boolean' ? d.isWhitelisted : null,
    ...(typeof d.isTor === 'boolean' ? { isTor: d.isTor } : {}),
    usageType: typeof d.usageType === 'string' ? d.usageType : null,
  };
  const verdict = abuseIpdbVerdict(detail);
  return verdict === 'unknown' ? { verdict, detail, reason: 'nobody reported it to AbuseIPDB' } : { verdict, detail };
}

export interface AbuseIpdbOptions extends SourceDeps {
  apiUrl: string;
  /** Reports older than this are not counted (1–365). */
  maxAgeInDays: number;
  http?: Pick<SourceHttpOptions, 'retry' | 'timeoutMs' | 'log'>;
}

export function createAbuseIpdbSource(options: AbuseIpdbOptions): EnrichmentSource<'abuseipdb'> {
  const request = createSourceHttp({ peer: 'abuseipdb', baseUrl: options.apiUrl, ...options.http });
  const now = () => (options.now?.() ?? new Date()).getTime();
  return guardedSource(
    {
      name: 'abuseipdb',
      types: ['ip'],
      secretName: secretNames.abuseipdbApiKey,
      async ask(indicator, apiKey): Promise<Answer> {
        const res = await request({
          path: '/check',
          query: { ipAddress: indicator.value, maxAgeInDays: options.maxAgeInDays },
          headers: { Key: apiKey, Accept: 'application/json' },
        });
        const quota = quotaOf(res.headers);
        const withQuota = (answer: Answer): Answer => (quota ? { ...answer, quota } : answer);
        if (!res.answered) {
          // A spent daily quota says when it resets; wait for the later of that and Retry-After.
          const untilReset = quota?.resetsAt && quota.remaining === 0 ? Date.parse(quota.resetsAt) - now() : undefined;
          const wait = Math.max(res.retryAfterMs ?? 0, untilReset ?? 0);
          return withQuota({ verdict: 'unavailable', failure: res.failure, reason: res.reason, ...(wait > 0 ? { retryAfterMs: wait } : {}) });
        }
        if (res.status === 200) return withQuota(readAnswer(res.data));
        const why = `AbuseIPDB answered ${res.status} (${describeErrorBody(res.data)})`;
        if (res.status === 401 || res.status === 403) return { verdict: 'unavailable', failure: 'credentials', reason: `${why}: check the secret ${secretNames.abuseipdbApiKey}` };
        return withQuota({ verdict: 'unavailable', failure: 'refused', reason: why });
      },
    },
    options,
  );
}
