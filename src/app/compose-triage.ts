import { hostname } from 'node:os';
import type { IntelSetup } from '../enrichment/intel-setup';
import { sourceHealth } from '../enrichment/source-health';
import { tableNames } from '../storage/table-store';
import { TableCardRetries } from '../triage/card-retry';
import { TableDigestLedger } from '../triage/daily-digest';
import type { TriageFeatureDeps } from '../triage/feature';
import { createLlmSummarizer } from '../triage/llm-summary';
import { queueDepthGauge } from '../triage/queue-depth';
import { intelSources } from '../triage/types';
import type { ReadinessDetail } from './feature';
import type { Platform } from './compose';

/**
 * Triage's parts beyond deciding: the advisory summary (`llm`), owed cards posted later, the daily
 * digest, the queue depth gauge and the intel sources in /readyz details. Owed cards and digest
 * days are rows in triage's own table (ArgusAlerts).
 */
export function triageExtras(p: Platform, intel: IntelSetup | undefined): Pick<TriageFeatureDeps, 'advisor' | 'cardRetries' | 'upkeep' | 'readiness'> {
  const { enrichment, llm } = p.config.file;
  const log = p.logger.child({ feature: 'triage' });
  const alerts = p.store.client(tableNames.alerts);
  const advisor = createLlmSummarizer({ config: llm, secrets: p.secrets, log });
  const configured = intelSources.filter((s) => enrichment?.[s] !== undefined);
  const depth = enrichment && p.metrics ? queueDepthGauge(p.metrics.registry, configured) : undefined;
  const intelReadiness: ReadinessDetail = {
    name: 'intel',
    async read() {
      const sources = await sourceHealth(enrichment, { secrets: p.secrets, ...(intel ? { quota: intel.quota } : {}) });
      return { ok: sources.every((s) => !s.configured || s.available), sources };
    },
  };
  return {
    ...(advisor ? { advisor } : {}),
    cardRetries: new TableCardRetries(alerts),
    upkeep: {
      digest: { ledger: new TableDigestLedger(alerts), instance: `${hostname()}:${process.pid}` },
      ...(depth ? { queueDepth: depth } : {}),
    },
    readiness: enrichment ? [intelReadiness] : [],
  };
}
