import type { Incident, IncidentOwner } from '../incidents/incident';
import { groupEntities, type EntityFact } from './entity-groups';
import { buildEscalationSection, type EscalationSectionData } from './escalation-section';
import { buildEvidenceSection, type EvidenceSectionData } from './evidence-section';
import { buildInvestigateSection, type InvestigateSectionData } from './investigate-section';
import { buildPlaybookSection, type PlaybookSectionData } from './playbook-section';
import { buildResponseSection, type ResponseSectionData } from './response-section';
import { atLevel } from './size-guard';
import { buildTicketSection, type TicketSectionData } from './ticket-section';
import { buildClockSection, type ClockSectionData } from './clock-section';
import { buildImpactSection, type ImpactSectionData } from './impact-section';
import { buildPostMortemSection, buildReportAction, type PostMortemSectionData, type ReportActionData } from './postmortem-section';
import { buildTimelineSection, type TimelineSectionData } from './timeline-section';
import { cardDateTime, humanizeIdentifier, joinLimited, plain, severityColors, statusColors, type TextColor } from './text';
import type { IncidentCardView, NoticeStyle } from './views';

/** Teams honours at most 60 user ids in `refresh.userIds`. */
export const MAX_REFRESH_USER_IDS = 60;

/** Truncation budgets per size level; level 0 is what a person should normally see. */
const budgets = {
  namesPerKind: [10, 6, 3, 2, 1, 0],
  maxKinds: [12, 10, 8, 6, 4, 2],
  nameLength: [120, 100, 80, 60, 48, 32],
  listItems: [20, 12, 8, 5, 3, 1],
  titleLength: [256, 256, 200, 160, 120, 80],
  descriptionLength: [600, 400, 240, 120, 0, 0],
  noticeLength: [400, 300, 200, 160, 120, 100],
} as const;
export const INCIDENT_CARD_LEVELS = budgets.namesPerKind.length;

interface Badge {
  label: string;
  value: string;
  color: TextColor;
}

/** Exactly the fields cards/incident.json binds to; every one is always present. */
export interface IncidentCardData {
  incidentId: string;
  fallbackText: string;
  refresh: { enabled: boolean; userIds: string[] };
  header: { eyebrow: string; title: string; badges: Badge[] };
  notice: { enabled: boolean; text: string; style: NoticeStyle };
  sentinel: { disconnected: boolean; text: string };
  description: { enabled: boolean; text: string };
  facts: EntityFact[];
  entities: { enabled: boolean; heading: string; groups: EntityFact[] };
  footer: { updated: string };
  actions: { acknowledge: boolean; assign: boolean; severity: boolean; close: boolean; comment: boolean };
  forms: { severity: string };
  playbooks: PlaybookSectionData;
  ticket: TicketSectionData;
  investigate: InvestigateSectionData;
  response: ResponseSectionData;
  escalation: EscalationSectionData;
  clocks: ClockSectionData;
  evidence: EvidenceSectionData;
  impact: ImpactSectionData;
  timeline: TimelineSectionData;
  postmortem: PostMortemSectionData;
  report: ReportActionData;
}

export function ownerName(owner: IncidentOwner | undefined): string | undefined {
  return owner?.assignedTo || owner?.userPrincipalName || owner?.email || undefined;
}

/** A link target for markdown: https only, with parentheses encoded so the link cannot end early. */
export function safeLinkTarget(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:') return undefined;
    return parsed.href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
  } catch {
    return undefined;
  }
}

function listFact(title: string, items: readonly string[], limit: number, itemLength: number): EntityFact[] {
  if (items.length === 0) return [];
  return [{ title, value: joinLimited(items, limit, (item) => plain(item, itemLength)) }];
}

function classificationText(incident: Incident, length: number): string | undefined {
  if (!incident.classification) return undefined;
  const parts = [humanizeIdentifier(incident.classification)];
  if (incident.classificationReason) parts.push(humanizeIdentifier(incident.classificationReason));
  const comment = plain(incident.classificationComment, length);
  return comment ? `${parts.join(' · ')}: ${comment}` : parts.join(' · ');
}

