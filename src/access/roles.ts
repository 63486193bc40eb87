import type { Role } from '../config/file-schema';

export type { Role };
export const roles = ['admin', 'responder', 'reader'] as const;
const rank: Record<Role, number> = { reader: 1, responder: 2, admin: 3 };

/** admin ⊃ responder ⊃ reader. */
export function roleAtLeast(have: Role | undefined, need: Role): boolean {
  return have !== undefined && rank[have] >= rank[need];
}

export function higherRole(a: Role | undefined, b: Role | undefined): Role | undefined {
  if (!a) return b;
  if (!b) return a;
  return rank[a] >= rank[b] ? a : b;
}

export function lowerRole(a: Role, b: Role): Role {
  return rank[a] <= rank[b] ? a : b;
}

/** Who is asking: taken from the Teams activity, checked by the server. */
export interface Actor {
  aadObjectId?: string;
  tenantId?: string;
  name?: string;
  /** Teams user id (29:…), for mentions and refresh.userIds. */
  teamsUserId?: string;
}

export interface RoleDecision {
  /** The effective role, or undefined when the actor has none (denied everything). */
  role?: Role;
  /** Every role that applies, highest first, after federation caps. */
  roles: Role[];
  /** Whether the actor is from another tenant than ours. */
  federated: boolean;
  /** Human-readable reasons, e.g. "member of group 1234… (responder)". */
  reasons: string[];
}

/** Port: decides an actor's role. Real adapter: config users + Graph groups + federation list. */
export interface RoleResolver {
  resolve(actor: Actor): Promise<RoleDecision>;
}
