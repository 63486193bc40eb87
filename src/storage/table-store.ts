import type { TableClient } from '@azure/data-tables';

/**
 * Access to Azure Table Storage (or embedded Azurite). Repositories take the TableClient of their
 * own table from here; `ensureTable` is idempotent and called at start.
 */
export interface TableStore {
  client(table: string): TableClient;
  ensureTable(table: string): Promise<void>;
  /** Cheap round trip proving the account answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Where the data lives, for logs and `argus doctor` (never includes keys). */
  describe(): string;
}

/** Table names Argus uses. */
export const tableNames = {
  audit: 'ArgusAudit',
  events: 'ArgusEvents',
  incidents: 'ArgusIncidents',
  conversations: 'ArgusConversations',
  cards: 'ArgusCards',
  delivery: 'ArgusDelivery',
  subscriptions: 'ArgusSubscriptions',
  detectionOutcomes: 'DetectionOutcomes',
  alerts: 'ArgusAlerts',
  playbookRuns: 'ArgusPlaybookRuns',
  tickets: 'ArgusTickets',
  intelCache: 'ArgusIntelCache',
  intelQuota: 'ArgusIntelQuota',
  /** Per incident: phase, plan steps, impact, post-mortem (PartitionKey = incident id). */
  response: 'ArgusResponse',
  /** Evidence items and their custody ledgers. */
  evidence: 'ArgusEvidence',
  /** Compliance clocks and escalation steps, due times and reminders sent. */
  clocks: 'ArgusClocks',
  /** Generated reports behind signed links. */
  reports: 'ArgusReports',
  /** Suspected incidents reported from Teams (report records, per-user hourly counts). */
  suspectedReports: 'ArgusSuspectedReports',
} as const;

export { openTableStore, type OpenTableStoreOptions, type OpenedTableStore, type QueueConnection } from './open-table-store';
