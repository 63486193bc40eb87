import type { Role } from '../access/roles';
import type { Severity } from '../incidents/incident';
import type { CardNotice, NoticeStyle } from './views';

/** One playbook button on the incident card. */
export interface PlaybookOfferView {
  playbookId: string;
  /** The entity it acts on; absent for playbooks that act on the whole incident. */
  entityId?: string;
  /** e.g. "Isolate host FIN-WS-042". */
  label: string;
  needsApproval: boolean;
}

/** One run shown on the incident card: what, its status, who asked and approved, correlation id. */
export interface PlaybookRunView {
  /** e.g. "Isolate host · FIN-WS-042.corp.contoso.com". */
  title: string;
  /** e.g. "Awaiting approval", "Timed out: triggered, no confirmation". */
  status: string;
  tone: NoticeStyle;
  /** e.g. "Requested by Rui · approved by Ada · correlation id 6f1c…". */
  detail: string;
}

/** The playbooks section of the incident card. */
export interface PlaybooksSectionView {
  offers: PlaybookOfferView[];
  /** Newest first. */
  runs: PlaybookRunView[];
}

/** The approval card posted in the incident card's thread (and to approvers' personal chats). */
export interface ApprovalCardView {
  runId: string;
  incidentId: string;
  incidentNumber: number;
  incidentTitle: string;
  severity: Severity;
  playbookTitle: string;
  playbookDescription: string;
  /** What it acts on, e.g. "Host FIN-WS-042.corp.contoso.com"; absent for the whole incident. */
  entity?: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  approverRole: Role;
  correlationId: string;
  /** True while a decision is awaited: Approve and Reject are shown. */
  pending: boolean;
  /** The decision or end, e.g. "Approved by Ada Admin · Triggered". */
  outcome?: CardNotice;
  /** A message to the viewer, e.g. why they may not approve. */
  notice?: CardNotice;
}

/** One line of the `playbooks` command's card. */
export interface PlaybookListRowView {
  title: string;
  detail: string;
  /** A Run button (only with the card's incidentId). */
  action?: { label: string; playbookId: string; entityId?: string };
}

export interface PlaybookListCardView {
  title: string;
  subtitle?: string;
  /** The incident the buttons act on; without it the card only lists. */
  incidentId?: string;
  rows: PlaybookListRowView[];
}
