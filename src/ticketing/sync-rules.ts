import { ownerName } from '../incidents/incident-diff';
import type { Incident, IncidentOwner } from '../incidents/incident';
import { humanizeIdentifier } from '../cards/text';
import { isTicketOpen, providerLabels, statusLabels, type Ticket, type TicketUpdate } from './ticket';
import type { TicketLink } from './ticket-link';

/**
 * The sync rules (docs/itsm.md has them as a table), as pure functions:
 * - status: the incident is Sentinel's. Closing it resolves the ticket (close code + notes from the
 *   classification); acknowledging it moves a New ticket to In Progress. A ticket resolved or
 *   reopened in the ITSM is shown on the card and never closes or reopens the incident (closing a
 *   Sentinel incident needs a classification only an analyst can give). An incident reopened in
 *   Sentinel does not reopen a resolved ticket: the card shows the mismatch.
 * - owner: the incident owner is pushed to the ticket when the ITSM has a user with that email;
 *   otherwise a work note names the owner. A ticket reassigned in the ITSM shows on the card.
 * - severity → urgency/impact (priority): Sentinel wins; the ITSM's value is overwritten on change.
 * - comments: both ways, appended, never edited; Argus's own notes are tagged and not echoed.
 */

export type SyncedState = NonNullable<TicketLink['synced']>;

export function syncedFrom(incident: Incident): SyncedState {
  return { status: incident.status, severity: incident.severity, owner: ownerName(incident.owner) };
}

export interface OutboundPlan {
  update: TicketUpdate;
  /** The owner to assign, when it changed (the worker looks the ITSM user up). */
  assign?: IncidentOwner;
  /** Work notes that explain what happened in Sentinel. */
  notes: string[];
  synced: SyncedState;
}

export interface OutboundOptions {
  resolveOnClose: boolean;
  actorName?: string;
}

function closeNotes(incident: Incident): string {
  const parts = [`Sentinel incident ${incident.number} was closed`];
  if (incident.classification) {
    const reason = incident.classificationReason ? ` (${humanizeIdentifier(incident.classificationReason)})` : '';
    parts[0] += ` as ${humanizeIdentifier(incident.classification)}${reason}`;
  }
  const comment = incident.classificationComment?.trim();
  return comment ? `${parts[0]}: ${comment}` : `${parts[0]}.`;
}

/** What to change on a linked ticket so it reflects the incident; undefined when nothing. */
export function planOutbound(incident: Incident, link: TicketLink, options: OutboundOptions): OutboundPlan | undefined {
  const ticket = link.ticket;
  if (link.state !== 'linked' || !ticket) return undefined;
  const before = link.synced ?? syncedFrom(incident);
  const now = syncedFrom(incident);
  const update: TicketUpdate = {};
  const notes: string[] = [];
  let assign: IncidentOwner | undefined;

  if (now.status !== before.status) {
    if (now.status === 'Closed') {
      if (isTicketOpen(ticket.status) && options.resolveOnClose) {
        update.status = 'resolved';
        update.resolution = { classification: incident.classification, notes: closeNotes(incident) };
      } else if (isTicketOpen(ticket.status)) notes.push(`${closeNotes(incident)} The ticket stays open for the service desk to close.`);
    } else if (before.status === 'Closed') {
      notes.push(`Sentinel incident ${incident.number} was reopened (now ${now.status}).`);
    } else if (now.status === 'Active' && ticket.status === 'new') {
      update.status = 'in_progress';
    }
  }
  if (now.severity !== before.severity) update.severity = incident.severity;
  if (now.owner !== before.owner && now.owner) assign = incident.owner;

  const changed = Object.keys(update).length > 0 || notes.length > 0 || assign !== undefined;
  const syncedMoved = now.status !== before.status || now.severity !== before.severity || now.owner !== before.owner;
  if (!changed && !syncedMoved) return undefined;
  return { update, assign, notes, synced: now };
}

export interface TicketChange {
  field: 'status' | 'assignee';
  from?: string;
  to?: string;
}

/**
 * A ticket as the ITSM now describes it, against what the link knows. A version not above the
 * stored one is old news (an out-of-order or echoed callback) and changes nothing.
 */
export function applyIncoming(link: TicketLink, incoming: Ticket): { stale: boolean; changes: TicketChange[]; ticket: Ticket } {
  const known = link.ticket;
  if (known && incoming.version <= known.version) return { stale: true, changes: [], ticket: known };
  const changes: TicketChange[] = [];
  if (!known || known.status !== incoming.status || known.statusLabel !== incoming.statusLabel)
    changes.push({ field: 'status', from: known?.statusLabel, to: incoming.statusLabel });
  if ((known?.assignee ?? '') !== (incoming.assignee ?? '')) changes.push({ field: 'assignee', from: known?.assignee, to: incoming.assignee });
  return { stale: false, changes: known ? changes : [], ticket: { ...known, ...incoming, assignee: incoming.assignee } };
}

export function describeTicketChanges(ticket: Ticket, changes: TicketChange[]): string | undefined {
  const where = providerLabels[ticket.provider];
  const parts = changes.map((c) =>
    c.field === 'status' ? `is now ${c.to ?? 'unknown'} (was ${c.from ?? 'unknown'})` : c.to ? `was assigned to ${c.to}` : 'was unassigned',
  );
  return parts.length ? `🎫 ${ticket.number} ${parts.join(' and ')} in ${where}.` : undefined;
}

/** A mismatch between the incident and its ticket that the card shows rather than forcing either side. */
export function conflictOf(incident: Incident, link: TicketLink): { key: string; text: string } | undefined {
  const ticket = link.ticket;
  if (link.state !== 'linked' || !ticket) return undefined;
  const where = providerLabels[ticket.provider];
  if (!isTicketOpen(ticket.status) && incident.status !== 'Closed')
    return {
      key: `ticket-${ticket.status}@${ticket.version}`,
      text: `${ticket.number} is ${ticket.statusLabel} in ${where}, but the incident is still ${incident.status}. Close the incident here with a classification, or reopen the ticket.`,
    };
  // While Argus is still resolving the ticket, an open ticket is expected, not a conflict.
  if (isTicketOpen(ticket.status) && incident.status === 'Closed' && !link.work.owed)
    return {
      key: `incident-closed@${incident.lastModifiedTimeUtc}`,
      text: `The incident is closed, but ${ticket.number} is still ${ticket.statusLabel || statusLabels[ticket.status]} in ${where}.`,
    };
  return undefined;
}
