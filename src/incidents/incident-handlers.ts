import type { EventRouter } from '../events/router';
import type { WebhookSpec } from '../ingress/webhook-handler';
import { incidentVersionKey } from './incident';
import type { IncidentService } from './incident-service';
import { parseSentinelWebhook, type SentinelWebhook } from './sentinel-mapping';

/** POST /api/webhooks/sentinel: one event per incident version (redeliveries are duplicates). */
export function sentinelWebhookSpec(secretName: string): WebhookSpec<SentinelWebhook> {
  return {
    source: 'sentinel',
    secretName,
    scheme: 'argus',
    parse: parseSentinelWebhook,
    toEvent: (value) => ({
      name: value.eventType === 'created' ? 'sentinel.incident.created' : 'sentinel.incident.updated',
      source: 'sentinel',
      idempotencyKey: incidentVersionKey(value.incident),
      payload: {
        incident: value.incident,
        eventType: value.eventType,
        eventUniqueId: value.eventUniqueId,
        updates: value.updates ? Object.fromEntries(Object.entries(value.updates).filter(([, v]) => typeof v === 'boolean')) : undefined,
      },
    }),
  };
}

/** The incident domain's event handlers. */
export function registerIncidentHandlers(router: EventRouter, service: IncidentService): void {
  router.on('sentinel.incident', async (event, ctx) => {
    const payload = event.payload as { incident: Parameters<IncidentService['ingest']>[0] };
    const result = await service.ingest(payload.incident);
    ctx.log.info({ incident: payload.incident.name, number: payload.incident.number, outcome: result.outcome }, 'incident version processed');
  });
  router.on('incident.writeback.requested', async (event, ctx) => {
    await service.writeBack(event.payload, ctx.correlationId);
  });
}
