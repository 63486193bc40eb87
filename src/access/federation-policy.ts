import { denied, sortRoles, type AccessIndex } from './access-index';
import { lowerRole, type Role, type RoleDecision } from './roles';

/**
 * Users of another tenant are not in our directory (Graph would answer 404), so they are decided
 * from the federation list alone: allowed only when an entry for their tenant lists them, and
 * never above that entry's maxRole. Being named in a role's `users` can only lower the role.
 */
export function decideFederated(index: AccessIndex, tenantId: string, aadObjectId: string): RoleDecision {
  const forTenant = index.federation.filter((entry) => entry.tenantId === tenantId);
  if (forTenant.length === 0) return denied(true, [`tenant ${tenantId} is not federated`]);
  const listing = forTenant.filter((entry) => entry.users.has(aadObjectId));
  if (listing.length === 0) return denied(true, [`tenant ${tenantId} is federated, but user ${aadObjectId} is not listed for it`]);
  const cap = sortRoles(listing.map((entry) => entry.maxRole))[0] as Role;
  const listed = index.listedRoles(aadObjectId);
  const reasons = [`federated from tenant ${tenantId}, capped at ${cap}`];
  if (listed.length === 0) return { role: cap, roles: [cap], federated: true, reasons };
  const roles = sortRoles(listed.map((role) => lowerRole(role, cap)));
  reasons.push(...listed.map((role) => `listed as ${role} user${lowerRole(role, cap) !== role ? ` (capped to ${cap})` : ''}`));
  return { role: roles[0], roles, federated: true, reasons };
}
