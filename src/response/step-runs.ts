import type { Phase } from './phases';
import { displayName, isoNow } from './plan-assignment';
import { auditResponse, responseAudit } from './response-audit';
import type { ResponseActor } from './response-ports';
import { tell, type StepDeps, type StepInput, type StepOutcome } from './step-actions';
import { finished, statusFromRuns, stepRefusal } from './step-rules';
import { changeStep, locateStep } from './step-store';

/**
 * Automated and approved steps run their playbook through the playbooks feature's own path: the
 * run is requested as if its button was pressed (roles, applicability, two-person approval and the
 * audit are the playbooks feature's), and the step follows the run's result.
 */
export async function runStep(deps: StepDeps, who: ResponseActor, input: StepInput, options: { automatic?: boolean } = {}): Promise<StepOutcome> {
  const l = await locateStep(deps, input);
  if ('missing' in l) return { ok: false, reason: l.missing, missing: true };
  const { incident, step } = l;
  const audit = (outcome: 'rejected' | 'succeeded', detail: Record<string, unknown>) =>
    auditResponse(deps.audit, who, { action: responseAudit.run, outcome, incident, detail: { planId: step.planId, stepId: step.id, playbookId: step.playbook ?? null, automatic: !!options.automatic, ...detail } });
  const refusal =
    stepRefusal(step, 'run', { phase: l.state.phase?.phase ?? 'detection', role: who.decision.role }) ??
    (deps.playbooks && step.playbook ? undefined : `'${step.title}' cannot run here: playbooks are not available`);
  if (refusal) {
    await audit('rejected', { reason: refusal });
    return { ok: false, reason: refusal };
  }
  const outcomes = (await deps.playbooks?.request(who, { incidentId: incident.name, playbookId: step.playbook ?? '' })) ?? [];
  const runIds = outcomes.flatMap((o) => (o.kind === 'started' || (o.kind === 'in-progress' && o.runId) ? [o.runId ?? ''] : []));
  const denied = outcomes.flatMap((o) => (o.kind === 'denied' ? [o.reason] : []));
  const at = isoNow(deps);
  const by = displayName(who.actor);
  if (runIds.length === 0) {
    const reason = `'${step.title}' was not started: ${denied[0] ?? 'no run could start'}`;
    // Started by a phase change, a refusal would go unseen: the step shows it as failed instead.
    if (options.automatic) await changeStep(deps, incident.name, step.id, (s) => (s.status === 'pending' ? { ...s, status: 'failed', by, note: reason, doneAt: at } : undefined));
    await audit('rejected', { reason });
    return { ok: false, reason };
  }
  const changed = await changeStep(deps, incident.name, step.id, (s, state) => {
    const again = stepRefusal(s, 'run', { phase: state.phase?.phase ?? 'detection', role: who.decision.role });
    if (again) return again;
    const note = denied.length ? `${denied.length} run(s) not started: ${denied[0]}` : undefined;
    return { ...s, status: 'running', by, startedAt: at, doneAt: undefined, durationMs: undefined, note, runIds: [...new Set(runIds)] };
  });
  if (changed && 'refused' in changed) return { ok: false, reason: changed.refused };
  const awaitingApproval = outcomes.some((o) => o.kind === 'started' && o.awaitingApproval);
  await audit('succeeded', { runIds, awaitingApproval, notStarted: denied });
  // A run may have ended before its id was stored with the step: settle from the runs as they are now.
  await settleStep(deps, incident.name, step.id);
  const text = `Step '${step.title}' ${awaitingApproval ? 'awaits approval of its playbook run' : 'started its playbook'} (${by})`;
  tell(deps, incident.name, `▶ ${text}`);
  return { ok: true, text };
}

/** Runs the automated steps of a phase just entered; returns the titles of those started. */
export async function startPhaseSteps(deps: StepDeps, who: ResponseActor, incidentId: string, phase: Phase): Promise<string[]> {
  const state = await deps.store.load(incidentId);
  const started: string[] = [];
  for (const step of state.steps.filter((s) => s.phase === phase && s.type === 'automated' && s.status === 'pending')) {
    try {
      const outcome = await runStep(deps, who, { incidentId, planId: step.planId, stepId: step.id }, { automatic: true });
      if (outcome.ok) started.push(step.title);
    } catch (err) {
      deps.logger.warn({ err, incident: incidentId, step: step.id }, 'automated step could not start; it stays pending');
    }
  }
  return started;
}

/** Handler of playbook.run.changed: the step that started the run follows its result. */
export async function followRun(deps: StepDeps, ref: { incidentName: string; runId: string }): Promise<void> {
  const state = await deps.store.load(ref.incidentName);
  const step = state.steps.find((s) => s.runIds.includes(ref.runId));
  if (step) await settleStep(deps, ref.incidentName, step.id);
}

/** Sets a running step done or failed once all its runs ended (idempotent). */
export async function settleStep(deps: StepDeps, incidentId: string, stepId: string): Promise<void> {
  const port = deps.playbooks;
  const step = (await deps.store.load(incidentId)).steps.find((s) => s.id === stepId);
  if (!port || !step || step.status !== 'running') return;
  const result = statusFromRuns(await Promise.all(step.runIds.map((runId) => port.state(incidentId, runId))));
  if (result.status === 'running') return;
  const at = isoNow(deps);
  const runs = step.runIds.join(',');
  const changed = await changeStep(deps, incidentId, stepId, (s) =>
    s.status === 'running' && s.runIds.join(',') === runs ? { ...s, status: result.status, note: result.note ?? s.note, ...finished(s, at, s.startedAt) } : undefined,
  );
  if (!changed || 'refused' in changed) return;
  const record = await deps.incidents.get(incidentId);
  const incident = record?.incident ?? { name: incidentId, number: 0 };
  await auditResponse(deps.audit, undefined, {
    action: responseAudit.run,
    outcome: result.status === 'done' ? 'succeeded' : 'failed',
    incident,
    detail: { planId: step.planId, stepId, runIds: step.runIds, status: result.status, note: result.note ?? null, durationMs: changed.step.durationMs ?? null },
  });
  tell(deps, incidentId, result.status === 'done' ? `✓ Step '${step.title}' done: its playbook succeeded` : `✗ Step '${step.title}' failed: ${result.note ?? 'its playbook failed'}`);
}
