import type { ItsmUser, Ticket, TicketDraft, TicketPage, TicketProvider, TicketUpdate } from './ticket';

/**
 * Port: what Argus asks of an ITSM. Adapters: ServiceNow Table API, Jira Service Management.
 * Every method throws ItsmCallError (ARGUS_DEPENDENCY_FAILED) when the ITSM fails; `transient`
 * on it says whether waiting and retrying may help.
 */
export interface TicketSystem {
  readonly provider: TicketProvider;
  /** The ticket whose correlation field holds this Sentinel incident name, if any. */
  findByCorrelation(incidentName: string): Promise<Ticket | undefined>;
  create(draft: TicketDraft): Promise<Ticket>;
  /** By number (INC0012345, SOC-42); undefined when there is none. */
  get(number: string, options?: CallOptions): Promise<Ticket | undefined>;
  /** Applies the update and answers the ticket as it is afterwards. */
  update(ticket: Ticket, update: TicketUpdate): Promise<Ticket>;
  /** The ITSM user with this email or user name, if any. */
  findUser(email: string, options?: CallOptions): Promise<ItsmUser | undefined>;
  /** Open tickets correlated with Sentinel incidents and assigned to `userId`. */
  listAssignedTo(user: ItsmUser, limit: number, options?: CallOptions): Promise<TicketPage>;
  /** Where a person opens the ticket. */
  urlOf(ticketId: string, number: string): string;
  /** A cheap authenticated call (for `argus doctor`). */
  ping(): Promise<void>;
}

/** Interactive calls (a command waits on them) get a short retry budget. */
export interface CallOptions {
  interactive?: boolean;
}
