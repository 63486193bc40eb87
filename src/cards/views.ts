import type { Role } from '../access/roles';
import type { Incident } from '../incidents/incident';
import type { EvidenceSectionView } from './evidence-section';
import type { ClocksSectionView } from './clock-section';
import type { PlaybooksSectionView } from './playbook-views';
import type { ResponseSectionView } from './response-views';
import type { InvestigateSectionView } from './investigate-section';
import type { TicketSectionView } from './ticket-views';
import type { EscalatedAlertsView } from './escalation-section';
import type { ImpactSectionView } from './impact-section';
import type { TimelineSectionView } from './timeline-section';
import type { PostMortemSectionView, ReportActionView } from './postmortem-section';

/** Container styles Adaptive Cards know; notices and notice cards use them. */
export const noticeStyles = ['good', 'attention', 'warning', 'accent', 'default'] as const;
export type NoticeStyle = (typeof noticeStyles)[number];

export interface CardNotice {
  /** Plain text, e.g. "Acknowledged by Ana Silva · 10:02 UTC". */
  text: string;
  style?: NoticeStyle;
}

/**
 * The live incident card. Later features add optional fields here (e.g. `ticket?`, `playbooks?`),
 * each drawn by its own section in cards/incident.json, so existing callers keep compiling.
 */
export interface IncidentCardView {
  incident: Incident;
  /** False when Sentinel is not configured: the card says changes are kept in Argus only. */
  sentinelConnected: boolean;
  /** False for a read-only viewer: every button but Refresh is hidden. */
  showActions: boolean;
  notice?: CardNotice;
  /** Teams user ids (29:…) that get a user-specific refresh; at most 60 are used. */
  refreshUserIds?: string[];
  /** Playbook buttons and runs (drawn by section-playbooks). */
  playbooks?: PlaybooksSectionView;
  /** The linked ITSM ticket, or the Create ticket button (drawn by section-ticket). */
  ticket?: TicketSectionView;
  /** The alerts triage escalated into this incident (drawn by section-escalation). */
  escalatedAlerts?: EscalatedAlertsView;
  /** Investigate menus: queries per entity (drawn by section-investigate). */
  investigate?: InvestigateSectionView;
  /** The response phase, plan and the current phase's steps (drawn by section-response). */
  response?: ResponseSectionView;
  /** Compliance clocks: milestones due, Done, start a clock (drawn by section-clocks). */
  clocks?: ClocksSectionView;
  /** Evidence registered on the incident and the Add evidence form (drawn by section-evidence). */
  evidence?: EvidenceSectionView;
  /** The impact assessment, its form and the compliance clocks it offers (drawn by section-impact). */
  impact?: ImpactSectionView;
  /** The ATT&CK chain and the latest timeline entries, for the viewer who asked (drawn by section-timeline). */
  timeline?: TimelineSectionView;
  /** The post-mortem: its form in Post-incident, read-only once completed (drawn by section-postmortem). */
  postMortem?: PostMortemSectionView;
  /** The Report… action: a signed link to a report for any audience. */
  reports?: ReportActionView;
  /** Reserved: sections are added as named optional fields, never as free-form blocks. */
  extraSections?: never;
}

export interface IncidentListCardView {
  title: string;
  incidents: Incident[];
  /** How many incidents matched in all; rows not shown are summarised as "+N more". */
  total: number;
}

export interface HelpCommandView {
  name: string;
  usage: string;
  summary: string;
  /** The least role that may run the command (`any user`: everyone of the organisation, no role needed). */
  role: Role | 'any user';
}

export interface HelpCardView {
  commands: HelpCommandView[];
}

export interface WhoAmICardView {
  name: string;
  tenantId: string;
  /** Effective role; absent when the user may do nothing. */
  role?: Role;
  roles: Role[];
  /** How the role was decided (Entra group ids, federation entries): set for admins only. */
  details?: WhoAmIDetails;
}

export interface WhoAmIDetails {
  aadObjectId: string;
  federated: boolean;
  reasons: string[];
}

export interface NoticeCardView {
  title: string;
  text: string;
  style: NoticeStyle;
}

/** An Adaptive Card ready to attach as `application/vnd.microsoft.card.adaptive`. */
export type AdaptiveCardJson = Record<string, unknown>;

export interface RenderOptions {
  /** Size limit in bytes of the serialized card; defaults to MAX_CARD_BYTES. */
  maxBytes?: number;
}
