import { ArgusError } from '../errors/catalog';
import type { Incident } from '../incidents/incident';
import { checkTransition, closingReasons, phaseTitles, sentinelStatusFor, type GatePolicy, type Phase } from './phases';
import { createState, displayName, ensureState, isoNow, moveText, phaseFacts, type AssignmentDeps } from './plan-assignment';
import { auditResponse, responseAudit } from './response-audit';
import type { CloseGate, IncidentStatePort, ResponseActor } from './response-ports';
import type { PhaseState, PostMortemStatus } from './response-store';
import type { StepDeps } from './step-actions';
import { startPhaseSteps } from './step-runs';

export interface PhaseDeps extends StepDeps {
  incidents: IncidentStatePort;
  gates: GatePolicy;
  postMortems: PostMortemStatus;
}

export type PhaseOutcome =
  | { kind: 'not-found' }
  | { kind: 'refused'; reasons: string[] }
  | { kind: 'changed'; from: Phase; to: Phase; started: string[] };

const maxAttempts = 5;
const stamp = (at: string) => `${at.slice(11, 16)} UTC`;

/**
 * incident.phase to any phase but closed (closing goes through `incident.close`, which asks the
 * close gate below): the gates of the phase table decide; a refusal is audited `rejected`, a move
 * `succeeded`, told in the card's thread, and mapped to Sentinel's status. Entering a phase starts
 * its automated steps.
 */
export async function changePhase(deps: PhaseDeps, who: ResponseActor, input: { incidentId: string; to: Phase; reason?: string }): Promise<PhaseOutcome> {
  const { to, reason } = input;
  // Closing sets Sentinel's classification: it goes through the incidents feature's close path.
  if (to === 'closed') return { kind: 'refused', reasons: ['closing goes through incident.close (it needs a classification)'] };
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const record = await deps.incidents.get(input.incidentId);
    if (!record) return { kind: 'not-found' };
    const { incident } = record;
    const { state } = await ensureState(deps, incident);
    const phase = state.phase;
    const from = phase?.phase ?? 'detection';
    const check = checkTransition(phaseFacts(incident, state), to, deps.gates, reason);
    if (!check.allowed || !phase) {
      const reasons = check.allowed ? ['the incident has no response state yet; try again'] : check.reasons;
      await auditResponse(deps.audit, who, { action: responseAudit.phase, outcome: 'rejected', incident, detail: { from, to, reasons, reason: reason ?? null } });
      return { kind: 'refused', reasons };
    }
    const at = isoNow(deps);
    const by = displayName(who.actor);
    const next: PhaseState = { phase: to, since: at, history: [...phase.history, { phase: to, at, by, ...(reason ? { reason } : {}) }] };
    if (!(await deps.store.savePhase(incident.name, next, phase.etag))) continue;
    await auditResponse(deps.audit, who, { action: responseAudit.phase, outcome: 'succeeded', incident, detail: { from, to, kind: check.kind, reason: reason ?? null } });
    const status = sentinelStatusFor(to);
    const line = `Phase ${moveText(from, to)} by ${by}${reason ? `: ${reason}` : ''}`;
    await deps.incidents.record(incident.name, { verb: responseAudit.phase, status: status !== incident.status ? status : undefined, summary: `${line} · ${stamp(at)}`, threadNote: line }, who);
    const started = check.kind === 'forward' ? await startPhaseSteps(deps, who, incident.name, to) : [];
    return { kind: 'changed', from, to, started };
  }
  throw new ArgusError('ARGUS_CONFLICT', `the phase of incident ${input.incidentId} kept changing; try again`);
}

/** The closing gate the incidents feature asks (incident.close, and incident.phase to closed). */
export function responseCloseGate(deps: Omit<PhaseDeps, 'incidents'>): CloseGate {
  return {
    async check(incident, classification) {
      const { state } = await ensureState(deps, incident);
      const postMortemComplete = deps.gates.postMortemFor.includes(incident.severity) ? await deps.postMortems.completed(incident.name) : false;
      return closingReasons(phaseFacts(incident, state, { classification, postMortemComplete }), deps.gates);
    },
    async closed(incident, verb, who) {
      await moveToClosed(deps, incident, who, verb);
    },
  };
}

async function moveToClosed(deps: Omit<PhaseDeps, 'incidents'>, incident: Incident, who: ResponseActor | undefined, via: string): Promise<boolean> {
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const { state } = await ensureState(deps, incident);
    const phase = state.phase;
    if (!phase || phase.phase === 'closed') return false;
    const at = isoNow(deps);
    const by = who ? displayName(who.actor) : 'Sentinel';
    const next: PhaseState = { phase: 'closed', since: at, history: [...phase.history, { phase: 'closed', at, by }] };
    if (!(await deps.store.savePhase(incident.name, next, phase.etag))) continue;
    await auditResponse(deps.audit, who, { action: responseAudit.phase, outcome: 'succeeded', incident, detail: { from: phase.phase, to: 'closed', kind: 'close', via } });
    return true;
  }
  return false;
}

/**
 * Handler of the Sentinel incident events, after the incident is stored: the first time, the
 * response state is made (phase, plan); later, a version that closed or reopened the incident
 * outside Argus moves the phase along (a closed incident shows no phase buttons). Only versions
 * newer than the last phase change count, so a delayed webhook cannot undo what a person just did
 * here. Says what it did: 'moved' needs the cards refreshed; 'created' does not, because every
 * card render makes the state itself when it is missing (a card is never drawn without it).
 */
export async function followIncident(deps: Omit<PhaseDeps, 'incidents'>, incident: Incident, options: { likelyNew?: boolean } = {}): Promise<'created' | 'moved' | undefined> {
  // Sentinel said "created": make the state first, read only if it was there.
  if (options.likelyNew && (await createState(deps, incident))) return 'created';
  // One point read on every version; the whole state is read only where a card or a gate needs it.
  const phase = await deps.store.loadPhase(incident.name);
  if (!phase) return (await createState(deps, incident)) ? 'created' : undefined;
  if (Date.parse(incident.lastModifiedTimeUtc) <= Date.parse(phase.since)) return undefined;
  if (incident.status === 'Closed' && phase.phase !== 'closed') return (await moveToClosed(deps, incident, undefined, 'sentinel')) ? 'moved' : undefined;
  if (incident.status === 'Closed' || phase.phase !== 'closed') return undefined;
  const to: Phase = 'investigation';
  const at = isoNow(deps);
  const next: PhaseState = { phase: to, since: at, history: [...phase.history, { phase: to, at, by: 'Sentinel', reason: 'reopened in Sentinel' }] };
  if (!(await deps.store.savePhase(incident.name, next, phase.etag))) return undefined;
  await auditResponse(deps.audit, undefined, { action: responseAudit.phase, outcome: 'succeeded', incident, detail: { from: 'closed', to, kind: 'back', via: 'sentinel' } });
  return 'moved';
}
