import type { Severity } from '../incidents/incident';
import type { CardNotice } from './views';

/** The ticket section of the incident card (section-ticket). */
export interface TicketSectionView {
  /** ServiceNow, Jira Service Management. */
  provider: string;
  /** none: no ticket yet; pending: Argus is opening it; linked; failed: the ITSM refused. */
  state: 'none' | 'pending' | 'linked' | 'failed';
  number?: string;
  url?: string;
  statusLabel?: string;
  assignee?: string;
  /** A line under the ticket: why it is pending, why it failed, or a mismatch with the incident. */
  detail?: CardNotice;
  /** Whether this viewer sees the Create ticket (or Retry) button. */
  canCreate: boolean;
}

export interface TicketCardTicket {
  number: string;
  title: string;
  provider: string;
  statusLabel: string;
  open: boolean;
  assignee?: string;
  /** The ITSM's priority label, when it has one. */
  priority?: string;
  url?: string;
  updatedAt?: string;
}

export interface TicketCardIncident {
  name: string;
  number: number;
  title: string;
  severity: Severity;
  status: string;
}

/** One ticket, as `ticket <number>` shows it. */
export interface TicketCardView {
  ticket: TicketCardTicket;
  incident?: TicketCardIncident;
  notice?: CardNotice;
}

export interface TicketListRowView {
  ticket: TicketCardTicket;
  /** The linked incident (its card opens from the row). */
  incident?: { name: string; number: number };
}

/** `tickets` and `tickets mine`. */
export interface TicketListCardView {
  title: string;
  rows: TicketListRowView[];
  /** How many matched, when known. */
  total?: number;
  /** Whether tickets were left out (when the total is unknown). */
  more?: boolean;
  notice?: CardNotice;
}
