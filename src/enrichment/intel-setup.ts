import type { TableClient } from '@azure/data-tables';
import type { EnrichmentConfig } from '../config/enrichment-schema';
import type { SecretProvider } from '../config/secret-provider';
import type { Logger } from '../logging/logger';
import type { EntityTable } from '../storage/entity-table';
import type { AllowList } from '../triage/allow-list';
import { createAbuseIpdbSource } from './abuseipdb';
import { cacheTtls, TableIntelCache } from './intel-cache';
import { createIntelService, type AnyIntelSource, type IntelMetrics, type IntelService } from './intel-service';
import type { SourceDeps } from './intel-source';
import { quotaLimits, TableIntelQuota } from './quota';
import { createSendPolicy } from './send-policy';
import { createVirusTotalSource } from './virustotal';

/** The enrichment parts as `enrichment` configures them: the sources, the cache, the shared quota and the service over them. */

export interface IntelSetupDeps {
  secrets: Pick<SecretProvider, 'get'>;
  /** Tables ArgusIntelCache and ArgusIntelQuota. */
  tables: { cache: TableClient | EntityTable; quota: TableClient | EntityTable };
  allow?: AllowList;
  metrics?: IntelMetrics;
  log?: Logger;
  now?: () => Date;
}

export interface IntelSetup {
  service: IntelService;
  quota: TableIntelQuota;
  sources: AnyIntelSource[];
}

export function createIntelSetup(enrichment: EnrichmentConfig, deps: IntelSetupDeps): IntelSetup {
  const now = deps.now ?? (() => new Date());
  const sendPolicy = createSendPolicy(enrichment.neverSend);
  const sourceDeps: SourceDeps = { secrets: deps.secrets, sendPolicy, now };
  const http = deps.log ? { http: { log: deps.log } } : {};
  const sources: AnyIntelSource[] = [];
  if (enrichment.virustotal) sources.push(createVirusTotalSource({ ...sourceDeps, ...http, apiUrl: enrichment.virustotal.apiUrl }));
  if (enrichment.abuseipdb) sources.push(createAbuseIpdbSource({ ...sourceDeps, ...http, apiUrl: enrichment.abuseipdb.apiUrl, maxAgeInDays: enrichment.abuseipdb.maxAgeInDays }));
  const cache = new TableIntelCache(deps.tables.cache, { ttl: cacheTtls(enrichment.cache), now: () => now().getTime() });
  const quota = new TableIntelQuota(deps.tables.quota, { limits: quotaLimits(enrichment), now });
  const service = createIntelService({ sources, cache, quota, sendPolicy, now, ...(deps.allow ? { allow: deps.allow } : {}), ...(deps.metrics ? { metrics: deps.metrics } : {}) });
  return { service, quota, sources };
}
