import type { TokenCredential } from '@azure/identity';
import type { ArgusConfig } from '../config/load-config';
import type { SecretProvider } from '../config/secret-provider';
import { createLogger } from '../logging/logger';
import { openTableStore } from '../storage/open-table-store';
import { tableNames } from '../storage/table-store';
import { intelSources } from '../triage/types';
import { quotaLimits, TableIntelQuota } from './quota';
import { healthLine, sourceHealth, type SourceHealth } from './source-health';

/**
 * `argus doctor`'s lines for the intel sources, one per source: configured or not, the key's
 * secret present, available or why not (a refusal recorded by any instance in the shared quota
 * table). A configured source that cannot be asked is a problem; one left out is not.
 */
export function intelDoctorChecks(config: ArgusConfig, secrets: SecretProvider, credential: () => TokenCredential): Array<{ name: string; run(): Promise<string> }> {
  const enrichment = config.file.enrichment;
  let health: Promise<SourceHealth[]> | undefined;
  async function read(): Promise<SourceHealth[]> {
    if (!enrichment) return sourceHealth(undefined, { secrets });
    const { store } = await openTableStore(config.storage, { logger: createLogger({ level: 'silent' }), credential: config.storage.kind === 'accountUrl' ? credential() : undefined });
    try {
      await store.ensureTable(tableNames.intelQuota);
      const quota = new TableIntelQuota(store.client(tableNames.intelQuota), { limits: quotaLimits(enrichment) });
      return await sourceHealth(enrichment, { secrets, quota });
    } finally {
      await store.close();
    }
  }
  return intelSources.map((source) => ({
    name: source,
    async run() {
      const found = (await (health ??= read())).find((h) => h.source === source)!;
      const line = healthLine(found);
      if (!line.ok) throw new Error(line.text);
      return line.text;
    },
  }));
}
