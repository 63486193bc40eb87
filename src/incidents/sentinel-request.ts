import type { TokenCredential } from '@azure/identity';
import axios, { isAxiosError } from 'axios';
import { ArgusError, type ErrorDetail } from '../errors/catalog';
import type { Logger } from '../logging/logger';

/**
 * One authenticated ARM call with retries of transient failures. Throttling (429, honouring
 * Retry-After), 5xx and network errors are retried with exponential backoff and jitter; every
 * other answer is returned to the caller, which decides what a 404 or 409 means.
 */

export interface RetryOptions {
  /** Attempts in total, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails instead. */
  maxRetryAfterMs: number;
}

export const defaultRetryOptions: RetryOptions = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

export interface ArmRequestOptions {
  credential: TokenCredential;
  /** Token scope, e.g. `https://management.azure.com/.default`. */
  scope: string;
  retry?: Partial<RetryOptions>;
  timeoutMs?: number;
  log?: Logger;
  /** Names the peer in errors and logs. */
  peer?: string;
}

export interface ArmCall {
  method: 'GET' | 'PUT' | 'POST';
  url: string;
  body?: unknown;
  /**
   * False for calls that must not run twice (runPlaybook): those are only retried when the
   * request certainly did not take effect (429, or the connection was refused).
   */
  idempotent?: boolean;
}

export interface ArmResponse {
  status: number;
  data: unknown;
}

export type ArmRequester = (call: ArmCall) => Promise<ArmResponse>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After as seconds or an HTTP date; the `*-ms` variants some Azure services send first. */
export function retryAfterMs(headers: Record<string, unknown>, now = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(headers[name]);
    if (headers[name] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function backoffMs(attempt: number, retry: RetryOptions): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": half fixed, half random, so callers that failed together spread out.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** `{"error": {"code", "message"}}` as ARM sends it, cut to a loggable length. */
export function armErrorDetails(status: number, data: unknown, peer: string): ErrorDetail[] {
  const error = typeof data === 'object' && data !== null ? (data as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  const code = typeof error?.code === 'string' ? error.code : `HTTP ${status}`;
  const message = typeof error?.message === 'string' ? error.message.slice(0, 500) : 'no error message';
  return [{ path: peer, message: `${status} ${code}: ${message}` }];
}

export function createArmRequester(options: ArmRequestOptions): ArmRequester {
  const retry = { ...defaultRetryOptions, ...options.retry };
  const peer = options.peer ?? 'arm';
  const log = options.log;
  const http = axios.create({ timeout: options.timeoutMs ?? 30_000, maxRedirects: 0, validateStatus: () => true });

  async function bearer(): Promise<string> {
    let token: Awaited<ReturnType<TokenCredential['getToken']>>;
    try {
      token = await options.credential.getToken(options.scope);
    } catch (err) {
      throw new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', `Could not get an access token for ${peer}`, { cause: err });
    }
    if (!token) throw new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', `Could not get an access token for ${peer}`);
    return token.token;
  }

  return async function request(call: ArmCall): Promise<ArmResponse> {
    const idempotent = call.idempotent ?? true;
    const target = new URL(call.url);
    const where = { method: call.method, path: target.pathname };
    for (let attempt = 1; ; attempt += 1) {
      const authorization = `Bearer ${await bearer()}`;
      let status: number;
      let data: unknown;
      let wait: number | undefined;
      try {
        const res = await http.request({
          method: call.method,
          url: call.url,
          data: call.body,
          headers: { authorization, accept: 'application/json', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
        });
        status = res.status;
        data = res.data;
        if (status !== 429 && (status < 500 || !idempotent)) return { status, data };
        wait = status === 429 ? retryAfterMs(res.headers as Record<string, unknown>) : undefined;
      } catch (err) {
        // The axios error holds the request config, Authorization header included: keep only its code.
        const code = isAxiosError(err) ? (err.code ?? 'ERR_NETWORK') : 'ERR_NETWORK';
        const refused = code === 'ECONNREFUSED';
        if (attempt >= retry.attempts || (!idempotent && !refused)) {
          throw new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', `${peer} could not be reached (${code})`, {
            details: [{ path: peer, message: `${call.method} ${target.pathname}: ${code}` }],
            cause: new Error(`${code}: ${err instanceof Error ? err.message : String(err)}`),
          });
        }
        const delay = backoffMs(attempt, retry);
        log?.warn({ ...where, attempt, code, delayMs: Math.round(delay) }, `${peer} call failed; retrying`);
        await sleep(delay);
        continue;
      }
      if (attempt >= retry.attempts || (wait !== undefined && wait > retry.maxRetryAfterMs)) {
        throw new ArgusError(status === 429 || status >= 500 ? 'ARGUS_DEPENDENCY_UNAVAILABLE' : 'ARGUS_DEPENDENCY_FAILED', `${peer} answered ${status} after ${attempt} attempt(s)`, {
          details: armErrorDetails(status, data, peer),
        });
      }
      const delay = wait ?? backoffMs(attempt, retry);
      log?.warn({ ...where, attempt, status, delayMs: Math.round(delay) }, `${peer} answered ${status}; retrying`);
      await sleep(delay);
    }
  };
}
