import type { TokenCredential } from '@azure/identity';
import { ArgusError, type ErrorDetail } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { createHttpClient, pathOf, type RetryPolicy } from '../net/http-client';

/**
 * One authenticated ARM call on the shared HTTP client. Throttling (429, honouring Retry-After),
 * 5xx and network errors are retried with exponential backoff and jitter; every other answer is
 * returned to the caller, which decides what a 404 or 409 means.
 */

export type RetryOptions = RetryPolicy;

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
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
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

/** `{"error": {"code", "message"}}` as ARM sends it, cut to a loggable length. */
export function armErrorDetails(status: number, data: unknown, peer: string): ErrorDetail[] {
  const error = typeof data === 'object' && data !== null ? (data as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  const code = typeof error?.code === 'string' ? error.code : `HTTP ${status}`;
  const message = typeof error?.message === 'string' ? error.message.slice(0, 500) : 'no error message';
  return [{ path: peer, message: `${status} ${code}: ${message}` }];
}

export function createArmRequester(options: ArmRequestOptions): ArmRequester {
  const peer = options.peer ?? 'arm';
  const request = createHttpClient({
    peer,
    timeoutMs: options.timeoutMs ?? 30_000,
    retry: { ...defaultRetryOptions, ...options.retry },
    headers: { accept: 'application/json' },
    async authorization() {
      let token: Awaited<ReturnType<TokenCredential['getToken']>>;
      try {
        token = await options.credential.getToken(options.scope);
      } catch (err) {
        throw new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', `Could not get an access token for ${peer}`, { cause: err });
      }
      if (!token) throw new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', `Could not get an access token for ${peer}`);
      return `Bearer ${token.token}`;
    },
    errors: {
      unreachable: (f) =>
        new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', `${peer} could not be reached (${f.code})`, {
          details: [{ path: peer, message: `${f.call.method} ${pathOf(f.call)}: ${f.code}` }],
          cause: new Error(`${f.code}: ${f.message}`),
        }),
      exhausted: ({ response: { status, data }, attempt }) =>
        new ArgusError(status === 429 || status >= 500 ? 'ARGUS_DEPENDENCY_UNAVAILABLE' : 'ARGUS_DEPENDENCY_FAILED', `${peer} answered ${status} after ${attempt} attempt(s)`, {
          details: armErrorDetails(status, data, peer),
        }),
    },
    ...(options.log ? { log: options.log } : {}),
  });

  return async function armRequest(call: ArmCall): Promise<ArmResponse> {
    const res = await request({ method: call.method, url: call.url, body: call.body, idempotent: call.idempotent ?? true });
    return { status: res.status, data: res.data };
  };
}
