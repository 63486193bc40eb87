import type { AppContext, Feature } from '../app/context';
import type { IncidentWritebackPayload } from '../events/event-map';
import { createWebhookHandler } from '../ingress/webhook-handler';
import { tableNames } from '../storage/table-store';
import { jiraWebhookSpec } from './jira/jira-webhook';
import { KeyedLock } from './keyed-lock';
import { serviceNowWebhookSpec } from './servicenow/servicenow-callback';
import { StateMap } from './servicenow/servicenow-record';
import { providerLabels } from './ticket';
import { registerTicketActions } from './ticket-actions';
import { registerTicketCommands } from './ticket-commands';
import { TicketInbound } from './ticket-inbound';
import { TicketLinkStore } from './ticket-link-store';
import { TicketScheduler } from './ticket-scheduler';
import { ticketSectionFor } from './ticket-section-view';
import { TicketSweeper } from './ticket-sweeper';
import { createTicketSystem } from './ticket-system-factory';
import type { TicketingContext } from './ticketing-context';
import { TicketWorker } from './ticket-worker';
import { createUserEmailResolver } from './user-email';

/** Bidirectional ITSM sync: ServiceNow or Jira Service Management tickets kept in step with incidents. */
export const ticketingFeature: Feature = {
  name: 'ticketing',
  tables: [tableNames.tickets],
  register(ctx: AppContext) {
    const itsm = ctx.config.file.itsm;
    const log = ctx.logger.child({ feature: 'ticketing' });
    const links = new TicketLinkStore(ctx.store.client(tableNames.tickets));
    const emails = createUserEmailResolver({
      homeTenantId: ctx.config.file.tenantId,
      emails: itsm.emails,
      graph: { endpoint: ctx.config.file.graph.endpoint, scope: ctx.config.file.graph.scope, credential: ctx.credential },
      logger: log,
    });
    const system = createTicketSystem(itsm, ctx.secrets, log);
    registerTicketCommands(ctx.registry, { links, incidents: ctx.incidents, system, emails });
    if (!system) return;

    const tctx: TicketingContext = {
      links,
      incidents: ctx.incidents,
      system,
      audit: ctx.audit,
      publisher: ctx.publisher,
      intake: ctx.intake,
      emails,
      lock: new KeyedLock(),
      logger: log,
      policy: {
        createFor: itsm.createFor,
        resolveOnClose: itsm.resolveTicketOnClose,
        retry: { baseMs: itsm.retry.baseSeconds * 1000, maxMs: itsm.retry.maxSeconds * 1000 },
      },
    };
    const scheduler = new TicketScheduler(tctx);
    const worker = new TicketWorker(tctx);
    const inbound = new TicketInbound(tctx);

    ctx.router.on('ticket.work.requested', (event, hc) => worker.run(event.payload, hc));
    ctx.router.on('itsm.ticket.updated', (event, hc) => inbound.handle(event.payload, hc));
    // Runs after the incident domain stored the version: the policy and the sync read the stored incident.
    ctx.router.on('sentinel.incident', async (event, hc) => {
      const { incident } = event.payload as { incident: { name: string } };
      await scheduler.onIncidentChanged(incident.name, { eventId: event.id, correlationId: hc.correlationId });
    });
    ctx.router.on('incident.writeback.requested', async (event, hc) => {
      const p: IncidentWritebackPayload = event.payload;
      try {
        await scheduler.onIncidentChanged(p.incidentName, { eventId: event.id, correlationId: hc.correlationId, comment: p.comment, actorName: p.actor.name });
      } catch (err) {
        // Throwing would retry the whole event, and with it the Sentinel write-back (a second comment there).
        hc.log.error({ err, incident: p.incidentName }, 'could not queue ticket work after a card action');
      }
    });

    if (system.provider === 'servicenow') {
      const spec = serviceNowWebhookSpec(new StateMap(itsm.servicenow?.states ?? {}));
      ctx.routes.push({ method: 'POST', path: '/api/webhooks/itsm/servicenow', readsBody: true, handler: createWebhookHandler(spec, ctx.webhookDeps) });
    } else {
      const spec = jiraWebhookSpec(itsm.jira?.correlationField ?? 'labels');
      ctx.routes.push({ method: 'POST', path: '/api/webhooks/itsm/jira', readsBody: true, handler: createWebhookHandler(spec, ctx.webhookDeps) });
    }

    const provider = providerLabels[system.provider];
    ctx.publisher.decorate(async (record, viewer) => {
      const mayCreate = viewer === undefined || viewer.role === 'responder' || viewer.role === 'admin';
      return { ticket: ticketSectionFor(await links.get(record.incident.name), record.incident, { provider, mayCreate }) };
    });
    registerTicketActions(ctx.registry, { incidents: ctx.incidents, publisher: ctx.publisher, scheduler, provider: system.provider });

    const sweeper = new TicketSweeper({ links, scheduler, intervalMs: itsm.retry.sweepSeconds * 1000, logger: log });
    sweeper.start();
    ctx.onStop(() => sweeper.stop());
  },
};
