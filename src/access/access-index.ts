import type { FileConfig } from '../config/file-schema';
import { roles as rolesHighestFirst, type Role, type RoleDecision } from './roles';

export type AccessConfig = FileConfig['access'];

/** The access config with every id lower-cased once, so comparisons are exact and cheap. */
export interface AccessIndex {
  /** Roles whose `users` list names the id, highest first. */
  listedRoles(aadObjectId: string): Role[];
  /** Group id → the roles it grants, highest first. */
  groupRoles: ReadonlyMap<string, Role[]>;
  federation: ReadonlyArray<{ tenantId: string; maxRole: Role; users: ReadonlySet<string> }>;
}

export function indexAccess(access: AccessConfig): AccessIndex {
  const users = new Map<Role, Set<string>>(rolesHighestFirst.map((role) => [role, new Set(access.roles[role].users.map((id) => id.toLowerCase()))]));
  const groupRoles = new Map<string, Role[]>();
  for (const role of rolesHighestFirst)
    for (const group of access.roles[role].groups) {
      const key = group.toLowerCase();
      groupRoles.set(key, [...(groupRoles.get(key) ?? []), role]);
    }
  return {
    listedRoles: (id) => rolesHighestFirst.filter((role) => users.get(role)?.has(id)),
    groupRoles,
    federation: access.federation.map((entry) => ({
      tenantId: entry.tenantId.toLowerCase(),
      maxRole: entry.maxRole,
      users: new Set(entry.users.map((id) => id.toLowerCase())),
    })),
  };
}

export function sortRoles(granted: Iterable<Role>): Role[] {
  const set = new Set(granted);
  return rolesHighestFirst.filter((role) => set.has(role));
}

export function denied(federated: boolean, reasons: string[]): RoleDecision {
  return { role: undefined, roles: [], federated, reasons };
}
