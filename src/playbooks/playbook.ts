import type { Role } from '../access/roles';
import type { Severity } from '../incidents/incident';
import type { PlaybookDefinition } from './playbook-schema';

/** A catalog entry: the definition as written, plus what start-up resolved about it. */
export interface Playbook {
  definition: PlaybookDefinition;
  /** The file it came from (for messages). */
  file: string;
  /** Resolved target: the Logic App resource id (placeholders filled) or the URL secret's name. */
  target: { type: 'sentinel'; logicAppResourceId: string } | { type: 'http'; urlSecret: string };
  /** Why it cannot run here (e.g. Sentinel is not configured); undefined when it can. */
  unavailable?: string;
  timeoutMs: number;
  /** Present when a second person must approve each run. */
  approval?: { approverRole: Role; expiresAfterMs: number };
}

/**
 * Sentinel's runPlaybook hands the Logic App the incident, not one entity: such a playbook acts on
 * every `actsOn` entity of the incident, so it is offered once per incident. An HTTP-triggered one
 * receives the chosen entity and is offered once per entity.
 */
export function runsPerEntity(playbook: Playbook): boolean {
  return playbook.target.type === 'http';
}

export const runStatuses = [
  'awaiting-approval',
  'requested',
  'triggering',
  'triggered',
  'running',
  'succeeded',
  'failed',
  'timed-out',
  'rejected',
  'expired',
] as const;
export type RunStatus = (typeof runStatuses)[number];

export const finalStatuses: readonly RunStatus[] = ['succeeded', 'failed', 'timed-out', 'rejected', 'expired'];

export function isFinal(status: RunStatus): boolean {
  return finalStatuses.includes(status);
}

/** How a rejected run was decided: by an approver, or taken back by the one who requested it. */
export const runRejections = ['rejected', 'withdrawn'] as const;
export type RunRejection = (typeof runRejections)[number];

/** Who asked or decided (as Teams identified them). */
export interface RunActor {
  aadObjectId?: string;
  name?: string;
  tenantId?: string;
  /** Teams user id (29:…), for refresh.userIds. */
  teamsUserId?: string;
}

export interface RunEntity {
  kind: string;
  id: string;
  displayName: string;
}

/** One run of a playbook on an incident (table ArgusPlaybookRuns). */
export interface PlaybookRun {
  runId: string;
  playbookId: string;
  /** Kept with the run, so the card reads well even if the catalog changes. */
  playbookTitle: string;
  incidentName: string;
  incidentNumber: number;
  /** Kept for the approval card, which is read away from the incident card. */
  incidentTitle: string;
  severity: Severity;
  /** The entity acted on (HTTP targets); absent for per-incident (Sentinel) runs. */
  entity?: RunEntity;
  target: 'sentinel' | 'http';
  status: RunStatus;
  requestedBy: RunActor;
  requestedAt: string;
  approval?: { approverRole: Role; expiresAt: string };
  approvedBy?: RunActor & { at: string };
  rejectedBy?: RunActor & { at: string };
  /** Set with `rejectedBy` (run-store.ts fills it in for runs stored before it existed). */
  rejection?: RunRejection;
  /** When it was cleared to start (at once, or when approved). */
  startedAt?: string;
  /** The current deadline: the approval's expiry, then the run's timeout. */
  deadlineAt?: string;
  triggeredAt?: string;
  finishedAt?: string;
  /** The reason of a failure, or the Logic App's message. */
  message?: string;
  output?: unknown;
  /** Trigger attempts (one per event run; HTTP retries inside one attempt are not counted). */
  attempts: number;
  correlationId: string;
  /** Approval cards sent, to update them in place once decided. */
  approvalCards: { conversationId: string; activityId: string }[];
}

export const statusLabels: Record<RunStatus, string> = {
  'awaiting-approval': 'Awaiting approval',
  requested: 'Requested',
  triggering: 'Starting',
  triggered: 'Triggered',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  'timed-out': 'Timed out',
  rejected: 'Rejected',
  expired: 'Approval expired',
};

/** What the run's status line says, e.g. "Timed out (triggered, no confirmation)". */
export function statusText(run: Pick<PlaybookRun, 'status' | 'message'>): string {
  const label = statusLabels[run.status];
  return run.message ? `${label}: ${run.message}` : label;
}
