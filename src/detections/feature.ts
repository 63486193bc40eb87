import type { FeatureParts } from '../app/feature';
import { parseWith } from '../config/load-config';
import { secretNames } from '../config/secret-provider';
import type { EventHandler, EventsOf } from '../events/router';
import type { WebhookSpec } from '../ingress/webhook-handler';
import { detectionAlertSchema, type DetectionAlert } from './alert';
import type { DetectionOutcomeStore } from './outcomes/outcome-store';
import { recordSentinelAlerts } from './outcomes/sentinel-outcomes';

/** POST /api/webhooks/alerts: alerts from `argus ingest --to` (or another source), one event per alert id. */
export const alertsWebhookSpec: WebhookSpec<DetectionAlert> = {
  source: 'alerts',
  secretName: secretNames.alertsWebhook,
  scheme: 'argus',
  parse: parseWith(detectionAlertSchema),
  toEvent: (alert) => ({ name: 'alert.received', source: 'alerts', idempotencyKey: `alert:${alert.id}`, payload: { alert } }),
};

export interface DetectionsFeature extends FeatureParts {
  handlers: {
    /** Records the alert as `fired` in its rule's outcome history. */
    recordAlert: EventHandler<'alert.received'>;
    /** Records alerts of analytics rules deployed from Sigma rules, and the verdict of their closed incident. */
    recordSentinelAlerts: EventHandler<EventsOf<'sentinel.incident'>>;
  };
}

/**
 * Detection alerts in: stored durably (the event row keeps the whole alert for triage) and
 * recorded as `fired` in the rule's outcome history, which `argus rules stats` reads; alerts that
 * analytics rules deployed from the same Sigma rules raise in Sentinel join that history.
 */
export function createDetectionsFeature(deps: { outcomes: Pick<DetectionOutcomeStore, 'recordFired' | 'recordOutcome' | 'get'> }): DetectionsFeature {
  return {
    handlers: {
      async recordAlert(event, hctx) {
        const alert = detectionAlertSchema.parse(event.payload.alert);
        const { created } = await deps.outcomes.recordFired(alert);
        hctx.log.info({ ruleId: alert.ruleId, alertId: alert.id, level: alert.level, created }, 'detection alert recorded');
      },
      recordSentinelAlerts: recordSentinelAlerts(deps.outcomes),
    },
    webhooks: [{ route: 'alerts', spec: alertsWebhookSpec }],
  };
}
