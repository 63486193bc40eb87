import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { asEntityTable, eq, ne, saveEntity, type EntityQuery, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import { packJson, unpackJson } from '../storage/packed-json';
import type { Incident } from './incident';

/** What Argus keeps per incident: the last Sentinel version plus what happened here. */
export interface IncidentRecord {
  incident: Incident;
  /** Last card action applied here (shown on the card). */
  notice?: { text: string; style: 'good' | 'attention' | 'warning' | 'accent' | 'default'; at: string };
  /** Local changes not yet confirmed by Sentinel, by verb. */
  pendingWriteback?: string[];
  etag: string;
}

/**
 * Incidents spread over 16 partitions (`incident-0` … `incident-f`, a bucket of the name's hash):
 * a partition is a unit of throughput in Table Storage, and the emulator's lookups slow down as a
 * partition grows. Queries over all incidents take the PartitionKey range below.
 */
const buckets = 16;
const partitionOf = (name: string) => `incident-${(createHash('sha256').update(name).digest()[0]! % buckets).toString(16)}`;
const allPartitions = { prefix: 'incident-' };

/** Where incidents are kept (table ArgusIncidents in production). */
export interface IncidentRepository {
  get(name: string): Promise<IncidentRecord | undefined>;
  /**
   * Creates (expected etag undefined) or replaces (with the etag read before) the record.
   * Returns the new etag, or undefined when another writer got there first.
   */
  save(record: Omit<IncidentRecord, 'etag'>, expectedEtag: string | undefined): Promise<string | undefined>;
  findByNumber(number: number): Promise<IncidentRecord | undefined>;
  /** Open incidents (not Closed), highest severity and newest first. */
  listOpen(limit?: number): Promise<IncidentRecord[]>;
}

/** Incidents in table ArgusIncidents, one row each, written with etag concurrency. */
export class TableIncidentRepository implements IncidentRepository {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async get(name: string): Promise<IncidentRecord | undefined> {
    const e = await this.table.get(partitionOf(name), encodeKey(name));
    return e && this.fromEntity(e);
  }

  async save(record: Omit<IncidentRecord, 'etag'>, expectedEtag: string | undefined): Promise<string | undefined> {
    const { incident } = record;
    const entity = {
      partitionKey: partitionOf(incident.name),
      rowKey: encodeKey(incident.name),
      number: incident.number,
      title: incident.title.slice(0, 500),
      severity: incident.severity,
      status: incident.status,
      lastModifiedTimeUtc: incident.lastModifiedTimeUtc,
      ...packJson({ incident, notice: record.notice, pendingWriteback: record.pendingWriteback ?? [] }, 'data'),
    };
    return saveEntity(this.table, entity, expectedEtag);
  }

  async findByNumber(number: number): Promise<IncidentRecord | undefined> {
    return (await this.list({ partitionKey: allPartitions, where: eq('number', Math.trunc(number)) }, 1))[0];
  }

  async listOpen(limit = 200): Promise<IncidentRecord[]> {
    const out = await this.list({ partitionKey: allPartitions, where: ne('status', 'Closed') }, 5000);
    const rank = { High: 3, Medium: 2, Low: 1, Informational: 0 } as const;
    return out
      .sort((a, b) => rank[b.incident.severity] - rank[a.incident.severity] || b.incident.number - a.incident.number)
      .slice(0, limit);
  }

  private async list(query: EntityQuery, limit: number): Promise<IncidentRecord[]> {
    return (await this.table.list(query, limit)).map((e) => this.fromEntity(e));
  }

  private fromEntity(e: StoredEntity): IncidentRecord {
    const data = unpackJson<Omit<IncidentRecord, 'etag'>>(e, 'data');
    return { ...data, etag: String(e.etag) };
  }
}
