/**
 * Shared retry arithmetic: how long a peer asked us to wait (Retry-After) and how long to back off
 * when it did not say.
 */

/** Response headers as a plain record (axios, node:http) or as an object with `get` (fetch, ms-rest). */
export type HeaderSource = Record<string, unknown> | { get(name: string): unknown } | null | undefined;

function header(headers: HeaderSource, name: string): unknown {
  if (!headers) return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return (get as (n: string) => unknown).call(headers, name) ?? undefined;
  return (headers as Record<string, unknown>)[name];
}

/**
 * Retry-After in milliseconds: delta-seconds or an HTTP date, preceded by the `retry-after-ms` /
 * `x-ms-retry-after-ms` variants some Azure services send. Never negative; undefined when absent
 * or unreadable.
 */
export function retryAfterMs(headers: HeaderSource, now = Date.now()): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = header(headers, name);
    const ms = Number(value);
    if (value !== undefined && value !== null && value !== '' && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = header(headers, 'retry-after');
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface BackoffOptions {
  /** The ceiling of the first retry; it doubles per attempt. */
  baseDelayMs: number;
  /** The ceiling never grows past this. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with "equal jitter": the ceiling doubles per attempt (1 = the first retry)
 * up to maxDelayMs, and the wait is half of it fixed and half random, so callers that failed
 * together spread out without any of them retrying at once.
 */
export function backoffMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}
