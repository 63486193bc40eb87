import { ArgusError } from '../errors/catalog';

/**
 * Port: which of `groupIds` the user belongs to, directly or through nested groups (transitive,
 * like Graph's checkMemberGroups). Real adapter: graph-group-checker.ts.
 *
 * Contract: resolves with the subset of `groupIds` the user is a member of; rejects with
 * ARGUS_NOT_FOUND when the directory has no such user, and with ARGUS_DEPENDENCY_FAILED when the
 * directory cannot be asked (network, 5xx, throttling after retries).
 */
export interface GroupMembershipChecker {
  checkMemberGroups(userObjectId: string, groupIds: string[]): Promise<string[]>;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entra object ids are GUIDs; anything else never reaches a directory URL. */
export function isObjectId(value: string | undefined): value is string {
  return typeof value === 'string' && guidPattern.test(value);
}

/**
 * In-memory twin: `groups` maps a group id to its members (user ids or group ids, so nesting is
 * expressed as in Entra); `users` lists the users the directory knows.
 */
export function createInMemoryGroupChecker(directory: { users: string[]; groups: Record<string, string[]> }): GroupMembershipChecker & {
  calls: Array<{ userObjectId: string; groupIds: string[] }>;
} {
  const users = new Set(directory.users.map((id) => id.toLowerCase()));
  const members = new Map(Object.entries(directory.groups).map(([group, list]) => [group.toLowerCase(), list.map((m) => m.toLowerCase())]));
  const calls: Array<{ userObjectId: string; groupIds: string[] }> = [];

  function isMember(objectId: string, groupId: string, seen: Set<string>): boolean {
    if (seen.has(groupId)) return false;
    seen.add(groupId);
    const list = members.get(groupId) ?? [];
    return list.includes(objectId) || list.some((member) => members.has(member) && isMember(objectId, member, seen));
  }

  return {
    calls,
    async checkMemberGroups(userObjectId, groupIds) {
      calls.push({ userObjectId, groupIds: [...groupIds] });
      const user = userObjectId.toLowerCase();
      if (!users.has(user)) throw new ArgusError('ARGUS_NOT_FOUND', `user ${userObjectId} is not in the directory`);
      return groupIds.filter((group) => isMember(user, group.toLowerCase(), new Set()));
    },
  };
}
