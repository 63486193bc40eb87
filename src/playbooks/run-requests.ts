import { randomUUID } from 'node:crypto';
import { roleAtLeast, type Actor, type RoleDecision } from '../access/roles';
import { entitiesOfKind, playbookApplies } from './applicability';
import { describeDuration } from './duration';
import { runsPerEntity, type PlaybookRun, type RunEntity } from './playbook';
import { announce, auditRun, playbookAudit, queueTrigger, runActor, type RunDeps } from './run-context';
import { expireRun } from './run-lifecycle';

/** Who is asking, as the Teams request established it. */
export interface Requester {
  actor: Actor;
  decision: RoleDecision;
  correlationId: string;
}

export type RequestOutcome =
  | { kind: 'started'; run: PlaybookRun }
  | { kind: 'in-progress'; run?: PlaybookRun }
  | { kind: 'denied'; reason: string }
  | { kind: 'incident-not-found' };

export type DecisionOutcome =
  | { kind: 'decided'; run: PlaybookRun }
  | { kind: 'not-pending'; run: PlaybookRun }
  | { kind: 'expired'; run: PlaybookRun }
  | { kind: 'denied'; reason: string; run: PlaybookRun }
  | { kind: 'not-found' };

const have = (d: RoleDecision) => (d.role ? `your role is ${d.role}` : 'you have no Argus role');

/**
 * A click on a playbook button. Everything the card offered is checked again here, because an
 * invoke can be forged: the playbook exists and applies to this incident, the entity belongs to
 * the incident and is of the kind the playbook acts on, the requester's (federation-capped) role
 * suffices. A run already in progress for the same playbook and entity starts nothing.
 */
export async function requestRun(
  deps: RunDeps,
  who: Requester,
  input: { incidentName: string; playbookId: string; entityId?: string },
): Promise<RequestOutcome> {
  const now = deps.now?.() ?? Date.now();
  const record = await deps.incidents.get(input.incidentName);
  if (!record) return { kind: 'incident-not-found' };
  const { incident } = record;
  const requester = runActor(who.actor);
  const denyRef = { runId: '', playbookId: input.playbookId.slice(0, 80), incidentName: incident.name, incidentNumber: incident.number, correlationId: who.correlationId };
  const deny = async (reason: string, entity?: RunEntity): Promise<RequestOutcome> => {
    await auditRun(deps, { action: playbookAudit.denied, outcome: 'denied', run: { ...denyRef, entity }, actor: requester, roles: who.decision.roles, detail: { reason, entityId: input.entityId?.slice(0, 300) ?? null } });
    return { kind: 'denied', reason };
  };

  const playbook = deps.catalog.get(input.playbookId);
  if (!playbook) return deny(`Argus has no playbook '${input.playbookId.slice(0, 80)}'.`);
  const d = playbook.definition;
  const applies = playbookApplies(playbook, incident);
  if (!applies.ok) return deny(applies.reason);
  let entity: RunEntity | undefined;
  if (runsPerEntity(playbook)) {
    const found = entitiesOfKind(incident, d.actsOn).find((e) => e.id === input.entityId);
    if (!found) return deny(input.entityId ? `That entity is not one of the ${d.actsOn} entities of incident #${incident.number}.` : `Choose the ${d.actsOn} entity to act on.`);
    entity = { kind: found.kind, id: found.id, displayName: found.displayName };
  }
  if (!requester.aadObjectId) return deny('Argus cannot tell who you are (no Entra object id).', entity);
  if (!roleAtLeast(who.decision.role, d.requiredRole)) return deny(`${d.title} needs the ${d.requiredRole} role; ${have(who.decision)}.`, entity);

  const at = new Date(now).toISOString();
  const approval = playbook.approval;
  const run: PlaybookRun = {
    runId: randomUUID(),
    playbookId: d.id,
    playbookTitle: d.title,
    incidentName: incident.name,
    incidentNumber: incident.number,
    incidentTitle: incident.title.slice(0, 300),
    severity: incident.severity,
    entity,
    target: playbook.target.type,
    status: approval ? 'awaiting-approval' : 'requested',
    requestedBy: requester,
    requestedAt: at,
    approval: approval ? { approverRole: approval.approverRole, expiresAt: new Date(now + approval.expiresAfterMs).toISOString() } : undefined,
    startedAt: approval ? undefined : at,
    deadlineAt: new Date(now + (approval ? approval.expiresAfterMs : playbook.timeoutMs)).toISOString(),
    attempts: 0,
    correlationId: who.correlationId,
    approvalCards: [],
  };
  const created = await deps.runs.create(run);
  if (!created.created) {
    const existing = created.existing?.run;
    await auditRun(deps, {
      action: playbookAudit.requested,
      outcome: 'rejected',
      run: { ...run, runId: existing?.runId ?? '' },
      actor: requester,
      roles: who.decision.roles,
      detail: { reason: 'a run of this playbook on this entity is in progress', status: existing?.status ?? 'starting' },
    });
    return { kind: 'in-progress', run: existing };
  }
  await auditRun(deps, { action: playbookAudit.requested, outcome: 'allowed', run, actor: requester, roles: who.decision.roles, detail: { requiredRole: d.requiredRole, approval: approval ? 'required' : 'none' } });
  if (approval) {
    await auditRun(deps, {
      action: playbookAudit.approvalRequested,
      outcome: 'succeeded',
      run,
      actor: requester,
      detail: { approverRole: approval.approverRole, expiresAt: run.approval?.expiresAt, expiresAfter: describeDuration(approval.expiresAfterMs) },
    });
  } else {
    await queueTrigger(deps, run);
  }
  await announce(deps, run);
  return { kind: 'started', run };
}

