import type { TableClient } from '@azure/data-tables';
import { asEntityTable, type EntityTable } from '../../storage/entity-table';
import { isReportFormat, isReportType, type ReportFormat, type ReportType } from './report-types';

/**
 * Table ArgusReports: one row per report link handed out (partition `report`, RowKey = report id).
 * The content is not kept: opening a link renders the report from the incident's data at that
 * moment, so a link always shows the current state and no copy of incident data piles up here.
 */
export interface ReportRecord {
  id: string;
  incidentName: string;
  incidentNumber: number;
  type: ReportType;
  format: ReportFormat;
  createdAt: string;
  createdBy: string;
  createdById?: string;
  expiresAt: string;
}

const partition = 'report';

export interface ReportRecordStore {
  create(record: ReportRecord): Promise<boolean>;
  get(id: string): Promise<ReportRecord | undefined>;
}

export function tableReportRecords(table: TableClient | EntityTable): ReportRecordStore {
  const t = asEntityTable(table);
  return {
    async create(r) {
      const { id, createdById, ...rest } = r;
      return (await t.create({ partitionKey: partition, rowKey: id, ...rest, ...(createdById ? { createdById } : {}) })).created;
    },
    async get(id) {
      const row = await t.get(partition, id);
      if (!row || !isReportType(row.type) || !isReportFormat(row.format) || typeof row.incidentName !== 'string') return undefined;
      return {
        id,
        incidentName: row.incidentName,
        incidentNumber: Number(row.incidentNumber),
        type: row.type,
        format: row.format,
        createdAt: String(row.createdAt ?? ''),
        createdBy: String(row.createdBy ?? ''),
        ...(typeof row.createdById === 'string' ? { createdById: row.createdById } : {}),
        expiresAt: String(row.expiresAt ?? ''),
      };
    },
  };
}
