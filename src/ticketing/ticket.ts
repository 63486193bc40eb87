import type { Classification, Severity } from '../incidents/incident';

/** The ITSM products Argus syncs with. */
export const ticketProviders = ['servicenow', 'jira'] as const;
export type TicketProvider = (typeof ticketProviders)[number];

export const providerLabels: Record<TicketProvider, string> = {
  servicenow: 'ServiceNow',
  jira: 'Jira Service Management',
};

/**
 * A ticket's state in Argus's words. Each adapter maps its own states onto these (ServiceNow's
 * numeric `state`, Jira's status category), so sync rules are written once.
 */
export const ticketStatuses = ['new', 'in_progress', 'on_hold', 'resolved', 'closed', 'canceled'] as const;
export type TicketStatus = (typeof ticketStatuses)[number];

export const statusLabels: Record<TicketStatus, string> = {
  new: 'New',
  in_progress: 'In Progress',
  on_hold: 'On Hold',
  resolved: 'Resolved',
  closed: 'Closed',
  canceled: 'Canceled',
};

/**
 * What a ticket number looks like in each ITSM. A number typed in chat is checked against this
 * before it goes anywhere near a query: ServiceNow's encoded queries and Jira's paths give
 * operators and separators a meaning, a number of letters and digits has none.
 */
export const ticketNumberFormats: Record<TicketProvider, { pattern: RegExp; example: string; noun: string }> = {
  // Prefix and digit count are per instance (sys_number); INC0012345 out of the box.
  servicenow: { pattern: /^[A-Z]{1,12}[0-9]{1,20}$/, example: 'INC0012345', noun: 'ServiceNow incident number' },
  // Project keys start with a letter; letters, digits and underscores follow.
  jira: { pattern: /^[A-Z][A-Z0-9_]{0,30}-[0-9]{1,10}$/, example: 'SOC-123', noun: 'Jira issue key' },
};

/** The ticket number in `text` as the ITSM writes it (upper case), or undefined when it is not one. */
export function parseTicketNumber(provider: TicketProvider, text: string): string | undefined {
  const number = text.trim().toUpperCase();
  return ticketNumberFormats[provider].pattern.test(number) ? number : undefined;
}

/** Resolved, closed and canceled tickets are finished work. */
export function isTicketOpen(status: TicketStatus): boolean {
  return status === 'new' || status === 'in_progress' || status === 'on_hold';
}

/** What Argus knows of a ticket in the ITSM, as the ITSM last said it. */
export interface Ticket {
  provider: TicketProvider;
  /** ServiceNow sys_id or Jira issue id: never changes. */
  id: string;
  /** What people say: INC0012345 or SOC-42. */
  number: string;
  url: string;
  title: string;
  status: TicketStatus;
  /** The ITSM's own name for the state (instances rename states). */
  statusLabel: string;
  /** Display name of the assignee, when assigned. */
  assignee?: string;
  /** The ITSM's priority label ("2 - High", "Highest"), when it has one. */
  priority?: string;
  /** The Sentinel incident name stored in the ticket's correlation field, when set. */
  correlationId?: string;
  /**
   * Orders versions of one ticket: ServiceNow's sys_mod_count, Jira's update time in ms. A change
   * that carries a version not above the stored one is old news.
   */
  version: number;
  updatedAt?: string;
}

/** What a new ticket says (built from the incident). */
export interface TicketDraft {
  incidentName: string;
  incidentNumber: number;
  title: string;
  description: string;
  severity: Severity;
  /**
   * A follow-up ticket (a post-mortem's prevention action): its own correlation value (never the
   * bare incident name, so it is never taken for the incident's ticket) and its title as given.
   */
  followUp?: { correlationId: string };
}

/** What Argus changes on a ticket; every field optional, applied together where the ITSM allows. */
export interface TicketUpdate {
  status?: 'in_progress' | 'resolved';
  /** Sent with status resolved: why the incident was closed. */
  resolution?: { classification?: Classification; notes: string };
  severity?: Severity;
  /** The ITSM user id to assign (from findUser). */
  assigneeId?: string;
  /** A work note (internal comment); Argus tags its own notes so callbacks can skip them. */
  note?: string;
}

export interface TicketPage {
  tickets: Ticket[];
  /** How many matched in all, when the ITSM says; `more` tells whether tickets were left out. */
  total?: number;
  more: boolean;
}

export interface ItsmUser {
  id: string;
  name: string;
}

/** The tag at the start of every note Argus writes, so the note's echo is not posted back. */
export const argusNoteTag = '[Argus]';

export function isArgusNote(text: string): boolean {
  return text.trimStart().startsWith(argusNoteTag);
}

export function hasUpdate(update: TicketUpdate): boolean {
  return update.status !== undefined || update.severity !== undefined || update.assigneeId !== undefined || update.note !== undefined;
}

/** The later of two descriptions of one ticket (by version; the new one on a tie). */
export function newerTicket(known: Ticket | undefined, next: Ticket): Ticket {
  return known && known.id === next.id && known.version > next.version ? known : next;
}