/** Why `actor` may not approve `run` (undefined: they may). */
export function approvalProblem(run: PlaybookRun, actor: Actor, decision: RoleDecision, tenantId: string): string | undefined {
  if (!actor.aadObjectId) return 'Argus cannot tell who you are (no Entra object id).';
  if (decision.federated || actor.tenantId !== tenantId) return 'Users of another organisation can never approve playbook runs.';
  if (actor.aadObjectId === run.requestedBy.aadObjectId) return 'You requested this run; another person must approve it.';
  const need = run.approval?.approverRole ?? 'admin';
  if (!roleAtLeast(decision.role, need)) return `Approving needs the ${need} role; ${have(decision)}.`;
  return undefined;
}

/**
 * Approve or reject from the approval card. Approving needs someone else than the requester, of our
 * own tenant, with the approver role, before the request expires. Rejecting needs the same, except
 * that the requester may withdraw their own request.
 */
export async function decideApproval(
  deps: RunDeps,
  who: Requester,
  input: { incidentName: string; runId: string; approve: boolean },
): Promise<DecisionOutcome> {
  const now = deps.now?.() ?? Date.now();
  const stored = await deps.runs.get(input.incidentName, input.runId);
  if (!stored) return { kind: 'not-found' };
  const run = stored.run;
  if (run.status !== 'awaiting-approval') return { kind: 'not-pending', run };
  const actor = runActor(who.actor);
  const problem = approvalProblem(run, who.actor, who.decision, deps.tenantId);
  const withdrawing = !input.approve && !!actor.aadObjectId && actor.aadObjectId === run.requestedBy.aadObjectId;
  if (problem && !withdrawing) {
    await auditRun(deps, { action: playbookAudit.approvalDenied, outcome: 'denied', run, actor, roles: who.decision.roles, detail: { decision: input.approve ? 'approve' : 'reject', reason: problem, federated: who.decision.federated, requestCorrelationId: who.correlationId } });
    return { kind: 'denied', reason: problem, run };
  }
  if (run.approval && Date.parse(run.approval.expiresAt) <= now) {
    const expired = await expireRun(deps, run.incidentName, run.runId);
    return expired ? { kind: 'expired', run: expired } : { kind: 'not-pending', run: (await deps.runs.get(run.incidentName, run.runId))?.run ?? run };
  }
  const at = new Date(now).toISOString();
  const playbook = deps.catalog.get(run.playbookId);
  const timeoutMs = playbook?.timeoutMs ?? 15 * 60_000;
  const changed = await deps.runs.update(run.incidentName, run.runId, (r) => {
    if (r.status !== 'awaiting-approval') return undefined;
    return input.approve
      ? { ...r, status: 'requested', approvedBy: { ...actor, at }, startedAt: at, deadlineAt: new Date(now + timeoutMs).toISOString() }
      : { ...r, status: 'rejected', rejectedBy: { ...actor, at }, rejection: withdrawing ? 'withdrawn' : 'rejected', finishedAt: at, message: withdrawing ? 'withdrawn by the requester' : undefined };
  });
  if (!changed) {
    const current = await deps.runs.get(run.incidentName, run.runId);
    return { kind: 'not-pending', run: current?.run ?? run };
  }
  const after = changed.after;
  if (input.approve) {
    await auditRun(deps, { action: playbookAudit.approved, outcome: 'allowed', run: after, actor, roles: who.decision.roles, detail: { requestedBy: run.requestedBy.aadObjectId, requestCorrelationId: who.correlationId } });
    await queueTrigger(deps, after);
  } else {
    await deps.runs.release(after);
    await auditRun(deps, { action: playbookAudit.rejected, outcome: 'rejected', run: after, actor, roles: who.decision.roles, detail: { withdrawn: withdrawing, requestCorrelationId: who.correlationId } });
  }
  await announce(deps, after);
  return { kind: 'decided', run: after };
}
