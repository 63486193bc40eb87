import ticketTemplate from '../../cards/ticket.json';
import ticketListTemplate from '../../cards/ticket-list.json';
import { safeLinkTarget } from './incident-card-data';
import { atLevel, fitCard } from './size-guard';
import { createCardTemplate } from './template';
import { cardDateTime, moreText, plain, severityColors, type TextColor } from './text';
import type { TicketCardTicket, TicketCardView, TicketListCardView } from './ticket-views';
import type { AdaptiveCardJson, NoticeStyle, RenderOptions } from './views';

const budgets = { rows: [25, 15, 8, 3], titleLength: [200, 120, 80, 40] } as const;

interface Badge {
  label: string;
  value: string;
  color: TextColor;
}

interface NoticeData {
  enabled: boolean;
  text: string;
  style: NoticeStyle;
}

interface IncidentData {
  enabled: boolean;
  incidentId: string;
  number: string;
  heading: string;
  detail: string;
}

interface TicketCardData {
  fallbackText: string;
  header: { eyebrow: string; title: string; badges: Badge[] };
  notice: NoticeData;
  incident: IncidentData;
  footer: { updated: string };
  actions: { open: { enabled: boolean; title: string; url: string } };
}

interface TicketRowData {
  number: string;
  status: string;
  statusColor: TextColor;
  title: string;
  detail: string;
  hasActions: boolean;
  incident: IncidentData;
  open: { enabled: boolean; url: string };
}

interface TicketListCardData {
  fallbackText: string;
  title: string;
  summary: string;
  notice: NoticeData;
  rows: TicketRowData[];
  more: { enabled: boolean; text: string };
}

const expandTicket = createCardTemplate<TicketCardData>(ticketTemplate);
const expandList = createCardTemplate<TicketListCardData>(ticketListTemplate);

const statusColor = (t: TicketCardTicket): TextColor => (t.open ? 'Accent' : 'Good');

function noticeData(notice: TicketCardView['notice'], length: number): NoticeData {
  const text = plain(notice?.text, length);
  return { enabled: text !== '', text, style: notice?.style ?? 'default' };
}

const noIncident: IncidentData = { enabled: false, incidentId: '', number: '', heading: '', detail: '' };

/** One ITSM ticket: number, title, status, assignee, priority, the incident it belongs to (if any), and a link to open it. */
export function renderTicketCard(view: TicketCardView, options: RenderOptions = {}): AdaptiveCardJson {
  const { ticket, incident } = view;
  return fitCard(
    (level) => {
      const length = atLevel(budgets.titleLength, level);
      const number = plain(ticket.number, 40);
      const title = plain(ticket.title, length) || '(no title)';
      const url = safeLinkTarget(ticket.url);
      return expandTicket({
        fallbackText: `${number} (${plain(ticket.statusLabel, 40)}): ${title}`,
        header: {
          eyebrow: `Ticket ${number} · ${plain(ticket.provider, 60)}`,
          title,
          badges: [
            { label: 'Status', value: plain(ticket.statusLabel, 60) || 'Unknown', color: statusColor(ticket) },
            { label: 'Assignee', value: plain(ticket.assignee, 80) || 'Unassigned', color: 'Default' },
            ...(ticket.priority ? [{ label: 'Priority', value: plain(ticket.priority, 40), color: 'Default' as const }] : []),
            ...(incident ? [{ label: 'Incident', value: `#${incident.number} · ${incident.severity}`, color: severityColors[incident.severity] }] : []),
          ],
        },
        notice: noticeData(view.notice, length * 2),
        incident: incident
          ? {
              enabled: true,
              incidentId: incident.name,
              number: String(incident.number),
              heading: `Incident #${incident.number}: ${plain(incident.title, length) || '(untitled incident)'}`,
              detail: `${incident.severity} · ${plain(incident.status, 20)}`,
            }
          : noIncident,
        footer: {
          updated: [ticket.updatedAt ? `Updated ${cardDateTime(ticket.updatedAt)}` : undefined, incident ? undefined : 'Not linked to an incident Argus knows']
            .filter(Boolean)
            .join(' · '),
        },
        actions: { open: { enabled: url !== undefined, title: `Open in ${plain(ticket.provider, 40)}`, url: url ?? '' } },
      });
    },
    { card: 'ticket', levels: budgets.titleLength.length, maxBytes: options.maxBytes },
  );
}

/** A list of tickets, each with its status, assignee, incident and a link. */
export function renderTicketListCard(view: TicketListCardView, options: RenderOptions = {}): AdaptiveCardJson {
  return fitCard(
    (level) => {
      const length = atLevel(budgets.titleLength, level);
      const shown = view.rows.slice(0, atLevel(budgets.rows, level));
      const total = Math.max(view.total ?? 0, view.rows.length);
      const hidden = total - shown.length;
      const title = plain(view.title, 120) || 'Tickets';
      const rows = shown.map(({ ticket, incident: linked }): TicketRowData => {
        const url = safeLinkTarget(ticket.url);
        const incident: IncidentData = linked ? { enabled: true, incidentId: linked.name, number: String(linked.number), heading: '', detail: '' } : noIncident;
        return {
          number: plain(ticket.number, 40),
          status: plain(ticket.statusLabel, 40) || 'Unknown',
          statusColor: statusColor(ticket),
          title: plain(ticket.title, length) || '(no title)',
          detail: [plain(ticket.assignee, 60) || 'Unassigned', linked ? `incident #${linked.number}` : undefined]
            .filter(Boolean)
            .join(' · '),
          hasActions: incident.enabled || url !== undefined,
          incident,
          open: { enabled: url !== undefined, url: url ?? '' },
        };
      });
      const summary =
        total === 0 ? 'No tickets match.' : `Showing ${shown.length} of ${view.more && !view.total ? `${total}+` : total}.`;
      return expandList({
        fallbackText: `${title}: ${total} ticket${total === 1 ? '' : 's'}`,
        title,
        summary,
        notice: noticeData(view.notice, 400),
        rows,
        more: { enabled: hidden > 0 || Boolean(view.more), text: hidden > 0 ? moreText(hidden) : 'More tickets exist in the ITSM.' },
      });
    },
    { card: 'ticket list', levels: budgets.rows.length, maxBytes: options.maxBytes },
  );
}
