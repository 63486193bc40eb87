import type { TableClient } from '@azure/data-tables';
import { asEntityTable, type EntityTable } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';

export interface DeliveryLease {
  conversationId: string;
  owner: string;
  until: number;
  /** Times of recent calls to the conversation, handed from holder to holder (rate limits). */
  recent: number[];
  lastStormAt: number;
  etag: string;
}

/** Who sends to a conversation right now: one instance at a time, so the per-conversation limits hold across instances. */
export interface DeliveryLeases {
  /** Takes (or renews) the conversation's lease; undefined while another holder has it, or when another took it first. */
  acquire(conversationId: string, now?: number): Promise<DeliveryLease | undefined>;
  /** Extends the lease and records call times; false when it was lost. */
  renew(lease: DeliveryLease, changes: { recent?: number[]; lastStormAt?: number; release?: boolean }, now?: number): Promise<boolean>;
}

const partition = 'lease';

/**
 * Leases in table ArgusDelivery, one row per conversation. Taken and renewed with etags; a lease
 * expires by itself when its holder dies.
 */
export class TableDeliveryLeases implements DeliveryLeases {
  private readonly table: EntityTable;

  constructor(
    table: TableClient | EntityTable,
    private readonly owner: string,
    private readonly ttlMs = 10_000,
  ) {
    this.table = asEntityTable(table);
  }

  async acquire(conversationId: string, now = Date.now()): Promise<DeliveryLease | undefined> {
    const rowKey = encodeKey(conversationId);
    const current = await this.table.get(partition, rowKey);
    const fields = { owner: this.owner, until: now + this.ttlMs };
    if (!current) {
      const res = await this.table.create({ partitionKey: partition, rowKey, ...fields, recent: '[]', lastStormAt: 0 });
      return res.created ? { conversationId, ...fields, recent: [], lastStormAt: 0, etag: res.etag } : undefined;
    }
    if (current.owner !== this.owner && Number(current.until) > now) return undefined;
    const etag = await this.table.update({ partitionKey: partition, rowKey, ...fields }, { mode: 'merge', etag: current.etag });
    if (etag === undefined) return undefined;
    return {
      conversationId,
      ...fields,
      recent: JSON.parse(String(current.recent ?? '[]')) as number[],
      lastStormAt: Number(current.lastStormAt ?? 0),
      etag,
    };
  }

  /** Extends the lease and records call times; false when it was lost. */
  async renew(lease: DeliveryLease, changes: { recent?: number[]; lastStormAt?: number; release?: boolean }, now = Date.now()): Promise<boolean> {
    const until = changes.release ? now : now + this.ttlMs;
    const etag = await this.table.update(
      {
        partitionKey: partition,
        rowKey: encodeKey(lease.conversationId),
        until,
        recent: JSON.stringify((changes.recent ?? lease.recent).filter((t) => t > now - 3_600_000).slice(-200)),
        lastStormAt: changes.lastStormAt ?? lease.lastStormAt,
      },
      { mode: 'merge', etag: lease.etag },
    );
    if (etag === undefined) return false;
    lease.etag = etag;
    lease.until = until;
    if (changes.lastStormAt !== undefined) lease.lastStormAt = changes.lastStormAt;
    return true;
  }
}
