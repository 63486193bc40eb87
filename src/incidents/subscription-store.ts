import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { encodeKey, statusOf } from '../storage/keys';
import type { Severity } from './incident';

export interface Subscription {
  conversationId: string;
  /** Empty: every severity. */
  severities: Severity[];
  by: string;
  at: string;
}

const partition = 'subscription';

/** Channels that asked for incident cards with `subscribe` (table ArgusSubscriptions). */
export class SubscriptionStore {
  private cache?: { at: number; items: Subscription[] };

  constructor(
    private readonly table: TableClient,
    private readonly cacheMs = 5_000,
  ) {}

  async set(sub: Subscription): Promise<void> {
    await this.wrap(() =>
      this.table.upsertEntity(
        { partitionKey: partition, rowKey: encodeKey(sub.conversationId), conversationId: sub.conversationId, severities: JSON.stringify(sub.severities), by: sub.by, at: sub.at },
        'Replace',
      ),
    );
    this.cache = undefined;
  }

  async remove(conversationId: string): Promise<boolean> {
    this.cache = undefined;
    try {
      await this.table.deleteEntity(partition, encodeKey(conversationId));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
    }
  }

  async list(): Promise<Subscription[]> {
    if (this.cache && Date.now() - this.cache.at < this.cacheMs) return this.cache.items;
    const items: Subscription[] = [];
    await this.wrap(async () => {
      for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })) {
        items.push({
          conversationId: String(e.conversationId),
          severities: JSON.parse(String(e.severities ?? '[]')) as Severity[],
          by: String(e.by ?? ''),
          at: String(e.at ?? ''),
        });
      }
    });
    this.cache = { at: Date.now(), items };
    return items;
  }

  private async wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
    }
  }
}
