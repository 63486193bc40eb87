import type { Logger } from '../logging/logger';
import { createHttpClient, type RetryPolicy } from '../net/http-client';
import type { IntelSource } from '../triage/types';
import type { SourceFailure } from './intel-source';

/**
 * An intel source's GET on the shared HTTP client: 429 retried honouring Retry-After (up to
 * maxRetryAfterMs; a longer wait is the scheduler's to make, not a request's), 5xx and network
 * failures retried with backoff. Any other answer is returned for the adapter to read; what the
 * retries could not cure comes back as a failure (throttled or outage), never thrown.
 */

/** Background lookups: a few quick retries; a Retry-After longer than 20 s goes back to the scheduler. */
export const sourceRetryPolicy: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 20_000 };

export interface SourceHttpOptions {
  peer: IntelSource;
  baseUrl: string;
  retry?: Partial<RetryPolicy>;
  /** Per attempt; default 15 s. */
  timeoutMs?: number;
  log?: Logger;
}

export interface SourceRequest {
  path: string;
  query?: Record<string, string | number>;
  /** The API key travels here; headers are never logged. */
  headers: Record<string, string>;
}

export type SourceResponse =
  | { answered: true; status: number; data: unknown; headers: Record<string, unknown> }
  | { answered: false; failure: Extract<SourceFailure, 'throttled' | 'outage'>; reason: string; status?: number; headers?: Record<string, unknown>; retryAfterMs?: number };

type Unanswered = Extract<SourceResponse, { answered: false }>;

class NoAnswer extends Error {
  constructor(readonly response: Unanswered) {
    super(response.reason);
  }
}

export function createSourceHttp(options: SourceHttpOptions): (request: SourceRequest) => Promise<SourceResponse> {
  const { peer } = options;
  const http = createHttpClient({
    peer,
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 15_000,
    retry: { ...sourceRetryPolicy, ...options.retry },
    errors: {
      unreachable: (f) => new NoAnswer({ answered: false, failure: 'outage', reason: `${peer} could not be reached (${f.code})` }),
      exhausted: ({ response, attempt, retryAfterMs }) =>
        new NoAnswer({
          answered: false,
          failure: response.status === 429 ? 'throttled' : 'outage',
          reason: `${peer} answered ${response.status} after ${attempt} attempt(s)`,
          status: response.status,
          headers: response.headers,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        }),
    },
    ...(options.log ? { log: options.log } : {}),
  });
  return async (request) => {
    try {
      const res = await http({ method: 'GET', url: request.path, query: request.query, headers: request.headers });
      return { answered: true, ...res };
    } catch (err) {
      if (err instanceof NoAnswer) return err.response;
      throw err;
    }
  };
}

/** `{"error": {"code", "message"}}` (VirusTotal) or `{"errors": [{"detail"}]}` (AbuseIPDB), as one short line. */
export function describeErrorBody(data: unknown): string {
  if (typeof data !== 'object' || data === null) return 'no error body';
  const { error, errors } = data as { error?: { code?: unknown; message?: unknown }; errors?: Array<{ detail?: unknown }> };
  const parts = error ? [error.code, error.message] : Array.isArray(errors) ? [errors[0]?.detail] : [];
  const text = parts.filter((p): p is string => typeof p === 'string').join(': ');
  return text ? text.slice(0, 300) : 'no error message';
}
