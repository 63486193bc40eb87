import type { Logger } from '../logging/logger';
import { denied, indexAccess, sortRoles, type AccessConfig } from './access-index';
import { decideFederated } from './federation-policy';
import { isObjectId, type GroupMembershipChecker } from './group-membership';
import { createMembershipCache } from './membership-cache';
import type { Actor, Role, RoleDecision, RoleResolver } from './roles';

export interface RoleResolverOptions {
  /** Config `tenantId`: the home tenant, whose users are looked up in the directory. */
  tenantId: string;
  /** Config `access`. */
  access: AccessConfig;
  /** Transitive group membership (Graph in production). */
  groups: GroupMembershipChecker;
  logger: Logger;
  /** Clock for the membership cache (ms). */
  now?: () => number;
}

/**
 * Decides an actor's role; deny by default.
 * - Home tenant: the highest of the roles whose `users` list them and the roles whose `groups`
 *   they belong to (transitively). Group answers are cached for `access.groupCacheTtlSeconds`.
 *   When the directory cannot be asked, config-listed roles still apply and a reason says so.
 * - Other tenants: the federation list alone (federation-policy.ts); the directory is never asked.
 * - No tenant id or no (well-formed) object id: denied.
 */
export function createRoleResolver(options: RoleResolverOptions): RoleResolver {
  const homeTenant = options.tenantId.toLowerCase();
  const index = indexAccess(options.access);
  const log = options.logger.child({ component: 'access' });
  const memberships = createMembershipCache({
    checker: options.groups,
    groupIds: [...index.groupRoles.keys()],
    ttlMs: options.access.groupCacheTtlSeconds * 1000,
    now: options.now ?? Date.now,
  });

  async function decideHome(aadObjectId: string): Promise<RoleDecision> {
    const granted: Role[] = [];
    const reasons: string[] = [];
    let groupsKnown = true;
    for (const role of index.listedRoles(aadObjectId)) {
      granted.push(role);
      reasons.push(`listed as ${role} user`);
    }
    if (index.groupRoles.size > 0) {
      try {
        const membership = await memberships.lookup(aadObjectId);
        if (!membership.inDirectory) reasons.push('not found in the directory, so no group roles');
        else
          for (const [group, roles] of index.groupRoles)
            if (membership.groups.has(group))
              for (const role of roles) {
                granted.push(role);
                reasons.push(`member of group ${group} → ${role}`);
              }
      } catch (err) {
        groupsKnown = false;
        const why = err instanceof Error ? err.message : String(err);
        reasons.push(`group lookup failed: ${why}; only roles listed by user apply`);
        log.warn({ err, aadObjectId }, 'group lookup failed; deciding from configured users only');
      }
    }
    const roles = sortRoles(granted);
    if (roles.length === 0) {
      reasons.push(groupsKnown ? 'not listed in any role and in none of their groups' : 'not listed in any role');
      return denied(false, reasons);
    }
    return { role: roles[0], roles, federated: false, reasons };
  }

  return {
    async resolve(actor: Actor): Promise<RoleDecision> {
      const tenantId = actor.tenantId?.toLowerCase();
      const federated = tenantId !== undefined && tenantId !== homeTenant;
      let decision: RoleDecision;
      if (!tenantId) decision = denied(false, ['the request carries no tenant id']);
      else if (!actor.aadObjectId) decision = denied(federated, ['the request carries no Entra object id']);
      else if (!isObjectId(actor.aadObjectId)) decision = denied(federated, ['the Entra object id is not a GUID']);
      else if (federated) decision = decideFederated(index, tenantId, actor.aadObjectId.toLowerCase());
      else decision = await decideHome(actor.aadObjectId.toLowerCase());
      log.debug({ aadObjectId: actor.aadObjectId, tenantId: actor.tenantId, role: decision.role, reasons: decision.reasons }, 'role resolved');
      return decision;
    },
  };
}
