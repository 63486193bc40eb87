import type { ArgusMetrics } from '../observability/metrics';
import type { AllowList } from '../triage/allow-list';
import type { EnrichedIndicator, Indicator, IntelSource } from '../triage/types';
import { normaliseIndicator } from './indicators';
import type { IntelCache } from './intel-cache';
import type { EnrichmentSource, LookupResult } from './intel-source';
import type { IntelQuota, QuotaGrant } from './quota';
import type { SendPolicy } from './send-policy';

/**
 * What the configured intel sources say about an alert's indicators, asked within their quotas.
 * Per indicator and source, in this order: an allow-listed indicator is asked nowhere; one the
 * send policy forbids is `skipped` (no lookup, no quota); a kept answer is served from the cache
 * (`cached`); else the quota is asked and, when it allows, the source is (and its answer kept).
 * Over quota, or while a 429 lasts, the lookup is not failed but reported as waiting, with the
 * time the quota allows it again: the caller asks again then. A source that refuses our
 * credentials is marked unavailable (shown by `argus intel quota`) and the indicator is reported
 * without it; the mark goes when a later lookup succeeds. Pure orchestration over the ports.
 */

/** Results counted in argus_intel_lookups_total: a source's verdict, or how the lookup went instead. */
export type LookupMetricResult = LookupResult['verdict'] | 'cached' | 'waiting';

export interface IntelMetrics {
  lookup(source: IntelSource, result: LookupMetricResult): void;
  quotaRemaining(source: IntelSource, window: 'minute' | 'day', remaining: number): void;
}

/** A source of any name (EnrichmentSource<IntelSource> would not take a particular one). */
export type AnyIntelSource = { [S in IntelSource]: EnrichmentSource<S> }[IntelSource];

export interface IntelServiceDeps {
  /** The configured sources. */
  sources: readonly AnyIntelSource[];
  cache: IntelCache;
  quota: IntelQuota;
  /** What is never sent out (createSendPolicy with `enrichment.neverSend`). */
  sendPolicy: SendPolicy;
  /** `triage.allow`: such indicators are looked up nowhere. */
  allow?: AllowList;
  metrics?: IntelMetrics;
  now?: () => Date;
}

/** A lookup the quota holds back: ask again at `until` (ISO time). */
export interface WaitingLookup {
  source: IntelSource;
  indicator: Indicator;
  until: string;
  why: Extract<QuotaGrant, { granted: false }>['why'];
}

export interface IndicatorEnrichment extends EnrichedIndicator {
  /** The `triage.allow` entry that covers it; then no source was asked. */
  allowListedBy?: string;
  /** Every answer (fresh or cached), skip and unavailability; a waiting lookup has none yet. */
  sources: LookupResult[];
}

export interface EnrichResult {
  indicators: IndicatorEnrichment[];
  waiting: WaitingLookup[];
  /** Sources that refused our credentials in this run: the indicators were reported without them. */
  unavailable: Array<{ source: IntelSource; reason: string }>;
}

export interface IntelService {
  enrich(indicators: readonly Indicator[], options?: { now?: Date }): Promise<EnrichResult>;
}

/** Without Retry-After, a 429 holds the source back this long. */
export const defaultThrottleMs = 60_000;

type Outcome = { answer: LookupResult } | { waiting: WaitingLookup } | undefined;

/** What one enrich call shares among its sources. */
interface Run {
  now: Date;
  /** Indicators that could not be normalised, and why: never sent. */
  invalid: Map<Indicator, string>;
  unavailable: EnrichResult['unavailable'];
}

