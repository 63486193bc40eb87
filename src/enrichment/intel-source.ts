import type { SecretProvider } from '../config/secret-provider';
import { intelSourceNames, type Indicator, type IndicatorType, type IntelSource, type SourceVerdict } from '../triage/types';
import { normaliseIndicator } from './indicators';
import type { SendPolicy } from './send-policy';

/**
 * The port every intel source implements: one indicator in, one source verdict out. An adapter
 * only speaks its API; the indicator types it takes, the value's normal form, what may be sent
 * (the send policy) and the API key (the SecretProvider) are seen to here, once for all sources,
 * before it is asked.
 * Quota, cache and queueing are the scheduler's.
 */

/** Why a source gave no answer: it refused our key, it is throttling us, it failed, or it refused this request. */
export type SourceFailure = 'credentials' | 'throttled' | 'outage' | 'refused';

interface LookupFacts {
  /** When the source answered (ISO time); the cache's TTL counts from here. */
  fetchedAt: string;
  /** For `unavailable`: what went wrong. `throttled` answers come back after retryAfterMs. */
  failure?: SourceFailure;
  retryAfterMs?: number;
  /** What the source said is left of its quota, when it says so (AbuseIPDB's X-RateLimit-* headers). */
  quota?: { remaining: number; resetsAt?: string };
}

type VerdictOf<S extends IntelSource> = Extract<SourceVerdict, { source: S }>;
/** One source's verdict on one indicator, with when and (for no answer) why. */
export type LookupResult<S extends IntelSource = IntelSource> = S extends IntelSource ? VerdictOf<S> & LookupFacts : never;
/** What an adapter's protocol returns; the source name and time are added around it. */
export type SourceAnswer<S extends IntelSource> = Omit<VerdictOf<S>, 'source'> & Omit<LookupFacts, 'fetchedAt'>;

export interface EnrichmentSource<S extends IntelSource = IntelSource> {
  readonly name: S;
  supports(type: IndicatorType): boolean;
  /**
   * The source's verdict. Never sends what the send policy forbids (`skipped`); a missing key,
   * refused credentials, throttling past the retries and outages are `unavailable` verdicts with
   * their `failure`. Throws only when the secret store cannot be read.
   */
  lookup(indicator: Indicator): Promise<LookupResult<S>>;
}

/** How an adapter asks its API about an indicator of a type it supports, with the API key. */
export interface SourceProtocol<S extends IntelSource> {
  name: S;
  types: readonly IndicatorType[];
  secretName: string;
  ask(indicator: Indicator, apiKey: string): Promise<SourceAnswer<S>>;
}

export interface SourceDeps {
  secrets: Pick<SecretProvider, 'get'>;
  /** What is never sent out (createSendPolicy with `enrichment.neverSend`). */
  sendPolicy: SendPolicy;
  now?: () => Date;
}

export function guardedSource<S extends IntelSource>(protocol: SourceProtocol<S>, deps: SourceDeps): EnrichmentSource<S> {
  const { name } = protocol;
  const display = intelSourceNames[name];
  const supports = (type: IndicatorType) => protocol.types.includes(type);
  const stamp = (answer: SourceAnswer<S>) => ({ ...answer, source: name, fetchedAt: (deps.now?.() ?? new Date()).toISOString() }) as LookupResult<S>;
  return {
    name,
    supports,
    async lookup(indicator) {
      const skipped = (reason: string) => stamp({ verdict: 'skipped', reason } as SourceAnswer<S>);
      if (!supports(indicator.type)) return skipped(`${display} does not look up ${indicator.type} indicators`);
      const normal = normaliseIndicator(indicator.type, indicator.value);
      if (!normal.ok) return skipped(`${JSON.stringify(indicator.value.slice(0, 80))} ${normal.reason}`);
      const asked: Indicator = { type: indicator.type, value: normal.value };
      const forbidden = deps.sendPolicy(asked);
      if (forbidden) return skipped(forbidden);
      const apiKey = await deps.secrets.get(protocol.secretName);
      if (!apiKey) return stamp({ verdict: 'unavailable', failure: 'credentials', reason: `the secret ${protocol.secretName} is not set` } as SourceAnswer<S>);
      return stamp(await protocol.ask(asked, apiKey));
    },
  };
}
