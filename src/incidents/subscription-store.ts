import type { TableClient } from '@azure/data-tables';
import { asEntityTable, type EntityTable } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import type { Severity } from './incident';

export interface Subscription {
  conversationId: string;
  /** Empty: every severity. */
  severities: Severity[];
  by: string;
  at: string;
}

const partition = 'subscription';

/** Channels that asked for incident cards with `subscribe`. */
export interface SubscriptionStore {
  set(sub: Subscription): Promise<void>;
  /** False when the channel had no subscription. */
  remove(conversationId: string): Promise<boolean>;
  list(): Promise<Subscription[]>;
}

/** Subscriptions in table ArgusSubscriptions (one partition), listed through a short cache. */
export class TableSubscriptionStore implements SubscriptionStore {
  private cache?: { at: number; items: Subscription[] };
  private readonly table: EntityTable;

  constructor(
    table: TableClient | EntityTable,
    private readonly cacheMs = 5_000,
  ) {
    this.table = asEntityTable(table);
  }

  async set(sub: Subscription): Promise<void> {
    await this.table.upsert(
      { partitionKey: partition, rowKey: encodeKey(sub.conversationId), conversationId: sub.conversationId, severities: JSON.stringify(sub.severities), by: sub.by, at: sub.at },
      'replace',
    );
    this.cache = undefined;
  }

  async remove(conversationId: string): Promise<boolean> {
    this.cache = undefined;
    return this.table.delete(partition, encodeKey(conversationId));
  }

  async list(): Promise<Subscription[]> {
    if (this.cache && Date.now() - this.cache.at < this.cacheMs) return this.cache.items;
    const items = (await this.table.list({ partitionKey: partition })).map((e) => ({
      conversationId: String(e.conversationId),
      severities: JSON.parse(String(e.severities ?? '[]')) as Severity[],
      by: String(e.by ?? ''),
      at: String(e.at ?? ''),
    }));
    this.cache = { at: Date.now(), items };
    return items;
  }
}
