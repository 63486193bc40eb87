import type { Severity } from '../incidents/incident';

/**
 * Port: standalone follow-up tickets in the ITSM (one per post-mortem prevention action). The
 * ticketing feature implements it; each follow-up carries the correlation value
 * `<incidentId>:pa:<n>`, so it is never taken for the incident's own ticket.
 */
export interface FollowUpTicketPort {
  /** The ITSM's name, for messages (ServiceNow, Jira Service Management). */
  readonly providerLabel: string;
  /** The follow-up opened earlier for action n of the incident, if the ITSM has one. */
  find(incidentId: string, n: number): Promise<FollowUpTicket | undefined>;
  create(request: FollowUpRequest): Promise<FollowUpTicket>;
}

export interface FollowUpTicket {
  id: string;
  /** What people say: INC0012345 or SOC-42. */
  number: string;
  url: string;
}

export interface FollowUpRequest {
  incidentId: string;
  incidentNumber: number;
  /** 1-based position of the prevention action in the post-mortem. */
  n: number;
  title: string;
  description: string;
  severity: Severity;
}