export function buildIncidentCardData(view: IncidentCardView, level: number): IncidentCardData {
  const { incident } = view;
  const at = <K extends keyof typeof budgets>(key: K): number => atLevel(budgets[key], level);
  const open = incident.status !== 'Closed';
  const can = view.showActions;
  const numberText = `Incident #${incident.number}`;
  const link = safeLinkTarget(incident.portalUrl);
  const source = view.sentinelConnected ? 'Microsoft Sentinel' : 'Argus';
  const owner = ownerName(incident.owner);
  const listLength = at('nameLength');

  const facts: EntityFact[] = [
    {
      title: 'Alerts',
      value: incident.alertProducts.length
        ? `${incident.alertCount} · ${joinLimited(incident.alertProducts, at('listItems'), (p) => plain(p, listLength))}`
        : String(incident.alertCount),
    },
    ...listFact('Tactics', incident.tactics.map(humanizeIdentifier), at('listItems'), listLength),
    ...listFact('Techniques', incident.techniques, at('listItems'), listLength),
    ...listFact('Labels', incident.labels, at('listItems'), listLength),
  ];
  const classification = classificationText(incident, at('noticeLength'));
  if (classification) facts.push({ title: 'Classification', value: classification });

  const userIds = [...new Set(view.refreshUserIds ?? [])].slice(0, MAX_REFRESH_USER_IDS);
  const description = plain(incident.description, at('descriptionLength'));
  const noticeText = plain(view.notice?.text, at('noticeLength'));
  const title = plain(incident.title, at('titleLength')) || '(untitled incident)';

  return {
    incidentId: incident.name,
    fallbackText: `${numberText} (${incident.severity}, ${incident.status}): ${title}`,
    refresh: { enabled: userIds.length > 0, userIds },
    header: {
      eyebrow: `${link ? `[${numberText}](${link})` : numberText} · ${source}`,
      title,
      badges: [
        { label: 'Severity', value: incident.severity, color: severityColors[incident.severity] },
        { label: 'Status', value: incident.status, color: statusColors[incident.status] },
        { label: 'Owner', value: owner ? plain(owner, listLength) : 'Unassigned', color: 'Default' },
      ],
    },
    notice: { enabled: noticeText !== '', text: noticeText, style: view.notice?.style ?? 'default' },
    sentinel: {
      disconnected: !view.sentinelConnected,
      text: 'Sentinel is not connected: changes made here are kept in Argus only.',
    },
    description: { enabled: description !== '', text: description },
    facts,
    entities: {
      enabled: incident.entities.length > 0,
      heading: `Entities (${incident.entities.length})`,
      groups: groupEntities(incident.entities, {
        namesPerKind: at('namesPerKind'),
        maxKinds: at('maxKinds'),
        nameLength: at('nameLength'),
      }),
    },
    footer: { updated: `Updated ${cardDateTime(incident.lastModifiedTimeUtc)}` },
    actions: {
      acknowledge: can && open,
      assign: can && open,
      severity: can && open,
      close: can && open,
      comment: can,
    },
    forms: { severity: incident.severity },
    playbooks: buildPlaybookSection(view.playbooks, level, incident.number),
    ticket: buildTicketSection(view.ticket, level),
    investigate: buildInvestigateSection(view.investigate, level),
    response: buildResponseSection(view.response, level),
    escalation: buildEscalationSection(view.escalatedAlerts, level),
    clocks: buildClockSection(view.clocks, level),
    evidence: buildEvidenceSection(view.evidence, level, incident.number),
    impact: buildImpactSection(view.impact),
    timeline: buildTimelineSection(view.timeline, level),
    postmortem: buildPostMortemSection(view.postMortem, level),
    report: buildReportAction(view.reports),
  };
}
