import type { PlaybookRunReportPayload } from '../events/event-map';
import { describeDuration } from './duration';
import { isFinal, statusLabels, type PlaybookRun, type RunStatus } from './playbook';
import { announce, auditRun, playbookAudit, queueTrigger, type RunDeps } from './run-context';
import type { StoredRun } from './run-store';

const startable: readonly RunStatus[] = ['requested', 'triggering'];
const started: readonly RunStatus[] = ['requested', 'triggering', 'triggered', 'running'];
/** A cleared run not started after this long is queued again (its first queueing may have been lost). */
const requeueAfterMs = 30_000;
/** A lock whose run was never stored (a crash between the two writes) is dropped after this long. */
const orphanLockMs = 60_000;

const clock = (deps: Pick<RunDeps, 'now'>) => deps.now?.() ?? Date.now();

/** Ends a run in a final status (once), frees its lock, audits it and updates its cards. */
async function finish(
  deps: RunDeps,
  run: Pick<PlaybookRun, 'incidentName' | 'runId'>,
  change: (r: PlaybookRun) => PlaybookRun | undefined,
  audit: { action: string; outcome: 'succeeded' | 'failed'; detail?: Record<string, unknown> },
): Promise<PlaybookRun | undefined> {
  const res = await deps.runs.update(run.incidentName, run.runId, change);
  if (!res) return undefined;
  if (isFinal(res.after.status)) await deps.runs.release(res.after);
  await auditRun(deps, { ...audit, run: res.after, actor: res.after.requestedBy, detail: { status: res.after.status, message: res.after.message ?? null, approvedBy: res.after.approvedBy?.aadObjectId ?? null, ...audit.detail } });
  await announce(deps, res.after);
  return res.after;
}

/** Instances' clocks differ a little: a deadline the sweeper found due is honoured this much early. */
const graceMs = 5_000;

/** Approval window over: awaiting-approval → expired. */
export async function expireRun(deps: RunDeps, incidentName: string, runId: string, grace = 0): Promise<PlaybookRun | undefined> {
  const now = clock(deps) + grace;
  return finish(
    deps,
    { incidentName, runId },
    (r) =>
      r.status === 'awaiting-approval' && r.approval && Date.parse(r.approval.expiresAt) <= now
        ? { ...r, status: 'expired', finishedAt: new Date(clock(deps)).toISOString(), message: 'no decision in time' }
        : undefined,
    { action: playbookAudit.expired, outcome: 'failed' },
  );
}

function failRun(deps: RunDeps, run: PlaybookRun, reason: string, from: readonly RunStatus[]): Promise<PlaybookRun | undefined> {
  const at = new Date(clock(deps)).toISOString();
  return finish(deps, run, (r) => (from.includes(r.status) ? { ...r, status: 'failed', finishedAt: at, message: reason.slice(0, 1000) } : undefined), {
    action: playbookAudit.failed,
    outcome: 'failed',
    detail: { stage: 'trigger' },
  });
}

/** Handler of playbook.run.requested: starts a cleared run on its target. */
export async function triggerRun(deps: RunDeps, ref: { incidentName: string; runId: string }): Promise<void> {
  const stored = await deps.runs.get(ref.incidentName, ref.runId);
  if (!stored || !startable.includes(stored.run.status)) return;
  const run = stored.run;
  // A run left in `triggering` means an earlier attempt stopped mid-call. Sentinel cannot tell a
  // repeat from a new run, so that one is failed rather than risk a second run; an HTTP target
  // gets the same runId again and can recognise it.
  if (run.status === 'triggering' && run.target === 'sentinel') {
    await failRun(deps, run, 'Argus was interrupted while starting it; check the Logic App run history before running it again.', ['triggering']);
    return;
  }
  const playbook = deps.catalog.get(run.playbookId);
  if (!playbook) return void (await failRun(deps, run, 'The playbook is no longer in the catalog.', startable));
  const record = await deps.incidents.get(run.incidentName);
  if (!record) return void (await failRun(deps, run, 'Argus no longer knows the incident.', startable));
  const marked = await deps.runs.update(run.incidentName, run.runId, (r) => (startable.includes(r.status) ? { ...r, status: 'triggering', attempts: r.attempts + 1 } : undefined));
  if (!marked) return;
  const outcome = await deps.runner.trigger({ run: marked.after, playbook, incident: record.incident, callbackUrl: deps.callbackUrl });
  if (!outcome.ok) {
    await failRun(deps, marked.after, outcome.reason, ['triggering']);
    return;
  }
  const at = new Date(clock(deps)).toISOString();
  // A quick Logic App may already have reported back: then the run stays as it reported.
  const res = await deps.runs.update(run.incidentName, run.runId, (r) => (r.status === 'triggering' ? { ...r, status: 'triggered', triggeredAt: at } : undefined));
  const after = res?.after ?? (await deps.runs.get(run.incidentName, run.runId))?.run ?? marked.after;
  await auditRun(deps, { action: playbookAudit.triggered, outcome: 'succeeded', run: after, actor: after.requestedBy, detail: { target: after.target, result: outcome.detail, approvedBy: after.approvedBy?.aadObjectId ?? null } });
  if (res) await announce(deps, after);
}

function timeoutMessage(deps: RunDeps, r: PlaybookRun): string {
  if (r.status === 'triggered' && r.target === 'sentinel') return 'triggered, no confirmation';
  const ms = deps.catalog.get(r.playbookId)?.timeoutMs;
  const within = ms ? ` within ${describeDuration(ms)}` : '';
  return r.status === 'requested' || r.status === 'triggering' ? `not started${within}` : `no result${within}`;
}

