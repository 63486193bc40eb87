import type { TableClient } from '@azure/data-tables';
import type { ConversationReference } from 'botbuilder';
import { LruMap } from '../cache/lru-map';
import { ArgusError } from '../errors/catalog';
import { asEntityTable, eq, storageUnavailable, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import type { ServiceUrlPolicy } from './service-url-policy';

export type ConversationKind = 'channel' | 'groupChat' | 'personal';

export interface StoredConversation {
  conversationId: string;
  kind: ConversationKind;
  tenantId?: string;
  teamId?: string;
  reference: Partial<ConversationReference>;
  installedAt: string;
  installedBy?: string;
}

const partition = 'conversation';

/** A personal chat: who installed Argus there ('' when unknown) and their tenant ('' when unknown). */
export interface PersonalChat {
  conversationId: string;
  tenantId: string;
  installedBy: string;
}

/** Where Argus is installed: the references proactive messages need. */
export interface ConversationStore {
  /** Records (or replaces) a conversation; refuses (ARGUS_SERVICE_URL_NOT_ALLOWED) a reference whose serviceUrl Argus would not call. */
  upsert(conv: StoredConversation): Promise<void>;
  get(conversationId: string): Promise<StoredConversation | undefined>;
  /** Personal chats (Argus installed by one user), read as they are listed: the reader may stop early. */
  personalChats(): AsyncIterable<PersonalChat>;
  /** Removes a conversation and, for a team, every channel of that team; how many rows went. */
  remove(conversationId: string, teamId?: string): Promise<number>;
  /** Reads the conversation's row afresh next time (Teams said it is gone or not ours). */
  forget?(conversationId: string): void;
}

/** Conversations in table ArgusConversations, one row each in partition `conversation`. */
export class TableConversationStore implements ConversationStore {
  private readonly table: EntityTable;
  /** Rows read lately, each used again for cacheMs. */
  private readonly recent = new LruMap<string, { conv: StoredConversation; at: number }>(10_000);

  constructor(
    table: TableClient | EntityTable,
    /**
     * serviceUrls absent: readers only (the CLI), nothing to send with. cacheMs: how long a row read
     * is used again (the service: a channel getting a card a second reads its row once); what this
     * instance writes or removes is seen at once, another instance's change after at most cacheMs.
     */
    private readonly options: { serviceUrls?: ServiceUrlPolicy; cacheMs?: number } = {},
  ) {
    this.table = asEntityTable(table);
  }

  forget(conversationId: string): void {
    this.recent.delete(conversationId);
  }

  private remember(conv: StoredConversation): void {
    if ((this.options.cacheMs ?? 0) > 0) this.recent.set(conv.conversationId, { conv, at: Date.now() });
  }

  /** Refuses (ARGUS_SERVICE_URL_NOT_ALLOWED) a reference whose serviceUrl Argus would not call. */
  async upsert(conv: StoredConversation): Promise<void> {
    if (!this.options.serviceUrls) throw new ArgusError('ARGUS_INTERNAL', 'this conversation store is read-only');
    this.options.serviceUrls.assert(conv.reference.serviceUrl, `conversation ${conv.conversationId.slice(0, 100)}`);
    await this.table.upsert(
      {
        partitionKey: partition,
        rowKey: encodeKey(conv.conversationId),
        conversationId: conv.conversationId,
        kind: conv.kind,
        tenantId: conv.tenantId ?? '',
        teamId: conv.teamId ?? '',
        reference: JSON.stringify(conv.reference),
        installedAt: conv.installedAt,
        installedBy: conv.installedBy ?? '',
      },
      'replace',
    );
    this.forget(conv.conversationId);
  }

  async get(conversationId: string): Promise<StoredConversation | undefined> {
    const kept = this.recent.get(conversationId);
    if (kept && Date.now() - kept.at < (this.options.cacheMs ?? 0)) return kept.conv;
    const e = await this.table.get(partition, encodeKey(conversationId));
    if (!e) return undefined;
    let conv: StoredConversation;
    try {
      conv = fromEntity(e);
    } catch (err) {
      throw storageUnavailable(err); // a reference that is not JSON: the row cannot be used
    }
    this.remember(conv);
    return conv;
  }

  /** Personal chats (Argus installed by one user), read as they are listed: the reader may stop early. */
  async *personalChats(): AsyncIterable<PersonalChat> {
    for await (const e of this.table.scan({ partitionKey: partition, where: eq('kind', 'personal') }))
      yield {
        conversationId: String(e.conversationId),
        tenantId: typeof e.tenantId === 'string' ? e.tenantId : '',
        installedBy: typeof e.installedBy === 'string' ? e.installedBy : '',
      };
  }

  /** Removes a conversation and, for a team, every channel of that team. */
  async remove(conversationId: string, teamId?: string): Promise<number> {
    const keys = new Set<string>([encodeKey(conversationId)]);
    if (teamId) for await (const e of this.table.scan({ partitionKey: partition, where: eq('teamId', teamId) })) keys.add(String(e.rowKey));
    let removed = 0;
    for (const rowKey of keys) if (await this.table.delete(partition, rowKey)) removed += 1;
    // Channels of a removed team are forgotten too (their ids are the row keys' decoded form).
    if (teamId) this.recent.clear();
    else this.forget(conversationId);
    return removed;
  }
}

function fromEntity(e: StoredEntity): StoredConversation {
  return {
    conversationId: String(e.conversationId),
    kind: String(e.kind) as ConversationKind,
    tenantId: e.tenantId ? String(e.tenantId) : undefined,
    teamId: e.teamId ? String(e.teamId) : undefined,
    reference: JSON.parse(String(e.reference)) as Partial<ConversationReference>,
    installedAt: String(e.installedAt),
    installedBy: e.installedBy ? String(e.installedBy) : undefined,
  };
}

/** Teams puts `;messageid=<id>` on the conversation id of a thread reply: the channel is what precedes it. */
export function baseConversationId(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i < 0 ? conversationId : conversationId.slice(0, i);
}
