import type { TestContext } from 'node:test';
import { intelPortOf } from '../../../src/app/intel-port';
import { enrichmentSchema } from '../../../src/config/enrichment-schema';
import { triageSchema } from '../../../src/config/triage-schema';
import type { DetectionAlert } from '../../../src/detections/alert';
import { TableDetectionOutcomeStore } from '../../../src/detections/outcomes/table-outcome-store';
import { createIntelSetup } from '../../../src/enrichment/intel-setup';
import { intelMetrics } from '../../../src/enrichment/intel-service';
import { createLogger } from '../../../src/logging/logger';
import { createArgusMetrics } from '../../../src/observability/metrics';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import type { TeamsMessage } from '../../../src/teams/teams-delivery';
import { compileAllowList } from '../../../src/triage/allow-list';
import { createTriageService } from '../../../src/triage/triage-service';
import { TableTriageStore } from '../../../src/triage/triage-store';
import type { Indicator, IntelSource } from '../../../src/triage/types';
import { startFakeAbuseIpdb } from '../../helpers/fake-abuseipdb';
import { startFakeVirusTotal } from '../../helpers/fake-virustotal';
import { staticSecrets } from '../enrichment/intel-setup';
import { reviewConversation, socChannel } from './triage-setup';

/**
 * Triage over the real enrichment service (app adapter, quota, cache) against the VirusTotal and
 * AbuseIPDB fakes, on memory tables and a clock the test moves. `instance()` makes another Argus
 * instance over the same tables and peers.
 */

export const ips = (...last: number[]): Indicator[] => last.map((n) => ({ type: 'ip', value: `185.220.101.${n}` }));

export interface EnrichedRigOptions {
  /** The `enrichment` section (the fakes' apiUrls are filled in); default both sources with their defaults. */
  enrichment?: { virustotal?: Record<string, unknown>; abuseipdb?: Record<string, unknown>; maxWait?: string };
  /** The VirusTotal key Argus holds; default the fake's own. */
  virusTotalKey?: string;
}

export async function enrichedRig(t: TestContext, options: EnrichedRigOptions = {}) {
  const clock = { now: new Date('2026-03-02T10:00:10Z') };
  const now = () => clock.now;
  const vt = await startFakeVirusTotal();
  t.after(() => vt.close());
  const abuse = await startFakeAbuseIpdb({ now: () => clock.now.getTime() });
  t.after(() => abuse.close());
  const wanted = options.enrichment ?? { virustotal: {}, abuseipdb: {} };
  const enrichment = enrichmentSchema.parse({
    ...wanted,
    ...(wanted.virustotal ? { virustotal: { ...wanted.virustotal, apiUrl: vt.apiUrl } } : {}),
    ...(wanted.abuseipdb ? { abuseipdb: { ...wanted.abuseipdb, apiUrl: abuse.apiUrl } } : {}),
  });
  const triage = triageSchema.parse({ conversationId: reviewConversation });
  const secrets = staticSecrets({ 'virustotal-api-key': options.virusTotalKey ?? vt.apiKey, 'abuseipdb-api-key': abuse.apiKey });
  const tables = { cache: memoryEntityTable(), quota: memoryEntityTable(), alerts: memoryEntityTable() };
  const outcomes = new TableDetectionOutcomeStore(memoryEntityTable());
  const store = new TableTriageStore(tables.alerts);
  const metrics = createArgusMetrics();
  const posts: Array<{ conversationId: string; message: TeamsMessage }> = [];
  const delivery = {
    async post(conversationId: string, message: TeamsMessage) {
      posts.push({ conversationId, message });
      return `activity-${posts.length}`;
    },
  };
  const configured = (['virustotal', 'abuseipdb'] as const).filter((s) => enrichment[s] !== undefined) as IntelSource[];

  /** One Argus instance: its own service objects over the shared tables. */
  function instance() {
    const intel = createIntelSetup(enrichment, { secrets, tables, allow: compileAllowList(triage.allow), metrics: intelMetrics(metrics), now });
    return createTriageService({
      triage,
      routing: { default: socChannel, rules: [] },
      enrichment: { intel: intelPortOf(intel.service), weights: { virustotal: 1, abuseipdb: 0.8 }, configured, maxWait: enrichment.maxWait },
      store,
      outcomes,
      delivery,
      logger: createLogger({ level: 'silent' }),
      metrics: { decided: (decision) => metrics.triageDecisions.inc({ decision }) },
      now,
    });
  }
  const decisions = (decision: string) => metrics.triageDecisions.get({ decision });
  const service = instance();
  /** The alert arrives: recorded as fired (as the detections handler does), then triaged. */
  async function receive(alert: DetectionAlert) {
    await outcomes.recordFired(alert);
    return service.decide(alert);
  }
  return { clock, vt, abuse, store, outcomes, posts, metrics, decisions, instance, service, receive };
}
