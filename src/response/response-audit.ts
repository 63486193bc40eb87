import type { AuditLog, AuditOutcome } from '../audit/audit-log';
import type { ResponseActor } from './response-ports';

/** Audit actions of the response lifecycle (ARCHITECTURE §3 Audit; docs/response.md). */
export const responseAudit = {
  phase: 'incident.phase',
  planAssigned: 'response.plan.assigned',
  complete: 'step.complete',
  skip: 'step.skip',
  run: 'step.run',
} as const;

/** One audit row about an incident's response: who (a person, or Argus itself), what, the incident. */
export async function auditResponse(
  audit: AuditLog,
  who: ResponseActor | undefined,
  entry: { action: string; outcome: AuditOutcome; incident: { name: string; number: number }; detail: Record<string, unknown> },
): Promise<void> {
  await audit.append({
    action: entry.action,
    outcome: entry.outcome,
    actorId: who?.actor.aadObjectId,
    actorName: who ? who.actor.name : 'Argus',
    actorTenantId: who?.actor.tenantId,
    roles: who?.decision.roles,
    target: entry.incident.name,
    correlationId: who?.correlationId,
    detail: { incidentNumber: entry.incident.number, ...entry.detail },
  });
}
