import type { IncidentStatus, Severity } from '../incidents/incident';
import type { Ticket, TicketProvider } from './ticket';

/** Who asked for the ticket: the ticketing policy, an engineer's button, or the ITSM itself (a ticket correlated there). */
export type LinkOrigin = 'policy' | 'manual' | 'itsm';

export interface OutboxNote {
  /** Unique per note: a redelivered trigger does not add it twice. */
  id: string;
  text: string;
  at: string;
}

/** Durable ticket work: set when something must reach the ITSM, cleared when it has. */
export interface TicketWork {
  owed: boolean;
  /** Failed tries since the work became owed (drives the backoff). */
  attempts: number;
  /** When the next try is due (parked work; the sweeper picks it up). */
  retryAt?: string;
  /** Since when the ITSM has not taken the work (shown on the card). */
  since?: string;
  lastError?: string;
}

/**
 * The link between one incident and its ticket (table ArgusTickets, one row per incident). It holds
 * the ticket as the ITSM last described it, what of the incident the ticket already reflects, and
 * the work still owed to the ITSM.
 */
export interface TicketLink {
  incidentName: string;
  incidentNumber: number;
  provider: TicketProvider;
  /** requested: a ticket is owed; linked: the ticket is known; failed: the ITSM refused to open it. */
  state: 'requested' | 'linked' | 'failed';
  origin: LinkOrigin;
  requestedAt: string;
  requestedBy?: { aadObjectId?: string; name?: string };
  ticket?: Ticket;
  /** The incident's values the ticket has been brought in line with (what Argus pushed or found). */
  synced?: { status: IncidentStatus; severity: Severity; owner?: string };
  outbox: OutboxNote[];
  /** Ids of notes taken in recently, newest last (bounded). */
  noteIds: string[];
  work: TicketWork;
  /** Who is talking to the ITSM for this link right now (one worker at a time, across instances). */
  lease?: { holder: string; until: string };
  /** The last sync conflict audited, so one conflict is audited once. */
  conflictKey?: string;
  /** Why the ITSM refused (state failed). */
  failure?: string;
}

export type StoredTicketLink = TicketLink & { etag: string };

export function newLink(input: {
  incidentName: string;
  incidentNumber: number;
  provider: TicketProvider;
  origin: LinkOrigin;
  requestedBy?: TicketLink['requestedBy'];
  now?: Date;
}): TicketLink {
  const at = (input.now ?? new Date()).toISOString();
  return {
    incidentName: input.incidentName,
    incidentNumber: input.incidentNumber,
    provider: input.provider,
    state: 'requested',
    origin: input.origin,
    requestedAt: at,
    requestedBy: input.requestedBy,
    outbox: [],
    noteIds: [],
    work: { owed: true, attempts: 0, since: at },
  };
}

export const maxRememberedNotes = 100;
