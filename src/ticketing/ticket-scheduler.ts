import type { Incident } from '../incidents/incident';
import { argusNoteTag } from './ticket';
import { maxRememberedNotes, newLink, type LinkOrigin, type StoredTicketLink, type TicketLink } from './ticket-link';
import { policyWantsTicket, type TicketingContext } from './ticketing-context';
import { planOutbound } from './sync-rules';
import type { TicketWorkPayload } from '../events/event-map';

export type RequestOutcome = 'requested' | 'retried' | 'exists';

/**
 * Turns what happened (an incident arrived or changed, a comment was written, someone pressed
 * Create ticket) into owed work on the ticket link, and queues a ticket.work.requested event.
 * Marking the work owed first means nothing is lost even if the event is: the sweeper finds it.
 */
export class TicketScheduler {
  constructor(private readonly ctx: TicketingContext) {}

  /** Makes sure a ticket is owed for the incident (a failed one is tried again) and queues the work. */
  async request(
    incident: Incident,
    input: { origin: Exclude<LinkOrigin, 'itsm'>; actor?: TicketWorkPayload['actor']; correlationId?: string; key: string },
  ): Promise<{ link: StoredTicketLink | undefined; outcome: RequestOutcome }> {
    let outcome: RequestOutcome = 'exists';
    const now = new Date();
    const requestedBy = input.actor ? { aadObjectId: input.actor.aadObjectId, name: input.actor.name } : undefined;
    const link = await this.ctx.links.mutate(incident.name, (cur) => {
      if (!cur) {
        outcome = 'requested';
        const fresh = newLink({ incidentName: incident.name, incidentNumber: incident.number, provider: this.ctx.system.provider, origin: input.origin, requestedBy, now });
        return { ...fresh, work: { ...fresh.work, retryAt: this.firstRetryAt(now) } };
      }
      if (cur.state !== 'failed') {
        outcome = 'exists';
        return undefined;
      }
      outcome = 'retried';
      const at = now.toISOString();
      return { ...cur, state: 'requested', failure: undefined, origin: input.origin, requestedBy, requestedAt: at, work: { owed: true, attempts: 0, since: at, retryAt: this.firstRetryAt(now) } };
    });
    if (outcome !== 'exists') await this.enqueue(incident.name, input.origin, input.key, input.actor, input.correlationId);
    return { link, outcome };
  }

  /**
   * After the incident changed (a Sentinel version, a card action): opens a ticket when the policy
   * now wants one, or owes the ticket the change and the comment.
   */
  async onIncidentChanged(incidentName: string, trigger: { eventId: string; correlationId: string; comment?: string; actorName?: string }): Promise<void> {
    const record = await this.ctx.incidents.get(incidentName);
    if (!record) return;
    const { incident } = record;
    const link = await this.ctx.links.get(incidentName);
    if (!link) {
      if (policyWantsTicket(incident, this.ctx.policy))
        await this.request(incident, { origin: 'policy', key: `ticket.work|${incidentName}|create`, correlationId: trigger.correlationId });
      return;
    }
    if (link.state === 'failed') return;
    const note = trigger.comment
      ? { id: `comment|${trigger.eventId}`, text: `${argusNoteTag} Comment by ${trigger.actorName ?? 'an engineer'} in Teams: ${trigger.comment}`, at: new Date().toISOString() }
      : undefined;
    const plan = link.state === 'linked' ? planOutbound(incident, link, { resolveOnClose: this.ctx.policy.resolveOnClose }) : undefined;
    if (!plan && !note) return;
    const now = new Date();
    await this.ctx.links.mutate(incidentName, (cur) => {
      if (!cur || cur.state === 'failed') return undefined;
      const next: TicketLink = { ...cur, work: this.owe(cur, now) };
      if (note && !cur.noteIds.includes(note.id)) {
        next.outbox = [...cur.outbox, note];
        next.noteIds = [...cur.noteIds, note.id].slice(-maxRememberedNotes);
      }
      return next;
    });
    await this.enqueue(incidentName, 'incident', `ticket.work|${incidentName}|incident|${trigger.eventId}`, undefined, trigger.correlationId);
  }

  /** Queues a try of owed work (the sweeper's retries come through here too). */
  async enqueue(incidentName: string, reason: TicketWorkPayload['reason'], key: string, actor?: TicketWorkPayload['actor'], correlationId?: string): Promise<void> {
    await this.ctx.intake.accept({ name: 'ticket.work.requested', source: 'argus', idempotencyKey: key, correlationId, payload: { incidentName, reason, actor } });
  }

  private owe(link: TicketLink, now: Date): TicketLink['work'] {
    if (link.work.owed) return link.work;
    return { owed: true, attempts: 0, since: now.toISOString(), retryAt: this.firstRetryAt(now) };
  }

  /** The sweeper looks at owed work only after the immediate try had its chance. */
  private firstRetryAt(now: Date): string {
    return new Date(now.getTime() + Math.max(this.ctx.policy.retry.baseMs, 1000)).toISOString();
  }
}
