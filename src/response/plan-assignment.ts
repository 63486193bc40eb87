import type { AuditLog } from '../audit/audit-log';
import type { Incident } from '../incidents/incident';
import { phaseForSentinelStatus, phaseTitles, type PhaseFacts, type Phase } from './phases';
import type { PlanCatalog } from './plan-catalog';
import { auditResponse, responseAudit } from './response-audit';
import { stepsOf, type ResponseState, type ResponseStore } from './response-store';

export interface AssignmentDeps {
  store: ResponseStore;
  plans: PlanCatalog;
  audit: AuditLog;
  now?: () => number;
}

export const isoNow = (deps: Pick<AssignmentDeps, 'now'>): string => new Date(deps.now?.() ?? Date.now()).toISOString();

/** Who a person is in notes and rows: their name, else their object id. */
export function displayName(actor: { name?: string; aadObjectId?: string }): string {
  return actor.name ?? actor.aadObjectId ?? 'someone';
}

/**
 * The incident's response state, made when missing: the phase Sentinel's status implies, and the
 * best-matching plan with every step pending. Idempotent: two instances racing create it once.
 */
export async function ensureState(deps: AssignmentDeps, incident: Incident): Promise<{ state: ResponseState; created: boolean }> {
  const state = await deps.store.load(incident.name);
  if (state.phase) return { state, created: false };
  const created = await createState(deps, incident);
  return { state: await deps.store.load(incident.name), created };
}

/**
 * Makes the state on first sight: the phase Sentinel's status implies and the best-matching plan
 * (matched once: a later version of the incident does not change the plan), in one transaction.
 * False when it was there already.
 */
export async function createState(deps: AssignmentDeps, incident: Incident): Promise<boolean> {
  const at = isoNow(deps);
  const phase = phaseForSentinelStatus(incident.status);
  const match = deps.plans.select(incident);
  const plan = match ? { plan: { planId: match.plan.id, title: match.plan.title, assignedAt: at }, steps: stepsOf(match.plan.id, match.plan.steps) } : undefined;
  const created = await deps.store.create(incident.name, { phase, since: at, history: [{ phase, at, by: 'Argus' }] }, plan);
  if (created && match)
    await auditResponse(deps.audit, undefined, {
      action: responseAudit.planAssigned,
      outcome: 'succeeded',
      incident,
      detail: { planId: match.plan.id, specificity: match.specificity, steps: match.plan.steps.length },
    });
  return created;
}

/** The phase an incident is in (detection when no state was made yet). */
export function currentPhase(state: ResponseState): Phase {
  return state.phase?.phase ?? 'detection';
}

/** When the incident last entered `phase` (undefined if it never did). */
export function enteredAt(state: ResponseState, phase: Phase): string | undefined {
  return [...(state.phase?.history ?? [])].reverse().find((e) => e.phase === phase)?.at;
}

export function ownerOf(incident: Incident): string | undefined {
  const o = incident.owner;
  return o?.assignedTo || o?.userPrincipalName || o?.email || o?.objectId || undefined;
}

/** What the gates look at. */
export function phaseFacts(incident: Incident, state: ResponseState, extra: { classification?: string; postMortemComplete?: boolean } = {}): PhaseFacts {
  return {
    phase: currentPhase(state),
    severity: incident.severity,
    owner: ownerOf(incident),
    classification: extra.classification ?? incident.classification,
    steps: state.steps.map((s) => ({ id: s.id, title: s.title, phase: s.phase, status: s.status })),
    postMortemComplete: extra.postMortemComplete ?? false,
  };
}

/** A phase move as a short line, e.g. "Investigation → Containment". */
export function moveText(from: Phase, to: Phase): string {
  return `${phaseTitles[from]} → ${phaseTitles[to]}`;
}
