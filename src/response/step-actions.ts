import type { CardPublisher } from '../incidents/card-publisher';
import type { IncidentRecord } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import type { EvidenceLookup } from './evidence-port';
import { displayName, enteredAt, isoNow, type AssignmentDeps } from './plan-assignment';
import { auditResponse, responseAudit } from './response-audit';
import type { PlaybookRunPort, ResponseActor } from './response-ports';
import { changeStep, locateStep, type Located } from './step-store';
import { evidenceCheck, finished, noteRefusal, stepRefusal } from './step-rules';

export interface StepDeps extends AssignmentDeps {
  incidents: { get(id: string): Promise<IncidentRecord | undefined> };
  evidence: EvidenceLookup;
  /** Absent: no playbooks feature (automated and approved steps are then ticked by hand). */
  playbooks?: PlaybookRunPort;
  publisher: Pick<CardPublisher, 'publish'>;
  logger: Logger;
}

export interface StepInput {
  incidentId: string;
  planId: string;
  stepId: string;
}

/** What a step verb answers: what happened, or why nothing did (`missing`: the incident, plan or step is unknown). */
export type StepOutcome = { ok: true; text: string } | { ok: false; reason: string; missing?: boolean };

const phaseOf = (l: Located) => l.state.phase?.phase ?? 'detection';

async function refuse(deps: StepDeps, who: ResponseActor, action: string, l: Located, reason: string, detail: Record<string, unknown> = {}): Promise<StepOutcome> {
  await auditResponse(deps.audit, who, { action, outcome: 'rejected', incident: l.incident, detail: { planId: l.step.planId, stepId: l.step.id, reason, ...detail } });
  return { ok: false, reason };
}

/** Tells the card's thread and refreshes the cards (never failing the action that caused it). */
export function tell(deps: Pick<StepDeps, 'publisher' | 'logger'>, incidentId: string, note: string): void {
  void deps.publisher.publish(incidentId, note).catch((err: unknown) => deps.logger.warn({ err, incident: incidentId }, 'card refresh after a response change failed'));
}

/** step.complete: a person ticks a step off, with a note, and evidence where the step needs it. */
export async function completeStep(deps: StepDeps, who: ResponseActor, input: StepInput & { note?: string; evidenceId?: string }): Promise<StepOutcome> {
  const l = await locateStep(deps, input);
  if ('missing' in l) return { ok: false, reason: l.missing, missing: true };
  const first = stepRefusal(l.step, 'complete', { phase: phaseOf(l), role: who.decision.role }) ?? noteRefusal(l.step, input.note);
  if (first) return refuse(deps, who, responseAudit.complete, l, first);
  const named = input.evidenceId ? { id: input.evidenceId, found: await deps.evidence.find(l.incident.name, input.evidenceId) } : undefined;
  const onIncident = !named && l.step.requiresEvidence ? await deps.evidence.listFor(l.incident.name) : [];
  const proof = evidenceCheck(l.step, named, onIncident);
  if (!proof.ok) return refuse(deps, who, responseAudit.complete, l, proof.reason, { evidenceId: input.evidenceId ?? null });

  const at = isoNow(deps);
  const by = displayName(who.actor);
  const changed = await changeStep(deps, l.incident.name, l.step.id, (step, state) => {
    const again = stepRefusal(step, 'complete', { phase: state.phase?.phase ?? 'detection', role: who.decision.role });
    if (again) return again;
    const fallback = enteredAt(state, step.phase) ?? state.plan?.assignedAt;
    return { ...step, status: 'done', by, note: input.note ?? step.note, evidence: proof.evidence, ...finished(step, at, fallback) };
  });
  if (!changed) return { ok: false, reason: 'The step is gone.', missing: true };
  if ('refused' in changed) return refuse(deps, who, responseAudit.complete, l, changed.refused);
  const { step } = changed;
  await auditResponse(deps.audit, who, {
    action: responseAudit.complete,
    outcome: 'succeeded',
    incident: l.incident,
    detail: { planId: step.planId, stepId: step.id, evidence: step.evidence, note: step.note ?? null, durationMs: step.durationMs ?? null },
  });
  const text = `Step '${step.title}' done by ${by}`;
  tell(deps, l.incident.name, `✓ ${text}${step.note ? `: ${step.note}` : ''}`);
  return { ok: true, text };
}

/** step.skip: a step left out, always with the reason. */
export async function skipStep(deps: StepDeps, who: ResponseActor, input: StepInput & { reason?: string }): Promise<StepOutcome> {
  const l = await locateStep(deps, input);
  if ('missing' in l) return { ok: false, reason: l.missing, missing: true };
  const reason = input.reason;
  const first = stepRefusal(l.step, 'skip', { phase: phaseOf(l), role: who.decision.role }) ?? (reason ? undefined : `skipping '${l.step.title}' needs a reason`);
  if (first) return refuse(deps, who, responseAudit.skip, l, first);
  if (l.step.status === 'skipped') return { ok: true, text: `Step '${l.step.title}' is already skipped` };
  const at = isoNow(deps);
  const by = displayName(who.actor);
  const changed = await changeStep(deps, l.incident.name, l.step.id, (step, state) => {
    const again = stepRefusal(step, 'skip', { phase: state.phase?.phase ?? 'detection', role: who.decision.role });
    if (again) return again;
    return { ...step, status: 'skipped', by, note: reason, doneAt: at };
  });
  if (!changed) return { ok: false, reason: 'The step is gone.', missing: true };
  if ('refused' in changed) return refuse(deps, who, responseAudit.skip, l, changed.refused);
  await auditResponse(deps.audit, who, { action: responseAudit.skip, outcome: 'succeeded', incident: l.incident, detail: { planId: l.step.planId, stepId: l.step.id, reason } });
  const text = `Step '${l.step.title}' skipped by ${by}`;
  tell(deps, l.incident.name, `⤼ ${text}: ${reason}`);
  return { ok: true, text };
}
