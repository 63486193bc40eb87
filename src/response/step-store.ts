import { ArgusError } from '../errors/catalog';
import type { Incident } from '../incidents/incident';
import type { IncidentRecord } from '../incidents/incident-repository';
import { ensureState, type AssignmentDeps } from './plan-assignment';
import type { ResponseState, StepState, Stored } from './response-store';

const maxAttempts = 5;

export type Located = { incident: Incident; state: ResponseState; step: Stored<StepState> };

/** Finds the incident, its state and the step a request names; the reason (and 404) when it cannot. */
export async function locateStep(
  deps: AssignmentDeps & { incidents: { get(id: string): Promise<IncidentRecord | undefined> } },
  input: { incidentId: string; planId: string; stepId: string },
): Promise<Located | { missing: string }> {
  const record = await deps.incidents.get(input.incidentId);
  if (!record) return { missing: 'Argus does not know this incident.' };
  const { state } = await ensureState(deps, record.incident);
  if (!state.plan || state.plan.planId !== input.planId) return { missing: `Incident #${record.incident.number} does not follow the plan '${input.planId.slice(0, 63)}'.` };
  const step = state.steps.find((s) => s.id === input.stepId);
  if (!step) return { missing: `The plan '${state.plan.title}' has no step '${input.stepId.slice(0, 63)}'.` };
  return { incident: record.incident, state, step };
}

/**
 * Changes one step row with etag concurrency: `change` sees the latest state and returns the new
 * step, a refusal (string), or undefined for nothing to do. Retries when another writer came first.
 */
export async function changeStep(
  deps: Pick<AssignmentDeps, 'store'>,
  incidentId: string,
  stepId: string,
  change: (step: StepState, state: ResponseState) => StepState | string | undefined,
): Promise<{ step: StepState; before: StepState } | { refused: string } | undefined> {
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const state = await deps.store.load(incidentId);
    const current = state.steps.find((s) => s.id === stepId);
    if (!current) return undefined;
    const { etag, ...before } = current;
    const next = change(before, state);
    if (next === undefined) return undefined;
    if (typeof next === 'string') return { refused: next };
    if (await deps.store.saveStep(incidentId, next, etag)) return { step: next, before };
  }
  throw new ArgusError('ARGUS_CONFLICT', `the plan step ${stepId} kept changing; try again`);
}
