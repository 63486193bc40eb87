import type { CardPublisher } from '../incidents/card-publisher';
import { viewerOf } from '../incidents/incident-actions';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { CardActionDefinition } from '../teams/registry';
import type { TicketScheduler } from './ticket-scheduler';
import { providerLabels, type TicketProvider } from './ticket';

export const ticketVerbs = { create: 'ticket.create' } as const;

export interface TicketActionDeps {
  incidents: Pick<IncidentRepository, 'get'>;
  publisher: Pick<CardPublisher, 'render'>;
  scheduler: TicketScheduler;
  provider: TicketProvider;
}

/**
 * The Create ticket button (responder): records that a ticket is owed and queues the work, then
 * answers at once with the card showing the ticket as pending; the ITSM call happens in the background.
 */
export function ticketActions(deps: TicketActionDeps): CardActionDefinition[] {
  const actions: CardActionDefinition[] = [];
  actions.push({
    verb: ticketVerbs.create,
    role: 'responder',
    needsIncident: true,
    async handle(ctx) {
      const name = String(ctx.data.incidentId);
      const record = await deps.incidents.get(name);
      if (!record) return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
      if (record.incident.status === 'Closed') return { error: { status: 400, code: 'ARGUS_BAD_REQUEST', message: 'This incident is closed; Argus opens tickets for open incidents only.' } };
      const who = ctx.actor.name ?? ctx.actor.aadObjectId ?? 'someone';
      const { link, outcome } = await deps.scheduler.request(record.incident, {
        origin: 'manual',
        actor: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name, tenantId: ctx.actor.tenantId },
        correlationId: ctx.correlationId,
        key: `ticket.work|${name}|manual|${ctx.correlationId}`,
      });
      const at = new Date().toISOString();
      const where = providerLabels[deps.provider];
      const notice =
        outcome === 'exists'
          ? { text: link?.ticket ? `This incident already has ticket ${link.ticket.number}.` : `A ticket is already being opened in ${where}.`, style: 'accent' as const, at }
          : { text: `Ticket requested in ${where} by ${who} · ${at.slice(11, 16)} UTC`, style: 'good' as const, at };
      return { card: await deps.publisher.render({ ...record, notice }, viewerOf(ctx)) };
    },
  });
  return actions;
}
