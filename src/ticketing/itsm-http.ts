import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { createHttpClient } from '../net/http-client';
import { retryAfterMs } from '../net/retry';

/**
 * One ITSM REST call on the shared HTTP client, with retries of transient failures: 429 honouring
 * Retry-After, 5xx and network errors with exponential backoff and jitter. Whatever is still
 * failing after the budget is thrown as an ItsmCallError that says whether it is transient (the
 * ITSM is down or busy: the ticket work waits and retries later) or permanent (the ITSM refused
 * the request).
 */

export interface ItsmRetryBudget {
  /** Attempts in total, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After is not waited for here: the call fails (transient) and the work is parked. */
  maxRetryAfterMs: number;
  /** Per-attempt timeout; default the requester's. */
  timeoutMs?: number;
}

/** Background work (ticket sync) waits a while; a person waiting on a command does not. */
export const backgroundBudget: ItsmRetryBudget = { attempts: 3, baseDelayMs: 300, maxDelayMs: 4_000, maxRetryAfterMs: 15_000 };
// Teams expects a bot to answer a message within seconds.
export const interactiveBudget: ItsmRetryBudget = { attempts: 2, baseDelayMs: 200, maxDelayMs: 500, maxRetryAfterMs: 2_000, timeoutMs: 4_000 };

/** ARGUS_DEPENDENCY_FAILED from an ITSM, with what a retry decision needs. */
export class ItsmCallError extends ArgusError {
  readonly peer: string;
  /** True when waiting may help (down, throttled, unreachable); false when the ITSM refused the request. */
  readonly transient: boolean;
  /** The ITSM's HTTP status, when it answered. */
  readonly peerStatus?: number;
  /** The ITSM's Retry-After, when it sent one. */
  readonly retryAfterMs?: number;

  constructor(message: string, options: { peer: string; transient: boolean; peerStatus?: number; retryAfterMs?: number; cause?: unknown }) {
    super('ARGUS_DEPENDENCY_FAILED', message, { details: [{ path: options.peer, message }], cause: options.cause });
    this.name = 'ItsmCallError';
    this.peer = options.peer;
    this.transient = options.transient;
    this.peerStatus = options.peerStatus;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isTransientItsmError(err: unknown): err is ItsmCallError {
  return err instanceof ItsmCallError && err.transient;
}

export interface ItsmCall {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  /** Path and query, appended to the base URL. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Form-encoded body instead of JSON (OAuth token requests). */
  form?: Record<string, string>;
  /**
   * False for calls that must not run twice (creating a ticket, adding a note): those are only
   * retried here when the request certainly had no effect (429, connection refused).
   */
  idempotent?: boolean;
  budget?: ItsmRetryBudget;
  /** Skip the Authorization header (the OAuth token request carries its own credentials). */
  anonymous?: boolean;
}

export interface ItsmResponse {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

export interface ItsmHttpOptions {
  baseUrl: string;
  /** Names the peer in errors and logs: servicenow, jira. */
  peer: string;
  /** The Authorization header value; `refresh` asks for a new one after a 401. */
  authorization(options: { refresh: boolean }): Promise<string>;
  /** Turns an error body into one readable line (each ITSM has its own shape). */
  describeError(status: number, data: unknown): string;
  timeoutMs?: number;
  log?: Logger;
}

export type ItsmRequester = (call: ItsmCall) => Promise<ItsmResponse>;

/** Basic auth over plain http would hand the password to anyone on the path: https, or loopback for local tests. */
export function assertSecureBaseUrl(value: string, configPath: string): URL {
  const url = new URL(value);
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    const message = 'must use https (plain http is accepted for loopback addresses only)';
    throw new ArgusError('ARGUS_CONFIG_INVALID', `${configPath} ${message}`, { details: [{ path: configPath, message }] });
  }
  return url;
}

export function createItsmRequester(options: ItsmHttpOptions): ItsmRequester {
  const { peer } = options;
  const target = (call: { method: string; url: string }) => `${call.method} ${call.url.split('?')[0]}`;
  const http = createHttpClient({
    peer,
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 20_000,
    headers: { accept: 'application/json' },
    authorization: options.authorization,
    refreshOn401: true,
    // A 503 says the ITSM did not take the request on: retried even when it must not run twice.
    retryStatus: (status, idempotent) => status === 429 || (status >= 500 && (idempotent || status === 503)),
    errors: {
      unreachable: (f) => new ItsmCallError(`${peer} could not be reached (${f.code}) on ${target(f.call)}`, { peer, transient: true, cause: new Error(f.code) }),
      exhausted: ({ response: res, attempt, retryAfterMs: wait }) =>
        new ItsmCallError(`${peer} answered ${res.status} after ${attempt} attempt(s): ${options.describeError(res.status, res.data)}`, {
          peer,
          transient: true,
          peerStatus: res.status,
          retryAfterMs: wait ?? retryAfterMs(res.headers),
        }),
    },
    ...(options.log ? { log: options.log } : {}),
  });

  return async function request(call: ItsmCall): Promise<ItsmResponse> {
    const budget = call.budget ?? backgroundBudget;
    const res = await http({
      method: call.method,
      url: call.path,
      query: call.query,
      body: call.body,
      form: call.form,
      idempotent: call.idempotent ?? call.method !== 'POST',
      anonymous: call.anonymous,
      retry: budget,
      timeoutMs: budget.timeoutMs,
    });
    if (res.status >= 400)
      throw new ItsmCallError(`${peer} refused ${call.method} ${call.path.split('?')[0]}: ${res.status} ${options.describeError(res.status, res.data)}`, {
        peer,
        transient: false,
        peerStatus: res.status,
      });
    return res;
  };
}
