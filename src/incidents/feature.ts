import type { Feature } from '../app/context';
import { secretNames } from '../config/secret-provider';
import { createWebhookHandler } from '../ingress/webhook-handler';
import { registerIncidentActions } from './incident-actions';
import { registerIncidentCommands } from './incident-commands';
import { registerIncidentHandlers, sentinelWebhookSpec } from './incident-handlers';

/** Sentinel incidents: the webhook, their events, card verbs and commands. */
export const incidentsFeature: Feature = {
  name: 'incidents',
  register(ctx) {
    registerIncidentHandlers(ctx.router, ctx.service);
    registerIncidentCommands(ctx.registry, { incidents: ctx.incidents, subscriptions: ctx.subscriptions, publisher: ctx.publisher });
    registerIncidentActions(ctx.registry, { service: ctx.service, publisher: ctx.publisher, audit: ctx.audit, tenantId: ctx.config.file.tenantId });
    ctx.routes.push({
      method: 'POST',
      path: '/api/webhooks/sentinel',
      readsBody: true,
      handler: createWebhookHandler(sentinelWebhookSpec(secretNames.sentinelWebhook), ctx.webhookDeps),
    });
  },
};
