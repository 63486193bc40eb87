import axios, { isAxiosError } from 'axios';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { backoffMs, retryAfterMs } from './retry';

/**
 * The one outbound HTTP client for REST peers (Sentinel/ARM, the ITSMs, Logic App triggers).
 * A call is retried when the peer is throttling (429, honouring Retry-After), failing (5xx) or
 * unreachable, with exponential backoff and jitter, within a cap on attempts and on the total
 * wait. A call that must not run twice (idempotent: false) is only retried when the request
 * certainly had no effect: a 429, or a refused connection. Every other answer is returned to the
 * caller, which decides what a 404 or 409 means; failures the retries could not cure are thrown
 * as the error the caller's mapping makes of them.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  attempts: number;
  /** The first backoff ceiling; it doubles per attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After is not waited for: the call fails at once. */
  maxRetryAfterMs: number;
  /** All waits of one call together; a retry that would go past it is not made. Default: no cap. */
  maxTotalWaitMs?: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An absolute URL, or a path (and query) appended to the client's baseUrl. */
  url: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent form-encoded instead of `body` (OAuth token requests). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Default: every method but POST. */
  idempotent?: boolean;
  /** Without the Authorization header (a token request carries its own credentials). */
  anonymous?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout; default the client's. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

/** No answer: the connection failed or timed out, and retrying is over or not allowed. */
export interface NetworkFailure {
  call: HttpCall;
  /** The network error's code (ECONNREFUSED, ECONNABORTED…), never the request (it holds the Authorization header). */
  code: string;
  message: string;
  attempt: number;
}

/** A throttled or failing answer that retrying did not cure. */
export interface StatusFailure {
  call: HttpCall;
  response: HttpResponse;
  attempt: number;
  /** The wait the peer asked for, when it was honoured for this answer. */
  retryAfterMs?: number;
  /** Why retrying stopped: out of attempts, a Retry-After beyond maxRetryAfterMs, or the total-wait cap. */
  stop: 'attempts' | 'retry-after' | 'wait-budget';
}

export interface RetryNotice {
  call: HttpCall;
  attempt: number;
  delayMs: number;
  /** Set when the peer answered. */
  response?: HttpResponse;
  /** Set when it did not. */
  code?: string;
}

export interface HttpClientOptions {
  /** Names the peer in errors and logs: sentinel, servicenow, jira. */
  peer: string;
  baseUrl?: string;
  /** Per-attempt timeout; default 30 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Sent with every call. */
  headers?: Record<string, string>;
  /** The Authorization header value, asked for on every attempt; `refresh` after a 401 when refreshOn401 is set. */
  authorization?(options: { refresh: boolean }): Promise<string>;
  /** After a 401, ask authorization for a fresh value and try once more (not counted as an attempt). */
  refreshOn401?: boolean;
  /** Which answers are worth another attempt. Default: 429; 5xx when the call is idempotent. */
  retryStatus?(status: number, idempotent: boolean): boolean;
  /** Honour Retry-After on retried 5xx answers too, not only on 429. */
  retryAfterOn5xx?: boolean;
  /** The errors thrown for failures retrying did not cure; the defaults are ARGUS_DEPENDENCY_* errors. */
  errors?: {
    unreachable?(failure: NetworkFailure): Error;
    exhausted?(failure: StatusFailure): Error;
  };
  /** Called before each wait; the default logs a warning with method, path, attempt, status or code, delayMs. */
  onRetry?(notice: RetryNotice): void;
  log?: Logger;
}

export type HttpClient = (call: HttpCall) => Promise<HttpResponse>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const defaultRetryStatus = (status: number, idempotent: boolean): boolean => status === 429 || (status >= 500 && idempotent);

