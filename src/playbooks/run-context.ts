import type { Actor } from '../access/roles';
import type { AuditLog, AuditOutcome } from '../audit/audit-log';
import type { EventName } from '../events/event-map';
import type { AcceptInput, AcceptResult } from '../events/intake';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import type { PlaybookCatalog } from './catalog';
import type { PlaybookRun, RunActor } from './playbook';
import type { PlaybookRunner } from './runner';
import type { PlaybookRunStore } from './run-store';

/** What the run lifecycle needs; each piece is a narrow port or store. */
export interface RunDeps {
  catalog: PlaybookCatalog;
  runs: PlaybookRunStore;
  incidents: Pick<IncidentRepository, 'get'>;
  runner: PlaybookRunner;
  audit: AuditLog;
  intake: { accept(input: AcceptInput<EventName>): Promise<AcceptResult> };
  /** Our home tenant: only its users may approve. */
  tenantId: string;
  /** Where Logic Apps report back (from the config's publicUrl). */
  callbackUrl?: string;
  logger: Logger;
  now?: () => number;
}

/** Audit actions of the playbook domain (ARCHITECTURE: every step is in the trail). */
export const playbookAudit = {
  requested: 'playbook.run.requested',
  denied: 'playbook.run.denied',
  approvalRequested: 'playbook.approval.requested',
  approved: 'playbook.approval.approved',
  approvalDenied: 'playbook.approval.denied',
  rejected: 'playbook.approval.rejected',
  expired: 'playbook.approval.expired',
  triggered: 'playbook.run.triggered',
  running: 'playbook.run.running',
  succeeded: 'playbook.run.succeeded',
  failed: 'playbook.run.failed',
  timedOut: 'playbook.run.timed-out',
  reportRejected: 'playbook.run.report-rejected',
} as const;

export function runActor(actor: Actor): RunActor {
  return { aadObjectId: actor.aadObjectId, name: actor.name, tenantId: actor.tenantId, teamsUserId: actor.teamsUserId };
}

export function nameOf(actor: RunActor | undefined): string {
  return actor?.name ?? actor?.aadObjectId ?? 'someone';
}

/** One audit row about a run: actor, playbook, entity, incident and correlation id, always. */
export async function auditRun(
  deps: Pick<RunDeps, 'audit'>,
  entry: { action: string; outcome: AuditOutcome; run: Pick<PlaybookRun, 'runId' | 'playbookId' | 'incidentName' | 'incidentNumber' | 'entity' | 'correlationId'>; actor?: RunActor; roles?: Parameters<AuditLog['append']>[0]['roles']; detail?: Record<string, unknown> },
): Promise<void> {
  const { run, actor } = entry;
  await deps.audit.append({
    action: entry.action,
    outcome: entry.outcome,
    actorId: actor?.aadObjectId,
    actorName: actor?.name,
    actorTenantId: actor?.tenantId,
    roles: entry.roles,
    target: run.incidentName,
    correlationId: run.correlationId,
    detail: {
      runId: run.runId,
      playbookId: run.playbookId,
      incidentNumber: run.incidentNumber,
      entity: run.entity ? { kind: run.entity.kind, name: run.entity.displayName, id: run.entity.id } : null,
      ...entry.detail,
    },
  });
}

/** Cards follow the run: one `playbook.run.changed` per status a run reaches. */
export async function announce(deps: Pick<RunDeps, 'intake'>, run: PlaybookRun): Promise<void> {
  await deps.intake.accept({
    name: 'playbook.run.changed',
    source: 'playbooks',
    idempotencyKey: `changed|${run.runId}|${run.status}`,
    correlationId: run.correlationId,
    payload: { runId: run.runId, incidentName: run.incidentName, status: run.status },
  });
}

/** Queues the start of a cleared run; the same key makes a second queueing a no-op. */
export async function queueTrigger(deps: Pick<RunDeps, 'intake'>, run: PlaybookRun): Promise<void> {
  await deps.intake.accept({
    name: 'playbook.run.requested',
    source: 'playbooks',
    idempotencyKey: `trigger|${run.runId}`,
    correlationId: run.correlationId,
    payload: { runId: run.runId, incidentName: run.incidentName, status: run.status },
  });
}
