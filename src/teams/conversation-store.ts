import type { TableClient } from '@azure/data-tables';
import type { ConversationReference } from 'botbuilder';
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
}

/** Conversations in table ArgusConversations, one row each in partition `conversation`. */
export class TableConversationStore implements ConversationStore {
  private readonly table: EntityTable;

  constructor(
    table: TableClient | EntityTable,
    /** Absent: readers only (the CLI), nothing to send with. */
    private readonly options: { serviceUrls?: ServiceUrlPolicy } = {},
  ) {
    this.table = asEntityTable(table);
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
  }

  async get(conversationId: string): Promise<StoredConversation | undefined> {
    const e = await this.table.get(partition, encodeKey(conversationId));
    if (!e) return undefined;
    try {
      return fromEntity(e);
    } catch (err) {
      throw storageUnavailable(err); // a reference that is not JSON: the row cannot be used
    }
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