/** Where a call went, for logs: a relative path as given, an absolute URL by its path only (no query, no signature). */
export function pathOf(call: HttpCall): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(call.url) ? new URL(call.url).pathname : call.url;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { peer, log } = options;
  const http = axios.create({ timeout: options.timeoutMs ?? 30_000, maxRedirects: 0, validateStatus: () => true });
  const base = options.baseUrl?.replace(/\/+$/, '') ?? '';
  const retryStatus = options.retryStatus ?? defaultRetryStatus;
  const unreachable =
    options.errors?.unreachable ??
    ((f: NetworkFailure) => new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', `${peer} could not be reached (${f.code})`, { cause: new Error(f.code) }));
  const exhausted =
    options.errors?.exhausted ??
    ((f: StatusFailure) => {
      const status = f.response.status;
      const code = status === 429 || status >= 500 ? 'ARGUS_DEPENDENCY_UNAVAILABLE' : 'ARGUS_DEPENDENCY_FAILED';
      return new ArgusError(code, `${peer} answered ${status} after ${f.attempt} attempt(s)`);
    });
  const onRetry =
    options.onRetry ??
    ((n: RetryNotice) => {
      const where = { method: n.call.method, path: pathOf(n.call), attempt: n.attempt };
      if (n.response) log?.warn({ ...where, status: n.response.status, delayMs: Math.round(n.delayMs) }, `${peer} answered ${n.response.status}; retrying`);
      else log?.warn({ ...where, code: n.code, delayMs: Math.round(n.delayMs) }, `${peer} call failed; retrying`);
    });

  async function send(call: HttpCall, refresh: boolean): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...options.headers, ...call.headers };
    if (options.authorization && !call.anonymous) headers.authorization = await options.authorization({ refresh });
    let data: unknown = call.body;
    if (call.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      data = new URLSearchParams(call.form).toString();
    } else if (call.body !== undefined) headers['content-type'] ??= 'application/json';
    const params = call.query ? Object.fromEntries(Object.entries(call.query).filter(([, v]) => v !== undefined)) : undefined;
    const url = /^[a-z][a-z0-9+.-]*:/i.test(call.url) ? call.url : `${base}${call.url}`;
    const r = await http.request({ method: call.method, url, params, data, headers, timeout: call.timeoutMs }).catch((err: unknown) => {
      // The axios error holds the request config, Authorization header included: keep only its code and message.
      throw new NetworkError(isAxiosError(err) ? (err.code ?? 'ERR_NETWORK') : 'ERR_NETWORK', err instanceof Error ? err.message : String(err));
    });
    return { status: r.status, data: r.data, headers: r.headers as Record<string, unknown> };
  }

  return async function request(call: HttpCall): Promise<HttpResponse> {
    const policy = { ...defaultRetryPolicy, ...options.retry, ...call.retry };
    const idempotent = call.idempotent ?? call.method !== 'POST';
    const totalCap = policy.maxTotalWaitMs ?? Infinity;
    let waited = 0;
    let refreshed = false;
    for (let attempt = 1; ; attempt += 1) {
      let res: HttpResponse;
      try {
        res = await send(call, refreshed);
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        const delay = backoffMs(attempt, policy);
        const allowed = idempotent || err.code === 'ECONNREFUSED';
        if (attempt >= policy.attempts || !allowed || waited + delay > totalCap)
          throw unreachable({ call, code: err.code, message: err.message, attempt });
        onRetry({ call, attempt, delayMs: delay, code: err.code });
        waited += delay;
        await sleep(delay);
        continue;
      }
      if (res.status === 401 && options.refreshOn401 && !refreshed && !call.anonymous) {
        // An expired token: fetch a fresh one once before calling the credentials wrong.
        refreshed = true;
        attempt -= 1;
        continue;
      }
      if (!retryStatus(res.status, idempotent)) return res;
      const wait = res.status === 429 || options.retryAfterOn5xx ? retryAfterMs(res.headers) : undefined;
      const delay = wait ?? backoffMs(attempt, policy);
      const stop =
        wait !== undefined && wait > policy.maxRetryAfterMs
          ? 'retry-after'
          : attempt >= policy.attempts
            ? 'attempts'
            : waited + delay > totalCap
              ? 'wait-budget'
              : undefined;
      if (stop) throw exhausted({ call, response: res, attempt, retryAfterMs: wait, stop });
      onRetry({ call, attempt, delayMs: delay, response: res });
      waited += delay;
      await sleep(delay);
    }
  };
}

class NetworkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
