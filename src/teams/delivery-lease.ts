import type { TableClient } from '@azure/data-tables';
import { encodeKey, statusOf } from '../storage/keys';

export interface DeliveryLease {
  conversationId: string;
  owner: string;
  until: number;
  /** Times of recent calls to the conversation, handed from holder to holder (rate limits). */
  recent: number[];
  lastStormAt: number;
  etag: string;
}

const partition = 'lease';

/**
 * Who sends to a conversation right now (table ArgusDelivery): one instance at a time, so the
 * per-conversation limits hold across instances. Taken and renewed with etags; it expires by
 * itself when its holder dies.
 */
export class DeliveryLeases {
  constructor(
    private readonly table: TableClient,
    private readonly owner: string,
    private readonly ttlMs = 10_000,
  ) {}

  async acquire(conversationId: string, now = Date.now()): Promise<DeliveryLease | undefined> {
    const rowKey = encodeKey(conversationId);
    let current: (Record<string, unknown> & { etag?: string }) | undefined;
    try {
      current = await this.table.getEntity<Record<string, unknown>>(partition, rowKey);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    const fields = { owner: this.owner, until: now + this.ttlMs };
    try {
      if (!current) {
        const res = await this.table.createEntity({ partitionKey: partition, rowKey, ...fields, recent: '[]', lastStormAt: 0 });
        return { conversationId, ...fields, recent: [], lastStormAt: 0, etag: res.etag ?? '' };
      }
      if (current.owner !== this.owner && Number(current.until) > now) return undefined;
      const res = await this.table.updateEntity({ partitionKey: partition, rowKey, ...fields }, 'Merge', { etag: current.etag });
      return {
        conversationId,
        ...fields,
        recent: JSON.parse(String(current.recent ?? '[]')) as number[],
        lastStormAt: Number(current.lastStormAt ?? 0),
        etag: res.etag ?? '',
      };
    } catch (err) {
      if (statusOf(err) === 409 || statusOf(err) === 412) return undefined;
      throw err;
    }
  }

  /** Extends the lease and records call times; false when it was lost. */
  async renew(lease: DeliveryLease, changes: { recent?: number[]; lastStormAt?: number; release?: boolean }, now = Date.now()): Promise<boolean> {
    const until = changes.release ? now : now + this.ttlMs;
    try {
      const res = await this.table.updateEntity(
        {
          partitionKey: partition,
          rowKey: encodeKey(lease.conversationId),
          until,
          recent: JSON.stringify((changes.recent ?? lease.recent).filter((t) => t > now - 3_600_000).slice(-200)),
          lastStormAt: changes.lastStormAt ?? lease.lastStormAt,
        },
        'Merge',
        { etag: lease.etag },
      );
      lease.etag = res.etag ?? '';
      lease.until = until;
      if (changes.lastStormAt !== undefined) lease.lastStormAt = changes.lastStormAt;
      return true;
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) return false;
      throw err;
    }
  }
}
