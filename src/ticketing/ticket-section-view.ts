import type { TicketSectionView } from '../cards/ticket-views';
import type { Incident } from '../incidents/incident';
import type { TicketLink } from './ticket-link';
import { conflictOf } from './sync-rules';

function hhmm(iso: string | undefined): string | undefined {
  return iso && !Number.isNaN(Date.parse(iso)) ? `${new Date(iso).toISOString().slice(11, 16)} UTC` : undefined;
}

/** What the incident card shows of the ticket for one viewer; undefined hides the section. */
export function ticketSectionFor(
  link: TicketLink | undefined,
  incident: Incident,
  options: { provider: string; mayCreate: boolean },
): TicketSectionView | undefined {
  const { provider } = options;
  const open = incident.status !== 'Closed';
  if (!link) return open ? { provider, state: 'none', canCreate: options.mayCreate } : undefined;
  if (link.state === 'failed')
    return {
      provider,
      state: 'failed',
      detail: { text: `${provider} refused to open a ticket: ${link.failure ?? 'unknown error'}`, style: 'attention' },
      canCreate: options.mayCreate && open,
    };
  const waiting = link.work.owed && link.work.lastError !== undefined;
  const since = hhmm(link.work.since);
  const next = hhmm(link.work.retryAt);
  if (link.state === 'requested' || !link.ticket)
    return {
      provider,
      state: 'pending',
      detail: waiting
        ? { text: `${provider} is not answering${since ? ` (since ${since})` : ''}; Argus keeps trying${next ? `, next try ${next}` : ''}.`, style: 'warning' }
        : { text: `Opening a ticket in ${provider}…`, style: 'default' },
      canCreate: false,
    };
  const conflict = conflictOf(incident, link);
  const { ticket } = link;
  return {
    provider,
    state: 'linked',
    number: ticket.number,
    url: ticket.url,
    statusLabel: ticket.statusLabel,
    assignee: ticket.assignee,
    detail: waiting
      ? { text: `Ticket update pending: ${provider} is not answering${since ? ` (since ${since})` : ''}; Argus keeps trying.`, style: 'warning' }
      : conflict
        ? { text: conflict.text, style: 'warning' }
        : undefined,
    canCreate: false,
  };
}
