import type { IntelService } from '../enrichment/intel-service';
import type { IntelPort } from '../triage/intel-port';

/**
 * Triage's intel port over the enrichment service: every indicator with the answers gathered so
 * far, the lookups the quota holds back (with the time they may be asked again), and each source
 * that refused our credentials as missing (`unavailable`, with the reason).
 */
export function intelPortOf(service: Pick<IntelService, 'enrich'>): IntelPort {
  return {
    async enrich(indicators) {
      const answers = await service.enrich(indicators);
      return {
        results: answers.indicators.map(({ indicator, sources }) => ({ indicator, sources })),
        waiting: answers.waiting.map(({ indicator, source, until }) => ({ indicator, source, until })),
        missing: answers.unavailable.map(({ source, reason }) => ({ source, why: 'unavailable' as const, detail: reason })),
      };
    },
  };
}
