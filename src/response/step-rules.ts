import { roleAtLeast, type Role } from '../access/roles';
import type { EvidenceSummary } from './evidence-port';
import type { Phase, StepStatus } from './phases';
import type { RunState } from './response-ports';
import type { StepState } from './response-store';

/**
 * The rules of plan steps as pure functions: whether a person may complete, skip or run a step,
 * and what a step's status is once its playbook runs report. The card offers what these allow and
 * the server asks them again on every click.
 */

export type StepVerb = 'complete' | 'skip' | 'run';

/** Why `verb` may not be done on `step` now (undefined: it may). */
export function stepRefusal(step: StepState, verb: StepVerb, context: { phase: Phase; role: Role | undefined }): string | undefined {
  if (context.phase === 'closed') return 'the incident is closed';
  if (!roleAtLeast(context.role, step.requiredRole))
    return `'${step.title}' needs the ${step.requiredRole} role; ${context.role ? `your role is ${context.role}` : 'you have no Argus role'}`;
  if (step.status === 'done') return `'${step.title}' is already done`;
  if (step.status === 'running') return `'${step.title}' is running (its playbook has not finished)`;
  if (verb === 'run' && step.type === 'manual') return `'${step.title}' is a manual step: mark it done instead`;
  if (verb === 'run' && step.status === 'skipped') return `'${step.title}' was skipped`;
  return undefined;
}

/**
 * Whether a manual step requiring evidence may complete: the named item must be registered on the
 * incident, or, with none named, at least one item. Returns the evidence ids to record, or the refusal.
 */
export function evidenceCheck(
  step: Pick<StepState, 'requiresEvidence' | 'title'>,
  named: { id: string; found?: EvidenceSummary } | undefined,
  onIncident: readonly EvidenceSummary[],
): { ok: true; evidence: string[] } | { ok: false; reason: string } {
  if (named) {
    if (!named.found) return { ok: false, reason: `evidence ${named.id} is not registered on this incident` };
    return { ok: true, evidence: [named.found.evidenceId] };
  }
  if (!step.requiresEvidence) return { ok: true, evidence: [] };
  const latest = onIncident[onIncident.length - 1];
  if (!latest) return { ok: false, reason: `'${step.title}' needs evidence: register it on the incident first (argus evidence add)` };
  return { ok: true, evidence: [latest.evidenceId] };
}

/** A step done by hand that should have run a playbook says how it was done. */
export function noteRefusal(step: Pick<StepState, 'type' | 'title'>, note: string | undefined): string | undefined {
  return step.type !== 'manual' && !note ? `'${step.title}' runs a playbook: to mark it done by hand, say how in a note` : undefined;
}

/**
 * A step's status from its runs: running while any is under way (or unknown yet), done when all
 * succeeded, failed when any ended otherwise (with that run's reason).
 */
export function statusFromRuns(runs: ReadonlyArray<{ state: RunState; label: string; message?: string } | undefined>): { status: StepStatus; note?: string } {
  if (runs.length === 0 || runs.some((r) => !r || r.state === 'active')) return { status: 'running' };
  const bad = runs.find((r) => r?.state === 'failed');
  if (bad) return { status: 'failed', note: bad.message ? `${bad.label}: ${bad.message}` : bad.label };
  return { status: 'done' };
}

/** Fills in when a step finished and how long it took, from when it started (or its phase began). */
export function finished(step: StepState, at: string, startedFallback: string | undefined): Pick<StepState, 'doneAt' | 'startedAt' | 'durationMs'> {
  const startedAt = step.startedAt ?? startedFallback;
  const duration = startedAt ? Date.parse(at) - Date.parse(startedAt) : undefined;
  return { doneAt: at, startedAt, durationMs: duration !== undefined && Number.isFinite(duration) && duration >= 0 ? duration : undefined };
}
