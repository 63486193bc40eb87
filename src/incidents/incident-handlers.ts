import type { WebhookSpec } from '../ingress/webhook-handler';
import type { EventHandler, EventsOf } from '../events/router';
import type { SentinelIncidentPayload } from '../events/event-map';
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
        detectionAlerts: detectionAlertsOf(value.alerts),
      },
    }),
  };
}

/** Alerts that name their Sigma rule (raised by analytics rules `argus rules deploy` made), or undefined. */
function detectionAlertsOf(alerts: SentinelWebhook['alerts']): SentinelIncidentPayload['detectionAlerts'] {
  const out = alerts.flatMap((a) => (a.ruleId ? [{ alertId: a.id, ruleId: a.ruleId, title: a.displayName, ...(a.severity ? { severity: a.severity } : {}) }] : []));
  return out.length ? out : undefined;
}

export interface IncidentHandlers {
  /** A Sentinel version: stored when newer than the one Argus has, and the cards refreshed. */
  ingestVersion: EventHandler<EventsOf<'sentinel.incident'>>;
  /** An engineer's change from a card, written back to Sentinel. */
  writeBack: EventHandler<'incident.writeback.requested'>;
}

export function incidentHandlers(service: IncidentService): IncidentHandlers {
  return {
    async ingestVersion(event, ctx) {
      const { incident } = event.payload;
      const result = await service.ingest(incident, { likelyNew: event.name === 'sentinel.incident.created' });
      ctx.log.info({ incident: incident.name, number: incident.number, outcome: result.outcome }, 'incident version processed');
    },
    async writeBack(event, ctx) {
      await service.writeBack(event.payload, ctx.correlationId);
    },
  };
}
