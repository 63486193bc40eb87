import { isIP } from 'node:net';
import type { ServerResponse } from 'node:http';
import { sendJson, startTestServer, type TestServer } from './http-server';

/**
 * A local AbuseIPDB API v2 (docs.abuseipdb.com): `GET /api/v2/check?ipAddress=&maxAgeInDays=`
 * with the key in the `Key` header. Answers `{data: {ipAddress, isPublic, ipVersion, isWhitelisted,
 * abuseConfidenceScore, countryCode, usageType, isp, domain, hostnames, isTor, totalReports,
 * numDistinctUsers, lastReportedAt}}` (an address nobody reported: score 0, no reports) with
 * `X-RateLimit-Limit` / `X-RateLimit-Remaining`; errors as `{errors: [{detail, status}]}`: 401 for
 * a missing or wrong key, 422 for a bad address or age, and 429 once the daily limit is spent,
 * with `Retry-After` (seconds) and `X-RateLimit-Reset` (Unix seconds, next 00:00 UTC). Scripted
 * answers come first. Every request is recorded.
 */

export interface AbuseReport {
  abuseConfidenceScore?: number;
  totalReports?: number;
  numDistinctUsers?: number;
  isWhitelisted?: boolean | null;
  isTor?: boolean;
  usageType?: string | null;
}

export interface AbuseScripted {
  status: number;
  detail?: string;
  retryAfter?: string;
  headers?: Record<string, string>;
}

export interface FakeAbuseIpdb extends TestServer {
  /** The `enrichment.abuseipdb.apiUrl` to configure. */
  apiUrl: string;
  apiKey: string;
  set(ip: string, report: AbuseReport): void;
  answerNext(...answers: AbuseScripted[]): void;
  /** Checks left today; 0 makes the next check a 429. */
  setRemaining(remaining: number): void;
}

const errors = (res: ServerResponse, status: number, detail: string, headers: Record<string, string> = {}, parameter?: string) =>
  sendJson(res, status, { errors: [{ detail, status, ...(parameter ? { source: { parameter } } : {}) }] }, headers);

export async function startFakeAbuseIpdb(options: { apiKey?: string; dailyLimit?: number; now?: () => number } = {}): Promise<FakeAbuseIpdb> {
  const apiKey = options.apiKey ?? 'abuseipdb-test-key-0123456789';
  const limit = options.dailyLimit ?? 1000;
  const now = options.now ?? Date.now;
  const reports = new Map<string, AbuseReport>();
  const script: AbuseScripted[] = [];
  let remaining = limit;

  const server = await startTestServer((req, res) => {
    const next = script.shift();
    if (next) return errors(res, next.status, next.detail ?? 'scripted answer', { ...next.headers, ...(next.retryAfter !== undefined ? { 'retry-after': next.retryAfter } : {}) });
    if (req.headers.key !== apiKey)
      return errors(res, 401, 'Authentication failed. Your API key is either missing, incorrect, or revoked. Note: The APIv2 key differs from the APIv1 key.');
    if (req.method !== 'GET' || req.path !== '/api/v2/check') return errors(res, 404, `The requested endpoint ${req.path} does not exist.`);
    const ip = req.query.get('ipAddress') ?? '';
    if (!isIP(ip)) return errors(res, 422, 'The ip address must be a valid IPv4 or IPv6 address (e.g. 8.8.8.8 or 2001:4860:4860::8888).', {}, 'ipAddress');
    const maxAge = Number(req.query.get('maxAgeInDays') ?? '30');
    if (!Number.isInteger(maxAge) || maxAge < 1 || maxAge > 365) return errors(res, 422, 'The max age in days must be between 1 and 365.', {}, 'maxAgeInDays');
    const reset = Math.ceil(now() / 86_400_000) * 86_400;
    if (remaining <= 0) {
      const headers = { 'retry-after': String(Math.max(1, reset - Math.floor(now() / 1000))), 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) };
      return errors(res, 429, `Daily rate limit of ${limit} requests exceeded for this endpoint. See headers for additional details.`, headers);
    }
    remaining -= 1;
    const r = reports.get(ip) ?? {};
    const totalReports = r.totalReports ?? 0;
    sendJson(
      res,
      200,
      {
        data: {
          ipAddress: ip,
          isPublic: true,
          ipVersion: isIP(ip),
          isWhitelisted: r.isWhitelisted === undefined ? false : r.isWhitelisted,
          abuseConfidenceScore: r.abuseConfidenceScore ?? 0,
          countryCode: 'NL',
          usageType: r.usageType === undefined ? 'Data Center/Web Hosting/Transit' : r.usageType,
          isp: 'Example Hosting B.V.',
          domain: 'example-hosting.net',
          hostnames: [],
          isTor: r.isTor ?? false,
          totalReports,
          numDistinctUsers: r.numDistinctUsers ?? 0,
          lastReportedAt: totalReports > 0 ? new Date(now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+00:00') : null,
        },
      },
      { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining) },
    );
  });
  return {
    ...server,
    apiUrl: `${server.url}/api/v2`,
    apiKey,
    set: (ip, report) => void reports.set(ip, report),
    answerNext: (...answers) => void script.push(...answers),
    setRemaining: (n) => void (remaining = n),
  };
}
