import type { TableClient } from '@azure/data-tables';
import { asEntityTable, type EntityTable } from '../storage/entity-table';

/** A report as kept for the updates its reporter gets (PartitionKey `report`, RowKey = incident name). */
export interface ReportRecord {
  incidentName: string;
  number: number;
  reporterAadObjectId: string;
  reporterName?: string;
  teamsUserId?: string;
  tenantId: string;
  serviceUrl?: string;
  botId?: string;
  /** Updates already sent to the reporter. */
  acknowledgedSent: boolean;
  closedSent: boolean;
  etag?: string;
}

export interface ReportStore {
  /** Takes one of `limit` reports of the hour for this user; false when the hour's reports are used up. */
  take(aadObjectId: string, limit: number, now: Date): Promise<boolean>;
  save(record: ReportRecord): Promise<void>;
  get(incidentName: string): Promise<ReportRecord | undefined>;
  /** Records an update as sent; false when the row changed meanwhile (another instance sent it). */
  markSent(record: ReportRecord, update: 'acknowledgedSent' | 'closedSent'): Promise<boolean>;
}

const maxAttempts = 10;
const keyPart = (s: string) => s.replace(/[^0-9A-Za-z-]/g, '_').slice(0, 200);

/**
 * Table ArgusSuspectedReports: per-user counters per hour (PartitionKey `rate-<user>`, RowKey
 * `yyyymmddhh`, raised with the etag so several instances share one count), and report records.
 */
export class TableReportStore implements ReportStore {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async take(aadObjectId: string, limit: number, now: Date): Promise<boolean> {
    const key = { partitionKey: `rate-${keyPart(aadObjectId)}`, rowKey: now.toISOString().slice(0, 13).replace(/\D/g, '') };
    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      const row = await this.table.get(key.partitionKey, key.rowKey);
      if (!row) {
        if ((await this.table.create({ ...key, count: 1 })).created) return true;
        continue;
      }
      const count = Number(row.count) || 0;
      if (count >= limit) return false;
      if (await this.table.update({ ...key, count: count + 1 }, { mode: 'replace', etag: row.etag })) return true;
    }
    return false;
  }

  async save(record: ReportRecord): Promise<void> {
    const { etag: _etag, ...fields } = record;
    await this.table.upsert({ partitionKey: 'report', rowKey: keyPart(record.incidentName), ...fields }, 'replace');
  }

  async get(incidentName: string): Promise<ReportRecord | undefined> {
    const row = await this.table.get('report', keyPart(incidentName));
    if (!row) return undefined;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      incidentName: String(row.incidentName),
      number: Number(row.number),
      reporterAadObjectId: String(row.reporterAadObjectId),
      reporterName: text(row.reporterName),
      teamsUserId: text(row.teamsUserId),
      tenantId: String(row.tenantId),
      serviceUrl: text(row.serviceUrl),
      botId: text(row.botId),
      acknowledgedSent: row.acknowledgedSent === true,
      closedSent: row.closedSent === true,
      etag: row.etag,
    };
  }

  async markSent(record: ReportRecord, update: 'acknowledgedSent' | 'closedSent'): Promise<boolean> {
    const etag = await this.table.update({ partitionKey: 'report', rowKey: keyPart(record.incidentName), [update]: true }, { mode: 'merge', etag: record.etag });
    return etag !== undefined;
  }
}