export function createIntelService(deps: IntelServiceDeps): IntelService {
  const clock = deps.now ?? (() => new Date());
  const count = (source: IntelSource, result: LookupMetricResult) => deps.metrics?.lookup(source, result);
  const stamp = (source: IntelSource, fields: Pick<LookupResult, 'verdict' | 'reason'>, now: Date) => ({ source, ...fields, fetchedAt: now.toISOString() }) as LookupResult;

  /** One source over every indicator, in order; what it learns (a full window, refused credentials) holds for the rest of the run. */
  async function runSource(source: AnyIntelSource, indicators: readonly Indicator[], run: Run): Promise<Outcome[]> {
    const { now, unavailable } = run;
    let heldBack: Extract<QuotaGrant, { granted: false }> | undefined;
    let refused: string | undefined;
    const wait = (indicator: Indicator, held: Extract<QuotaGrant, { granted: false }>): Outcome => {
      count(source.name, 'waiting');
      return { waiting: { source: source.name, indicator, until: held.waitUntil.toISOString(), why: held.why } };
    };
    const ask = async (indicator: Indicator): Promise<Outcome> => {
      if (!source.supports(indicator.type)) return undefined;
      const forbidden = run.invalid.get(indicator) ?? deps.sendPolicy(indicator);
      if (forbidden) return count(source.name, 'skipped'), { answer: stamp(source.name, { verdict: 'skipped', reason: forbidden }, now) };
      const cached = await deps.cache.get(source.name, indicator);
      if (cached) return count(source.name, 'cached'), { answer: cached };
      if (refused) return count(source.name, 'unavailable'), { answer: stamp(source.name, { verdict: 'unavailable', reason: refused }, now) };
      if (heldBack) return wait(indicator, heldBack);
      const grant = await deps.quota.take(source.name, now);
      if (!grant.granted) {
        heldBack = grant;
        if (grant.why !== 'throttled') deps.metrics?.quotaRemaining(source.name, grant.why, 0);
        return wait(indicator, grant);
      }
      for (const [window, left] of Object.entries(grant.remaining) as Array<['minute' | 'day', number]>) deps.metrics?.quotaRemaining(source.name, window, left);
      const result = await source.lookup(indicator);
      if (result.verdict === 'unavailable' && result.failure === 'throttled') {
        const retryAfterMs = result.retryAfterMs ?? defaultThrottleMs;
        await deps.quota.throttled(source.name, retryAfterMs, now);
        heldBack = { granted: false, waitUntil: new Date(now.getTime() + retryAfterMs), why: 'throttled' };
        return wait(indicator, heldBack);
      }
      count(source.name, result.verdict);
      if (result.verdict === 'unavailable' && result.failure === 'credentials') {
        refused = result.reason ?? `${source.name} refused the credentials`;
        await deps.quota.unavailable(source.name, refused, now);
        unavailable.push({ source: source.name, reason: refused });
        return { answer: result };
      }
      if (result.verdict !== 'unavailable') {
        await deps.cache.put(indicator, result);
        if (grant.unavailable) await deps.quota.available(source.name);
      }
      return { answer: result };
    };
    const outcomes: Outcome[] = [];
    for (const indicator of indicators) outcomes.push(await ask(indicator));
    return outcomes;
  }

  return {
    async enrich(given, options = {}) {
      const run: Run = { now: options.now ?? clock(), invalid: new Map(), unavailable: [] };
      const indicators: IndicatorEnrichment[] = given.map((raw) => {
        const normal = normaliseIndicator(raw.type, raw.value);
        const indicator = normal.ok ? { type: raw.type, value: normal.value } : { ...raw };
        if (!normal.ok) run.invalid.set(indicator, `${JSON.stringify(raw.value.slice(0, 80))} ${normal.reason}`);
        const allowListedBy = deps.allow?.(indicator);
        return { indicator, sources: [], ...(allowListedBy ? { allowListedBy } : {}) };
      });
      const asked = indicators.filter((i) => !i.allowListedBy);
      // Sources run side by side; each asks its indicators one after another, so a full window stops it at once.
      const perSource = await Promise.all(deps.sources.map((s) => runSource(s, asked.map((i) => i.indicator), run)));
      const waiting: WaitingLookup[] = [];
      for (const outcomes of perSource)
        outcomes.forEach((outcome, n) => {
          if (outcome && 'answer' in outcome) asked[n]!.sources.push(outcome.answer);
          else if (outcome) waiting.push(outcome.waiting);
        });
      return { indicators, waiting, unavailable: run.unavailable };
    },
  };
}

/** The service's metrics port on the Argus registry (argus_intel_lookups_total, argus_intel_quota_remaining). */
export function intelMetrics(metrics: Pick<ArgusMetrics, 'intelLookups' | 'intelQuotaRemaining'>): IntelMetrics {
  return {
    lookup: (source, result) => metrics.intelLookups.inc({ source, result }),
    quotaRemaining: (source, window, remaining) => metrics.intelQuotaRemaining(source, window, remaining),
  };
}
