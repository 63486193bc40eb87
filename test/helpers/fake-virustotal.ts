import { sendJson, startTestServer, type RecordedRequest, type TestServer } from './http-server';

/**
 * A local VirusTotal API v3 (docs.virustotal.com/reference): `GET /api/v3/files/{hash}`,
 * `/urls/{id}` (the URL in unpadded base64url: the fake decodes it, so a wrongly encoded id finds
 * nothing), `/domains/{domain}` and `/ip_addresses/{ip}`, authenticated by `x-apikey`. Objects
 * come back as `{data: {id, type, links, attributes}}` with `last_analysis_stats`, `reputation`,
 * `last_analysis_date`; errors as `{error: {code, message}}`: 401 AuthenticationRequiredError /
 * WrongCredentialsError, 404 NotFoundError, and whatever is scripted (429 QuotaExceededError with
 * Retry-After, 403 ForbiddenError, 5xx). Every request is recorded, answered or not.
 */

export interface VtAnalysis {
  malicious?: number;
  suspicious?: number;
  harmless?: number;
  undetected?: number;
  timeout?: number;
  reputation?: number;
  /** Unix seconds; absent: never analysed (no stats either). */
  lastAnalysisDate?: number;
}

export type VtKind = 'files' | 'urls' | 'domains' | 'ip_addresses';

export interface VtScripted {
  status: number;
  code?: string;
  message?: string;
  retryAfter?: string;
}

export interface FakeVirusTotal extends TestServer {
  /** The `enrichment.virustotal.apiUrl` to configure. */
  apiUrl: string;
  apiKey: string;
  /** Makes the object known (keys: a hash, a URL as written, a domain, an IP). */
  set(kind: VtKind, key: string, analysis: VtAnalysis): void;
  /** The next requests get these answers, in order, whatever they ask. */
  answerNext(...answers: VtScripted[]): void;
}

const objectTypes: Record<VtKind, string> = { files: 'file', urls: 'url', domains: 'domain', ip_addresses: 'ip_address' };
const hashNames: Record<number, string> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };
const notFoundNames: Record<VtKind, string> = { files: 'File', urls: 'URL', domains: 'Domain', ip_addresses: 'IP address' };

function vtObject(kind: VtKind, id: string, key: string, a: VtAnalysis, base: string) {
  const analysed = a.lastAnalysisDate !== undefined;
  const stats = { malicious: a.malicious ?? 0, suspicious: a.suspicious ?? 0, undetected: a.undetected ?? 0, harmless: a.harmless ?? 0, timeout: a.timeout ?? 0 };
  const attributes: Record<string, unknown> = {
    reputation: a.reputation ?? 0,
    tags: [],
    total_votes: { harmless: 0, malicious: 0 },
    ...(analysed ? { last_analysis_date: a.lastAnalysisDate, last_analysis_stats: kind === 'files' ? { ...stats, 'confirmed-timeout': 0, failure: 0, 'type-unsupported': 0 } : stats, last_analysis_results: {} } : {}),
    ...(kind === 'urls' ? { url: key, last_final_url: key } : {}),
    ...(kind === 'ip_addresses' ? { as_owner: 'EXAMPLE-AS', asn: 64500, country: 'NL', network: `${key}/32` } : {}),
    ...(kind === 'domains' ? { tld: key.split('.').pop(), registrar: 'Example Registrar', categories: {} } : {}),
    ...(kind === 'files' ? { [hashNames[key.length] ?? 'sha256']: key, type_description: 'Win32 EXE', size: 110592 } : {}),
  };
  return { data: { id, type: objectTypes[kind], links: { self: `${base}/${kind}/${id}` }, attributes } };
}

export async function startFakeVirusTotal(options: { apiKey?: string } = {}): Promise<FakeVirusTotal> {
  const apiKey = options.apiKey ?? 'vt-test-key-0123456789';
  const known = new Map<string, VtAnalysis>();
  const script: VtScripted[] = [];
  let apiUrl = '';
  const error = (res: Parameters<typeof sendJson>[0], status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    sendJson(res, status, { error: { code, message } }, headers);

  const server = await startTestServer((req: RecordedRequest, res) => {
    const next = script.shift();
    if (next) {
      const code = next.code ?? (next.status === 429 ? 'QuotaExceededError' : next.status === 403 ? 'ForbiddenError' : 'TransientError');
      return error(res, next.status, code, next.message ?? 'scripted answer', next.retryAfter !== undefined ? { 'retry-after': next.retryAfter } : {});
    }
    const key = req.headers['x-apikey'];
    if (key === undefined) return error(res, 401, 'AuthenticationRequiredError', 'X-Apikey header is missing');
    if (key !== apiKey) return error(res, 401, 'WrongCredentialsError', 'Wrong API key');
    const match = /^\/api\/v3\/(files|urls|domains|ip_addresses)\/([^/]+)$/.exec(req.path);
    if (req.method !== 'GET' || !match) return error(res, 404, 'NotFoundError', `Resource not found: ${req.path}`);
    const kind = match[1] as VtKind;
    const id = decodeURIComponent(match[2]!);
    // A URL id is the URL in base64url without padding; padding or the plain base64 alphabet finds nothing.
    const lookupKey = kind === 'urls' ? (/^[A-Za-z0-9_-]+$/.test(id) ? Buffer.from(id, 'base64url').toString('utf8') : `invalid:${id}`) : id;
    const analysis = known.get(`${kind}/${lookupKey}`);
    if (!analysis) return error(res, 404, 'NotFoundError', `${notFoundNames[kind]} "${id}" not found`);
    sendJson(res, 200, vtObject(kind, id, lookupKey, analysis, apiUrl));
  });
  apiUrl = `${server.url}/api/v3`;
  return {
    ...server,
    apiUrl,
    apiKey,
    set: (kind, key, analysis) => void known.set(`${kind}/${key}`, analysis),
    answerNext: (...answers) => void script.push(...answers),
  };
}
