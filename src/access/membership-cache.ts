import { isArgusError } from '../errors/catalog';
import type { GroupMembershipChecker } from './group-membership';

/** What the directory says about one user, for every configured group at once. */
export type Membership = { inDirectory: true; groups: ReadonlySet<string> } | { inDirectory: false };

export interface MembershipCache {
  /** Rejects (uncached) when the directory cannot be asked; see GroupMembershipChecker. */
  lookup(userObjectId: string): Promise<Membership>;
}

/** Users whose answers are kept at most, by default. */
export const defaultMaxCachedUsers = 10_000;

/**
 * Asks the directory about all `groupIds` for a user once per TTL, and lets concurrent callers
 * share the question: a burst of card clicks by one engineer costs a single lookup. Answers,
 * including "not in the directory", are kept; failures are not, so the next click asks again.
 * Expired answers are dropped as new ones come, and at most `maxUsers` are kept (the oldest go
 * first), so a long-running instance does not keep one entry per person it ever saw.
 */
export function createMembershipCache(options: {
  checker: GroupMembershipChecker;
  groupIds: readonly string[];
  ttlMs: number;
  now: () => number;
  maxUsers?: number;
}): MembershipCache {
  const { checker, ttlMs, now } = options;
  const maxUsers = options.maxUsers ?? defaultMaxCachedUsers;
  const groupIds = [...new Set(options.groupIds.map((id) => id.toLowerCase()))];
  const answers = new Map<string, { membership: Membership; expiresAt: number }>();
  const inflight = new Map<string, Promise<Membership>>();

  async function ask(user: string): Promise<Membership> {
    try {
      const groups = await checker.checkMemberGroups(user, groupIds);
      return { inDirectory: true, groups: new Set(groups.map((id) => id.toLowerCase())) };
    } catch (err) {
      if (isArgusError(err, 'ARGUS_NOT_FOUND')) return { inDirectory: false };
      throw err;
    }
  }

  // Every answer lives `ttlMs`, so insertion order is expiry order: the oldest entries come first.
  function remember(user: string, entry: { membership: Membership; expiresAt: number }): void {
    answers.delete(user);
    answers.set(user, entry);
    for (const [oldest, { expiresAt }] of answers) {
      if (answers.size <= maxUsers && expiresAt > now()) break;
      answers.delete(oldest);
    }
  }

  return {
    lookup(userObjectId) {
      const user = userObjectId.toLowerCase();
      const cached = answers.get(user);
      if (cached && cached.expiresAt > now()) return Promise.resolve(cached.membership);
      const pending = inflight.get(user);
      if (pending) return pending;
      const asking = ask(user)
        .then((membership) => {
          if (ttlMs > 0) remember(user, { membership, expiresAt: now() + ttlMs });
          return membership;
        })
        .finally(() => inflight.delete(user));
      inflight.set(user, asking);
      return asking;
    },
  };
}
