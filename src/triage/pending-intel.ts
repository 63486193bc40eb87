import { parseIsoDuration } from '../playbooks/duration';
import type { WaitingLookup } from './intel-port';
import type { MissingSource } from './policy';

/**
 * How long an alert waits for lookups the quota holds back (`enrichment.maxWait`). Until then it
 * stays `pending-intel` and is tried again when the earliest waiting lookup is allowed (or at
 * maxWait, whichever comes first); after it, it is decided without the sources still waiting.
 */

export const defaultMaxWait = 'PT10M';
/** A waiting lookup that names no time is asked again after this long. */
const defaultRetryMs = 60_000;

export type WaitOutcome = { nextTry: string } | { missing: MissingSource[] };

export function waitOutcome(waiting: readonly WaitingLookup[], since: Date, now: Date, maxWait = defaultMaxWait): WaitOutcome {
  const deadline = since.getTime() + (parseIsoDuration(maxWait) ?? parseIsoDuration(defaultMaxWait)!);
  if (now.getTime() >= deadline) {
    const sources = [...new Set(waiting.map((w) => w.source))];
    return { missing: sources.map((source) => ({ source, why: 'past-max-wait', maxWait })) };
  }
  const tries = waiting.map((w) => Date.parse(w.until ?? '')).map((t) => (Number.isFinite(t) ? t : now.getTime() + defaultRetryMs));
  return { nextTry: new Date(Math.min(deadline, ...tries)).toISOString() };
}
