import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { encodeKey, statusOf } from '../storage/keys';
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
const allPartitions = `PartitionKey ge 'incident-' and PartitionKey lt 'incident.'`;

function storageError(err: unknown): ArgusError {
  return new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
}

/** Incidents in table ArgusIncidents, one row each, written with etag concurrency. */
export class IncidentRepository {
  constructor(private readonly table: TableClient) {}

  async get(name: string): Promise<IncidentRecord | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(partitionOf(name), encodeKey(name));
      return this.fromEntity(e);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storageError(err);
    }
  }

  /**
   * Creates (expected etag undefined) or replaces (with the etag read before) the record.
   * Returns the new etag, or undefined when another writer got there first (409/412).
   */
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
    try {
      const res = expectedEtag
        ? await this.table.updateEntity(entity, 'Replace', { etag: expectedEtag })
        : await this.table.createEntity(entity);
      return res.etag;
    } catch (err) {
      const status = statusOf(err);
      if (status === 409 || status === 412) return undefined;
      throw storageError(err);
    }
  }

  async findByNumber(number: number): Promise<IncidentRecord | undefined> {
    const filter = `${allPartitions} and number eq ${Math.trunc(number)}`;
    try {
      for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) return this.fromEntity(e);
      return undefined;
    } catch (err) {
      throw storageError(err);
    }
  }

  /** Open incidents (not Closed), highest severity and newest first. */
  async listOpen(limit = 200): Promise<IncidentRecord[]> {
    const filter = `${allPartitions} and status ne 'Closed'`;
    const out: IncidentRecord[] = [];
    try {
      for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        out.push(this.fromEntity(e));
        if (out.length >= 5000) break;
      }
    } catch (err) {
      throw storageError(err);
    }
    const rank = { High: 3, Medium: 2, Low: 1, Informational: 0 } as const;
    return out
      .sort((a, b) => rank[b.incident.severity] - rank[a.incident.severity] || b.incident.number - a.incident.number)
      .slice(0, limit);
  }

  private fromEntity(e: Record<string, unknown> & { etag?: string }): IncidentRecord {
    const data = unpackJson<Omit<IncidentRecord, 'etag'>>(e, 'data');
    return { ...data, etag: String(e.etag) };
  }
}
