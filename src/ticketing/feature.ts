import { roleAtLeast } from '../access/roles';
import type { FeatureParts } from '../app/feature';
import type { FileConfig } from '../config/file-schema';
import type { EventHandler, EventsOf } from '../events/router';
import type { FollowUpTicketPort } from '../response/follow-up-port';
import { followUpTickets } from './follow-up-tickets';
import { jiraWebhookSpec } from './jira/jira-webhook';
import { KeyedLock } from './keyed-lock';
import { serviceNowWebhookSpec } from './servicenow/servicenow-callback';
import { StateMap } from './servicenow/servicenow-record';
import { providerLabels } from './ticket';
import { ticketActions } from './ticket-actions';
import { ticketCommands } from './ticket-commands';
import { TicketInbound } from './ticket-inbound';
import { TicketScheduler } from './ticket-scheduler';
import { ticketSectionFor } from './ticket-section-view';
import { TicketSweeper } from './ticket-sweeper';
import type { TicketSystem } from './ticket-system';
import type { TicketingContext } from './ticketing-context';
import { TicketWorker } from './ticket-worker';

export interface TicketingDeps extends Omit<TicketingContext, 'system' | 'lock' | 'policy'> {
  itsm: FileConfig['itsm'];
  /** Absent when itsm.provider is none: only the lookup commands, which say so. */
  system: TicketSystem | undefined;
  publisher: TicketingContext['publisher'] & Parameters<typeof ticketActions>[0]['publisher'];
}

export interface TicketingHandlers {
  /** Open the ticket the policy wants, or bring it in line with the incident (reads the stored version). */
  followIncident: EventHandler<EventsOf<'sentinel.incident'>>;
  /** The same after an engineer's change from a card, never failing the write-back. */
  followCardChange: EventHandler<'incident.writeback.requested'>;
  /** Ticket work: create or update the ticket in the ITSM, parked with backoff while it is down. */
  doWork: EventHandler<'ticket.work.requested'>;
  /** A change made in the ITSM, applied to the incident by the sync rules. */
  applyItsmChange: EventHandler<'itsm.ticket.updated'>;
}

export interface TicketingFeature extends FeatureParts {
  /** Absent without an ITSM. */
  handlers?: TicketingHandlers;
  /** Standalone follow-up tickets (post-mortem prevention actions); absent without an ITSM. */
  followUps?: FollowUpTicketPort;
}

/** Bidirectional ITSM sync: ServiceNow or Jira Service Management tickets kept in step with incidents. */
export function createTicketingFeature(deps: TicketingDeps): TicketingFeature {
  const { itsm, system } = deps;
  const commands = ticketCommands({ links: deps.links, incidents: deps.incidents, system, emails: deps.emails });
  if (!system) return { commands };

  const tctx: TicketingContext = {
    ...deps,
    system,
    lock: new KeyedLock(),
    policy: {
      createFor: itsm.createFor,
      resolveOnClose: itsm.resolveTicketOnClose,
      retry: { baseMs: itsm.retry.baseSeconds * 1000, maxMs: itsm.retry.maxSeconds * 1000 },
    },
  };
  const scheduler = new TicketScheduler(tctx);
  const worker = new TicketWorker(tctx);
  const inbound = new TicketInbound(tctx);
  const provider = providerLabels[system.provider];

  return {
    followUps: followUpTickets(system),
    handlers: {
      followIncident: (event, hc) => scheduler.onIncidentChanged(event.payload.incident.name, { eventId: event.id, correlationId: hc.correlationId }),
      async followCardChange(event, hc) {
        const p = event.payload;
        try {
          await scheduler.onIncidentChanged(p.incidentName, { eventId: event.id, correlationId: hc.correlationId, comment: p.comment, actorName: p.actor.name });
        } catch (err) {
          // Throwing would retry the whole event, and with it the Sentinel write-back (a second comment there).
          hc.log.error({ err, incident: p.incidentName }, 'could not queue ticket work after a card action');
        }
      },
      doWork: (event, hc) => worker.run(event.payload, hc),
      applyItsmChange: (event, hc) => inbound.handle(event.payload, hc),
    },
    webhooks: [
      system.provider === 'servicenow'
        ? { route: 'itsm-servicenow', spec: serviceNowWebhookSpec(new StateMap(itsm.servicenow?.states ?? {})) }
        : { route: 'itsm-jira', spec: jiraWebhookSpec(itsm.jira?.correlationField ?? 'labels') },
    ],
    actions: ticketActions({ incidents: deps.incidents, publisher: deps.publisher, scheduler, provider: system.provider }),
    commands,
    cardSections: [
      async (record, viewer) => {
        const mayCreate = roleAtLeast(viewer.role, 'responder');
        return { ticket: ticketSectionFor(await deps.links.get(record.incident.name), record.incident, { provider, mayCreate }) };
      },
    ],
    background: [new TicketSweeper({ links: deps.links, scheduler, intervalMs: itsm.retry.sweepSeconds * 1000, logger: deps.logger })],
  };
}
