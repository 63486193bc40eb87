import { TableAuditLog } from '../audit/table-audit-log';
import { loadConfig } from '../config/load-config';
import { TableIncidentRepository } from '../incidents/incident-repository';
import { createLogger } from '../logging/logger';
import type { CustodyEntry } from '../response/custody';
import { EvidenceService } from '../response/evidence-service';
import { EvidenceStore, type EvidenceItem } from '../response/evidence-store';
import { blobContainer, blobContentStore, containerNames } from '../storage/blob-content-store';
import type { ContentStore } from '../storage/content-store';
import { openTableStore } from '../storage/open-table-store';
import { tableNames } from '../storage/table-store';
import type { CliIO } from './command';

export interface OpenedEvidence {
  service: EvidenceService;
  store: EvidenceStore;
  content: ContentStore;
  incidents: TableIncidentRepository;
}

/** Opens evidence where the config keeps storage (tables, blobs, the audit trail), runs `use`, closes. */
export async function openEvidence<T>(io: CliIO, use: (e: OpenedEvidence) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env, { cwd: io.cwd });
  // Logs go to stderr so stdout carries only the result; quiet unless LOG_LEVEL asks for more.
  const logger = createLogger({ level: io.env.LOG_LEVEL ? config.env.LOG_LEVEL : 'warn', destination: io.stderr });
  const { store: tables, blobConnection } = await openTableStore(config.storage, { logger });
  try {
    for (const t of [tableNames.evidence, tableNames.audit, tableNames.incidents]) await tables.ensureTable(t);
    const store = new EvidenceStore(tables.client(tableNames.evidence));
    const content = blobContentStore(blobContainer(blobConnection, containerNames.evidence));
    const audit = new TableAuditLog({ client: tables.client(tableNames.audit), logger });
    return await use({ service: new EvidenceService({ store, content, audit }), store, content, incidents: new TableIncidentRepository(tables.client(tableNames.incidents)) });
  } finally {
    await tables.close();
  }
}

/** `argus evidence show --json` (ARCHITECTURE §9): the item and its ledger, each entry with every hashed field. */
export function shownEvidence(item: EvidenceItem, custody: CustodyEntry[]) {
  return {
    evidenceId: item.evidenceId,
    incident: item.incidentNumber,
    sha256: item.sha256,
    size: item.size,
    custodian: item.custodian,
    custody: custody.map(({ evidenceId: _id, ...entry }) => entry),
  };
}
