import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordSentinelAlerts } from '../../../src/detections/outcomes/sentinel-outcomes';
import { TableDetectionOutcomeStore } from '../../../src/detections/outcomes/table-outcome-store';
import { sentinelWebhookSpec } from '../../../src/incidents/incident-handlers';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { fixture } from '../../helpers/shared';

/**
 * Incidents Sentinel makes from analytics rules `argus rules deploy` created carry the Sigma rule
 * id on their alerts; the mapping reads it and the outcome history counts those alerts per rule,
 * beside the in-process engine's, with the verdict of the incident's close.
 */

const ruleId = '69ad4bcc-be0b-4362-bc27-e1b45c1651aa';

function triggerBody(status: 'New' | 'Closed', classification?: string) {
  const body = fixture('sentinel/logic-app-incident-created.json');
  const [alert] = body.object.properties.Alerts;
  const deployed = structuredClone(alert);
  deployed.properties.systemAlertId = 'a1';
  deployed.properties.additionalData = { 'Custom Details': JSON.stringify({ SigmaRuleId: [ruleId] }) };
  const byDescription = structuredClone(alert);
  byDescription.properties.systemAlertId = 'a2';
  byDescription.properties.description = `Argus: Sigma rule ${ruleId}\n\ncertutil.exe was asked to retrieve a URL`;
  delete byDescription.properties.additionalData;
  body.object.properties.Alerts = [alert, deployed, byDescription];
  body.object.properties.status = status;
  if (classification) Object.assign(body.object.properties, { classification, classificationReason: 'SuspiciousActivity' });
  body.object.properties.lastModifiedTimeUtc = new Date(Date.now() + (status === 'Closed' ? 60_000 : 0)).toISOString();
  return body;
}

function toEvent(body: unknown) {
  const spec = sentinelWebhookSpec('sentinel-webhook-secret');
  const parsed = spec.parse(body);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.details));
  return { id: 'e1', receivedAt: '', correlationId: 'c', ...spec.toEvent(parsed.value, {} as never) } as never;
}

test('the incident mapping names the Sigma rule of alerts from deployed rules (custom detail, else description)', () => {
  const event = toEvent(triggerBody('New')) as { payload: { detectionAlerts?: { alertId: string; ruleId: string }[] } };
  assert.deepEqual(
    event.payload.detectionAlerts?.map((a) => [a.alertId, a.ruleId]),
    [
      ['a1', ruleId],
      ['a2', ruleId],
    ],
  );
});

test('those alerts are counted per rule, and the close of their incident is the verdict, once', async () => {
  const store = new TableDetectionOutcomeStore(memoryEntityTable());
  const handler = recordSentinelAlerts(store);
  const ctx = { log: createLogger({ level: 'silent', destination: createMemoryLogStream() }), correlationId: 'c', attempt: 0 };
  await handler(toEvent(triggerBody('New')), ctx);
  await handler(toEvent(triggerBody('New')), ctx);
  let [stats] = await store.stats({ ruleId });
  assert.deepEqual([stats?.fired, stats?.pending, stats?.truePositives], [2, 2, 0]);

  const closed = toEvent(triggerBody('Closed', 'FalsePositive'));
  await handler(closed, ctx);
  await handler(closed, ctx);
  [stats] = await store.stats({ ruleId });
  assert.deepEqual([stats?.fired, stats?.falsePositives, stats?.pending, stats?.falsePositiveRate], [2, 2, 0, 1]);
  const record = await store.get(ruleId, 'sentinel:a1');
  assert.equal(record?.history.filter((h) => h.outcome === 'human_override').length, 1, 'a redelivered close adds no second verdict');
  assert.equal(record?.history.at(-1)?.note, 'SuspiciousActivity');
});
