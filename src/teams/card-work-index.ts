import { type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';

/** An entry of the work index: a card that has work (or had, until the entry is removed). */
export interface CardWork {
  incidentName: string;
  conversationId: string;
  /** People's notes were queued on the card since the entry was made. */
  replies: boolean;
  /** When the entry was last written. */
  at: string;
  etag: string;
}

/**
 * The partition of the index in table ArgusCards. Card rows are partitioned by encodeKey(incident),
 * which writes every '%' as %25: no incident's partition can be this one.
 */
const partition = '%work';
/** Between the two encoded keys of a RowKey: '%%' never occurs inside an encoded key. */
const separator = '%%';

const conversationPrefix = (conversationId: string) => `${encodeKey(conversationId)}${separator}`;

/**
 * Which cards have work, so that finding them never scans the card rows (in Table Storage a query
 * across partitions reads every row of the table): one row per card with work in partition
 * `%work` of ArgusCards, RowKey = conversation, then incident, so one conversation's entries are
 * one range. Kept by this rule (see TableCardOutboxStore): an entry is written before a write
 * that gives a card work it had not, and removed, with the etag it had before, only after a write
 * of the remover's own took the card's last work away; a card with work therefore always has its
 * entry. An entry may outlive its work (a writer or a remover that stopped half-way): the
 * delivery worker removes such an entry once it is old (see `staleAfterMs`).
 */
export class CardWorkIndex {
  /** An entry whose card has no work is removed once it is this old: no write that follows one is still under way then. */
  static readonly staleAfterMs = 10 * 60_000;

  constructor(private readonly table: EntityTable) {}

  /**
   * Records that the card is about to get work (`replies`: people's notes among it); the entry as
   * written (`replies` as this write says: a merge keeps a true written before).
   */
  async add(incidentName: string, conversationId: string, replies: boolean, now = new Date()): Promise<CardWork> {
    const at = now.toISOString();
    const etag = await this.table.upsert(
      {
        partitionKey: partition,
        rowKey: `${conversationPrefix(conversationId)}${encodeKey(incidentName)}`,
        incidentName,
        conversationId,
        at,
        ...(replies ? { replies: true } : {}),
      },
      'merge',
    );
    return { incidentName, conversationId, replies, at, etag };
  }

  /** Entries of every conversation (at most `limit`), by conversation. */
  async list(limit = 1000): Promise<CardWork[]> {
    return (await this.table.list({ partitionKey: partition }, limit)).flatMap(entryOf);
  }

  /** The entries of one conversation. */
  async listConversation(conversationId: string): Promise<CardWork[]> {
    return (await this.table.list({ partitionKey: partition, rowKey: { prefix: conversationPrefix(conversationId) } })).flatMap(entryOf);
  }

  /** Removes the entry unless it was written since it was read; false then (or when it is gone). */
  async remove(entry: CardWork): Promise<boolean> {
    return this.table.delete(partition, `${conversationPrefix(entry.conversationId)}${encodeKey(entry.incidentName)}`, entry.etag);
  }
}

function entryOf(e: StoredEntity): CardWork[] {
  if (typeof e.incidentName !== 'string' || typeof e.conversationId !== 'string') return [];
  return [{ incidentName: e.incidentName, conversationId: e.conversationId, replies: e.replies === true, at: String(e.at ?? ''), etag: e.etag }];
}