/** Handler of playbook.run.deadline: expires an approval or times a run out, if still due. */
export async function checkDeadline(deps: RunDeps, ref: { incidentName: string; runId: string }): Promise<void> {
  const stored = await deps.runs.get(ref.incidentName, ref.runId);
  if (!stored) return;
  if (isFinal(stored.run.status)) return void (await deps.runs.release(stored.run));
  if (stored.run.status === 'awaiting-approval') return void (await expireRun(deps, ref.incidentName, ref.runId, graceMs));
  const now = clock(deps) + graceMs;
  await finish(
    deps,
    ref,
    (r) =>
      started.includes(r.status) && r.deadlineAt && Date.parse(r.deadlineAt) <= now
        ? { ...r, status: 'timed-out', finishedAt: new Date(clock(deps)).toISOString(), message: timeoutMessage(deps, r) }
        : undefined,
    { action: playbookAudit.timedOut, outcome: 'failed' },
  );
}

/** The run a report is about: by runId, else the active (or latest) run of that playbook on that incident. */
async function findReported(deps: RunDeps, p: PlaybookRunReportPayload): Promise<StoredRun | 'ambiguous' | undefined> {
  if (p.runId) return deps.runs.findById(p.runId);
  if (!p.incidentName || !p.playbookId) return undefined;
  const runs = (await deps.runs.listForIncident(p.incidentName, 200)).filter((s) => s.run.playbookId === p.playbookId);
  const active = runs.filter((s) => started.includes(s.run.status));
  if (active.length > 1) return 'ambiguous';
  return active[0] ?? runs.find((s) => s.run.status === 'timed-out' || s.run.status === p.status);
}

const auditFor = { running: playbookAudit.running, succeeded: playbookAudit.succeeded, failed: playbookAudit.failed } as const;

/** Handler of playbook.run.reported: a Logic App says the run is running, succeeded or failed. */
export async function reportRun(deps: RunDeps, p: PlaybookRunReportPayload, correlationId: string): Promise<void> {
  const found = await findReported(deps, p);
  const reject = async (reason: string, run?: PlaybookRun) => {
    const ref = run ?? { runId: p.runId ?? '', playbookId: p.playbookId ?? '', incidentName: p.incidentName ?? '', incidentNumber: 0, correlationId };
    await auditRun(deps, { action: playbookAudit.reportRejected, outcome: 'rejected', run: ref, detail: { reason, reported: p.status, reportCorrelationId: correlationId } });
    deps.logger.warn({ runId: ref.runId, playbook: ref.playbookId, reason }, 'playbook report ignored');
  };
  if (found === 'ambiguous') return reject('several runs of this playbook are in progress on the incident: report the runId');
  if (!found) return reject('no such run');
  const run = found.run;
  if (p.playbookId && p.playbookId !== run.playbookId) return reject(`the run is of playbook ${run.playbookId}`, run);
  const now = clock(deps);
  const at = new Date(now).toISOString();
  const message = p.message?.slice(0, 2000);
  const res = await deps.runs.update(run.incidentName, run.runId, (r) => {
    if (p.status === 'running') return startable.includes(r.status) || r.status === 'triggered' ? { ...r, status: 'running', message: message ?? r.message } : undefined;
    if (started.includes(r.status)) return { ...r, status: p.status, finishedAt: at, message, output: p.output };
    // The result came after Argus gave up waiting: the truth wins, and says it was late.
    if (r.status === 'timed-out') return { ...r, status: p.status, finishedAt: at, message: `${message ?? statusLabels[p.status]} (reported after the timeout)`, output: p.output };
    return undefined;
  });
  if (!res) {
    const current = (await deps.runs.get(run.incidentName, run.runId))?.run ?? run;
    // A repeated final report is no news; anything else (a report for a run never started) is suspicious.
    if (current.status !== p.status) await reject(`the run is ${current.status}`, current);
    return;
  }
  if (isFinal(res.after.status)) await deps.runs.release(res.after);
  await auditRun(deps, {
    action: auditFor[p.status],
    outcome: p.status === 'failed' ? 'failed' : 'succeeded',
    run: res.after,
    actor: res.after.requestedBy,
    detail: { status: res.after.status, message: message ?? null, reportCorrelationId: correlationId, approvedBy: res.after.approvedBy?.aadObjectId ?? null },
  });
  await announce(deps, res.after);
}

/**
 * One pass of the deadline sweeper over the runs holding a lock: due deadlines become
 * playbook.run.deadline events (keyed, so several instances sweeping agree), cleared runs that
 * never started are queued again, and locks left behind are freed.
 */
export async function sweepRuns(deps: RunDeps): Promise<void> {
  const now = clock(deps);
  for (const ref of await deps.runs.listActive()) {
    const stored = await deps.runs.get(ref.incidentName, ref.runId);
    if (!stored) {
      if (now - Date.parse(ref.createdAt) > orphanLockMs) await deps.runs.dropOrphanLock(ref);
      continue;
    }
    const run = stored.run;
    if (isFinal(run.status)) await deps.runs.release(run);
    else if (run.deadlineAt && Date.parse(run.deadlineAt) <= now)
      await deps.intake.accept({
        name: 'playbook.run.deadline',
        source: 'playbooks',
        idempotencyKey: `deadline|${run.runId}|${run.status}|${run.deadlineAt}`,
        correlationId: run.correlationId,
        payload: { runId: run.runId, incidentName: run.incidentName, status: run.status },
      });
    else if (run.status === 'requested' && run.startedAt && now - Date.parse(run.startedAt) > requeueAfterMs) await queueTrigger(deps, run);
  }
}
