/** A member of a Teams conversation, as the Bot Connector lists it. */
export interface ConversationMember {
  /** Teams user id (29:…), what `refresh.userIds` names. */
  id: string;
  aadObjectId?: string;
  name?: string;
  /** The member's own tenant (a guest or a shared-channel member may come from another). */
  tenantId?: string;
}

/** Port: every member of a conversation (a channel lists its team's members). */
export interface ConversationMembers {
  list(conversationId: string): Promise<ConversationMember[]>;
}

/** One page of `GET /v3/conversations/{id}/pagedmembers`. */
export interface MembersPage {
  members: ConversationMember[];
  continuationToken?: string;
}

/** Pages walked at most per listing (500 members a page: 25,000 members). */
const maxPages = 50;

/** All members, following continuation tokens; `page` fetches one page. */
export async function allMembers(page: (continuationToken: string | undefined) => Promise<MembersPage>): Promise<ConversationMember[]> {
  const members: ConversationMember[] = [];
  let token: string | undefined;
  for (let n = 0; n < maxPages; n += 1) {
    const result = await page(token);
    for (const m of result.members ?? []) if (typeof m?.id === 'string' && m.id) members.push(m);
    token = result.continuationToken || undefined;
    if (!token) break;
  }
  return members;
}

export interface MemberCacheOptions {
  source: ConversationMembers;
  ttlMs: number;
  now?: () => number;
  /** Conversations whose lists are kept at most (the oldest go first). */
  maxConversations?: number;
  /** After a failed listing with no list known, the failure is answered this long without asking (ms). */
  failureBackoffMs?: number;
}

/**
 * Lists a conversation's members at most once per TTL and lets concurrent callers share the
 * question. When listing fails, the last known list (even expired) is used rather than none, and
 * the next call asks again; with no list known, the failure goes to the caller, and for a short
 * while to the next callers too (no listing per card render of a conversation that cannot be listed).
 */
export function createMemberCache(options: MemberCacheOptions): ConversationMembers {
  const now = options.now ?? Date.now;
  const maxConversations = options.maxConversations ?? 1_000;
  const lists = new Map<string, { members: ConversationMember[]; expiresAt: number }>();
  const inflight = new Map<string, Promise<ConversationMember[]>>();
  const failed = new Map<string, { err: unknown; until: number }>();
  const failureBackoffMs = options.failureBackoffMs ?? 60_000;

  function remember(conversationId: string, members: ConversationMember[]): void {
    lists.delete(conversationId);
    lists.set(conversationId, { members, expiresAt: now() + options.ttlMs });
    for (const oldest of lists.keys()) {
      if (lists.size <= maxConversations) break;
      lists.delete(oldest);
    }
  }

  return {
    list(conversationId) {
      const known = lists.get(conversationId);
      if (known && known.expiresAt > now()) return Promise.resolve(known.members);
      const failure = failed.get(conversationId);
      if (!known && failure && failure.until > now()) return Promise.reject(failure.err);
      const pending = inflight.get(conversationId);
      if (pending) return pending;
      const asking = options.source
        .list(conversationId)
        .then((members) => {
          failed.delete(conversationId);
          remember(conversationId, members);
          return members;
        })
        .catch((err: unknown) => {
          if (known) return known.members;
          failed.delete(conversationId);
          failed.set(conversationId, { err, until: now() + failureBackoffMs });
          if (failed.size > maxConversations) failed.delete(failed.keys().next().value!);
          throw err;
        })
        .finally(() => inflight.delete(conversationId));
      inflight.set(conversationId, asking);
      return asking;
    },
  };
}
