import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { asEntityTable, type EntityTable } from '../storage/entity-table';

/**
 * Numbers for incidents Argus makes itself (no Sentinel): one row in table ArgusIncidents
 * (PartitionKey `counters`, outside the `incident-*` partitions the repository lists), raised with
 * its etag, so two instances never hand out the same number. A number taken by a create that
 * then lost its race (or crashed) is skipped, never given twice.
 */
export interface IncidentCounter {
  next(): Promise<number>;
}

const key = { partitionKey: 'counters', rowKey: 'incident-number' };
const maxAttempts = 20;

export class TableIncidentCounter implements IncidentCounter {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async next(): Promise<number> {
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const row = await this.table.get(key.partitionKey, key.rowKey);
      if (!row) {
        if ((await this.table.create({ ...key, value: 1 })).created) return 1;
        continue;
      }
      const value = Number(row.value) + 1;
      if (!Number.isSafeInteger(value)) throw new ArgusError('ARGUS_INTERNAL', 'the incident number counter holds no number');
      if (await this.table.update({ ...key, value }, { mode: 'replace', etag: row.etag })) return value;
    }
    throw new ArgusError('ARGUS_CONFLICT', 'the incident number counter kept changing; try again');
  }
}
