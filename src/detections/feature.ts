import type { Feature } from '../app/context';
import { zodDetails } from '../config/load-config';
import { secretNames } from '../config/secret-provider';
import { createWebhookHandler, type WebhookSpec } from '../ingress/webhook-handler';
import { tableNames } from '../storage/table-store';
import { detectionAlertSchema, type DetectionAlert } from './alert';
import { TableDetectionOutcomeStore } from './outcomes/table-outcome-store';

/** POST /api/webhooks/alerts: alerts from `argus ingest --to` (or another source), one event per alert id. */
export const alertsWebhookSpec: WebhookSpec<DetectionAlert> = {
  source: 'alerts',
  secretName: secretNames.alertsWebhook,
  scheme: 'argus',
  parse(json) {
    const parsed = detectionAlertSchema.safeParse(json);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, details: zodDetails(parsed.error) };
  },
  toEvent: (alert) => ({ name: 'alert.received', source: 'alerts', idempotencyKey: `alert:${alert.id}`, payload: { alert } }),
};

/**
 * Detection alerts in: stored durably (the event row keeps the whole alert for triage) and
 * recorded as `fired` in the rule's outcome history, which `argus rules stats` reads.
 */
export const detectionsFeature: Feature = {
  name: 'detections',
  tables: [tableNames.detectionOutcomes],
  register(ctx) {
    const outcomes = new TableDetectionOutcomeStore(ctx.store.client(tableNames.detectionOutcomes));
    ctx.router.on('alert.received', async (event, hctx) => {
      const alert = detectionAlertSchema.parse(event.payload.alert);
      const { created } = await outcomes.recordFired(alert);
      hctx.log.info({ ruleId: alert.ruleId, alertId: alert.id, level: alert.level, created }, 'detection alert recorded');
    });
    ctx.routes.push({ method: 'POST', path: '/api/webhooks/alerts', readsBody: true, handler: createWebhookHandler(alertsWebhookSpec, ctx.webhookDeps) });
  },
};
