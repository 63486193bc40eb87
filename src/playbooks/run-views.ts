import type { ApprovalCardView, CardNotice, PlaybookRunView } from '../cards';
import { cardDateTime } from '../cards/text';
import type { Playbook, PlaybookRun } from './playbook';
import { statusText } from './playbook';
import { nameOf } from './run-context';

const tones: Record<PlaybookRun['status'], PlaybookRunView['tone']> = {
  'awaiting-approval': 'warning',
  requested: 'accent',
  triggering: 'accent',
  triggered: 'accent',
  running: 'accent',
  succeeded: 'good',
  failed: 'attention',
  'timed-out': 'warning',
  rejected: 'attention',
  expired: 'warning',
};

export function runTitle(run: PlaybookRun): string {
  return run.entity ? `${run.playbookTitle} · ${run.entity.displayName}` : `${run.playbookTitle} · whole incident`;
}

/** A run's line on the incident card: status, who asked, who approved, correlation id. */
export function runView(run: PlaybookRun): PlaybookRunView {
  const parts = [`${cardDateTime(run.requestedAt)} · requested by ${nameOf(run.requestedBy)}`];
  if (run.approvedBy) parts.push(`approved by ${nameOf(run.approvedBy)}`);
  else if (run.rejectedBy) parts.push(`${run.rejection === 'withdrawn' ? 'withdrawn' : 'rejected'} by ${nameOf(run.rejectedBy)}`);
  else if (run.status === 'awaiting-approval' && run.approval) parts.push(`needs ${run.approval.approverRole} approval by ${cardDateTime(run.approval.expiresAt)}`);
  parts.push(`correlation id ${run.correlationId}`);
  return { title: runTitle(run), status: statusText(run), tone: tones[run.status], detail: parts.join(' · ') };
}

function outcomeOf(run: PlaybookRun): CardNotice | undefined {
  if (run.status === 'awaiting-approval') return undefined;
  if (run.status === 'rejected')
    return { text: `${run.rejection === 'withdrawn' ? 'Withdrawn' : 'Rejected'} by ${nameOf(run.rejectedBy)}`, style: 'attention' };
  if (run.status === 'expired') return { text: 'Expired: nobody decided in time. Nothing was run.', style: 'warning' };
  const style = run.status === 'succeeded' ? 'good' : run.status === 'failed' || run.status === 'timed-out' ? 'attention' : 'accent';
  return { text: `Approved by ${nameOf(run.approvedBy)} · ${statusText(run)}`, style };
}

/** The approval card of a run, pending or decided. */
export function approvalView(run: PlaybookRun, playbook: Playbook | undefined, notice?: CardNotice): ApprovalCardView {
  return {
    runId: run.runId,
    incidentId: run.incidentName,
    incidentNumber: run.incidentNumber,
    incidentTitle: run.incidentTitle,
    severity: run.severity,
    playbookTitle: run.playbookTitle,
    playbookDescription: playbook?.definition.description ?? '',
    entity: run.entity ? `${run.entity.kind} ${run.entity.displayName}` : undefined,
    requestedBy: nameOf(run.requestedBy),
    requestedAt: run.requestedAt,
    expiresAt: run.approval?.expiresAt ?? run.requestedAt,
    approverRole: run.approval?.approverRole ?? 'admin',
    correlationId: run.correlationId,
    pending: run.status === 'awaiting-approval',
    outcome: outcomeOf(run),
    notice,
  };
}

/** The reply under the incident card when a run moves on (none while it waits or starts). */
export function threadNote(run: PlaybookRun): string | undefined {
  const who = `requested by ${nameOf(run.requestedBy)}${run.approvedBy ? `, approved by ${nameOf(run.approvedBy)}` : ''}`;
  const icon = { triggered: '▶️', running: '⏳', succeeded: '✅', failed: '❌', 'timed-out': '⏱️', rejected: '🚫', expired: '⌛' } as const;
  if (!(run.status in icon)) return undefined;
  return `${icon[run.status as keyof typeof icon]} Playbook ${runTitle(run)}: ${statusText(run)} (${who}; correlation id ${run.correlationId})`;
}
