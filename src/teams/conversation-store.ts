import type { TableClient } from '@azure/data-tables';
import type { ConversationReference } from 'botbuilder';
import { ArgusError } from '../errors/catalog';
import { encodeKey, statusOf } from '../storage/keys';
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

/** Where Argus is installed (table ArgusConversations): the references proactive messages need. */
export class ConversationStore {
  constructor(
    private readonly table: TableClient,
    /** Absent: readers only (the CLI), nothing to send with. */
    private readonly options: { serviceUrls?: ServiceUrlPolicy } = {},
  ) {}

  /** Refuses (ARGUS_SERVICE_URL_NOT_ALLOWED) a reference whose serviceUrl Argus would not call. */
  async upsert(conv: StoredConversation): Promise<void> {
    if (!this.options.serviceUrls) throw new ArgusError('ARGUS_INTERNAL', 'this conversation store is read-only');
    this.options.serviceUrls.assert(conv.reference.serviceUrl, `conversation ${conv.conversationId.slice(0, 100)}`);
    try {
      await this.table.upsertEntity(
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
        'Replace',
      );
    } catch (err) {
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
    }
  }

  async get(conversationId: string): Promise<StoredConversation | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(partition, encodeKey(conversationId));
      return {
        conversationId: String(e.conversationId),
        kind: String(e.kind) as ConversationKind,
        tenantId: e.tenantId ? String(e.tenantId) : undefined,
        teamId: e.teamId ? String(e.teamId) : undefined,
        reference: JSON.parse(String(e.reference)) as Partial<ConversationReference>,
        installedAt: String(e.installedAt),
        installedBy: e.installedBy ? String(e.installedBy) : undefined,
      };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
    }
  }

  /** Removes a conversation and, for a team, every channel of that team. */
  async remove(conversationId: string, teamId?: string): Promise<number> {
    let removed = 0;
    try {
      const filter = teamId ? `PartitionKey eq '${partition}' and teamId eq '${teamId.replace(/'/g, "''")}'` : undefined;
      const keys = new Set<string>([encodeKey(conversationId)]);
      if (filter) for await (const e of this.table.listEntities({ queryOptions: { filter } })) keys.add(String(e.rowKey));
      for (const rowKey of keys) {
        try {
          await this.table.deleteEntity(partition, rowKey);
          removed += 1;
        } catch (err) {
          if (statusOf(err) !== 404) throw err;
        }
      }
    } catch (err) {
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
    }
    return removed;
  }
}

/** Teams puts `;messageid=<id>` on the conversation id of a thread reply: the channel is what precedes it. */
export function baseConversationId(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i < 0 ? conversationId : conversationId.slice(0, i);
}
