import { inspect } from 'node:util';

export interface WaitOptions<T> {
  /** What is waited for, as the failure names it ("the ticket", "every stored event processed"). */
  what: string;
  /** Gives up after this long (default 8 s). */
  timeoutMs?: number;
  /** Pause between two looks (default 50 ms). */
  intervalMs?: number;
  /** When the value `check` returned is the one waited for (default: when it is truthy). */
  until?: (value: T) => boolean;
}

type Falsy = undefined | null | false;

/**
 * Calls `check` until its value is the one waited for (truthy, or what `until` accepts) and
 * resolves with that value. After `timeoutMs` it fails with an error naming `what` and the last
 * value `check` returned. An error thrown by `check` ends the wait at once.
 */
export function waitFor<T>(check: () => T | Falsy | Promise<T | Falsy>, options: WaitOptions<T | Falsy> & { until?: undefined }): Promise<T>;
export function waitFor<T>(check: () => T | Promise<T>, options: WaitOptions<T> & { until: (value: T) => boolean }): Promise<T>;
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitOptions<T>): Promise<T> {
  const { what, timeoutMs = 8_000, intervalMs = 50, until = (v: T) => Boolean(v) } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (until(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${inspect(value, { depth: 3, breakLength: Infinity, maxStringLength: 500, maxArrayLength: 20 })}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
