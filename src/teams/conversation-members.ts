import { LruMap } from '../cache/lru-map';

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
  /** A list is fresh this long (each list a little more or less: see `jitter`). */
  ttlMs: number;
  now?: () => number;
  /** Conversations whose lists are kept at most (the least recently used go first). */
  maxConversations?: number;
  /** After a failed listing, that conversation is not asked again for this long (ms). */
  failureBackoffMs?: number;
  /**
   * Each list's TTL is drawn from ttlMs × [1 − jitter, 1 + jitter] (default 0.1), so that lists
   * fetched together (a burst of cards after a start) do not all expire in the same second.
   */
  jitter?: number;
}

/**
 * Lists a conversation's members at most once per TTL and lets concurrent callers share the
 * question. An expired list is answered at once and refreshed in the background (a card is not
 * held up by a roster call, which counts against Teams' limits like any other); only a
 * conversation with no list known waits for its listing. A failed listing leaves the last known
 * list in place; with none known, the failure goes to the caller, and for a short while to the
 * next callers too (no listing per card render of a conversation that cannot be listed).
 */
export function createMemberCache(options: MemberCacheOptions): ConversationMembers {
  const now = options.now ?? Date.now;
  const maxConversations = options.maxConversations ?? 1_000;
  const jitter = options.jitter ?? 0.1;
  const lists = new LruMap<string, { members: ConversationMember[]; expiresAt: number }>(maxConversations);
  const inflight = new Map<string, Promise<ConversationMember[]>>();
  const failed = new LruMap<string, { err: unknown; until: number }>(maxConversations);
  const failureBackoffMs = options.failureBackoffMs ?? 60_000;

  function remember(conversationId: string, members: ConversationMember[]): void {
    const ttl = options.ttlMs * (1 - jitter + 2 * jitter * Math.random());
    lists.set(conversationId, { members, expiresAt: now() + ttl });
  }

  function ask(conversationId: string): Promise<ConversationMember[]> {
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
        failed.set(conversationId, { err, until: now() + failureBackoffMs });
        throw err;
      })
      .finally(() => inflight.delete(conversationId));
    inflight.set(conversationId, asking);
    return asking;
  }

  return {
    list(conversationId) {
      const known = lists.get(conversationId);
      if (known && known.expiresAt > now()) return Promise.resolve(known.members);
      const failure = failed.get(conversationId);
      const backingOff = failure !== undefined && failure.until > now();
      if (known) {
        if (!backingOff) ask(conversationId).catch(() => undefined); // refreshed in the background
        return Promise.resolve(known.members);
      }
      if (backingOff) return Promise.reject(failure.err);
      return ask(conversationId);
    },
  };
}
