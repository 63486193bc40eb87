import type { MissingSource } from './policy';
import type { EnrichedIndicator, Indicator, IntelSource } from './types';

/**
 * What triage asks of enrichment (src/enrichment): the sources' answers for an alert's indicators.
 * A lookup over quota is not an answer yet: it is `waiting`, and the alert stays `pending-intel`
 * until it is answered or has waited past `enrichment.maxWait` (then the source is `missing`).
 */
export interface WaitingLookup {
  indicator: Indicator;
  source: IntelSource;
  /** When the lookup was queued (ISO time). */
  since?: string;
  /** When the quota allows it again (ISO time). */
  until?: string;
}

export interface IntelAnswers {
  /** Every indicator asked about, with the answers gathered so far. */
  results: EnrichedIndicator[];
  waiting: WaitingLookup[];
  /** Sources whose answers are not in the results (unavailable, waited past maxWait). */
  missing: MissingSource[];
}

export interface IntelPort {
  enrich(indicators: Indicator[]): Promise<IntelAnswers>;
}

/** No `enrichment` section: nothing is looked up, and the policy decides alone (and says so). */
export const noLookups: IntelPort = {
  enrich: async (indicators) => ({ results: indicators.map((indicator) => ({ indicator, sources: [] })), waiting: [], missing: [] }),
};
