import { roleAtLeast, type Actor, type RoleDecision, type RoleResolver } from '../access/roles';
import type { AuditLog } from '../audit/audit-log';
import type { AccessLevel } from './registry';

export interface AuthorizeRequest {
  actor: Actor;
  /** A role, or `member`: any user of `homeTenantId` (no Argus role needed). */
  need: AccessLevel;
  homeTenantId?: string;
  /** Audit action, e.g. card.incident.close or command.subscribe. */
  action: string;
  target?: string;
  correlationId: string;
  detail?: Record<string, unknown>;
  /** Audit allowed decisions too (denials are always audited). */
  auditAllowed?: boolean;
}

export type AuthorizeResult = { allowed: true; decision: RoleDecision } | { allowed: false; decision: RoleDecision; message: string };

/**
 * The one place a Teams request is checked against roles. Deny by default; every denial, and
 * every allowed security-relevant action, is audited with the roles and the reasons.
 */
export class Authorizer {
  constructor(
    private readonly roles: RoleResolver,
    private readonly audit: AuditLog,
  ) {}

  /** The actor's role, for choices that are not themselves access decisions (nothing is audited). */
  roleOf(actor: Actor): Promise<RoleDecision> {
    return this.roles.resolve(actor);
  }

  async check(req: AuthorizeRequest): Promise<AuthorizeResult> {
    const decision = await this.roles.resolve(req.actor);
    const allowed = req.need === 'member' ? homeMember(req.actor, req.homeTenantId) : roleAtLeast(decision.role, req.need);
    if (allowed && !req.auditAllowed) return { allowed, decision };
    await this.audit.append({
      action: req.action,
      outcome: allowed ? 'allowed' : 'denied',
      actorId: req.actor.aadObjectId,
      actorName: req.actor.name,
      actorTenantId: req.actor.tenantId,
      roles: decision.roles,
      target: req.target,
      correlationId: req.correlationId,
      detail: { need: req.need, role: decision.role ?? null, federated: decision.federated, reasons: decision.reasons, ...req.detail },
    });
    if (allowed) return { allowed, decision };
    if (req.need === 'member') return { allowed: false, decision, message: 'This is open to users of the organisation that runs Argus only.' };
    const have = decision.role ? `your role is ${decision.role}` : 'you have no Argus role';
    return { allowed: false, decision, message: `This needs the ${req.need} role; ${have}.` };
  }
}

/** A signed-in user of the home tenant (an unknown tenant, or no tenant configured, is refused). */
function homeMember(actor: Actor, homeTenantId: string | undefined): boolean {
  return Boolean(homeTenantId && actor.aadObjectId && actor.tenantId === homeTenantId);
}
