import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Incident } from '../../../src/incidents/incident';
import { escalationRig } from './escalation-setup';
import { testAlert } from './triage-setup';

const analyst = { aadObjectId: '10000000-0000-4000-8000-000000000002', name: 'Rui Responder', tenantId: 'aaaaaaaa-0000-4000-8000-000000000001' };

async function escalatedPair() {
  const rig = escalationRig();
  const a = testAlert({ detectedAt: '2025-03-01T10:00:00Z' });
  const b = testAlert({ detectedAt: '2025-03-01T10:10:00Z' });
  const incident = (await rig.receive(a))!.incident!;
  await rig.receive(b);
  const closeOnCard = (classification: Incident['classification']) =>
    rig.escalation.handlers.followCardClose(
      rig.event('incident.writeback.requested', { incidentName: incident.name, change: { status: 'Closed', classification }, actor: analyst, verb: 'incident.close' }),
      rig.ctx,
    );
  const sentinelVersion = async (classification: Incident['classification'], status: Incident['status'] = 'Closed') => {
    const i = (await rig.incidents.get(incident.name))!.incident;
    const closed = { ...i, status, classification, owner: { assignedTo: 'Sam Sentinel', objectId: '10000000-0000-4000-8000-000000000009' }, lastModifiedTimeUtc: '2025-03-01T13:00:00Z' };
    await rig.escalation.handlers.followSentinelClose(rig.event('sentinel.incident.updated', { incident: closed, eventType: 'updated' }), rig.ctx);
  };
  return { rig, a, b, incident, closeOnCard, sentinelVersion };
}

test('closing the incident on its card as a false positive overrules each alert: history, record, audit; rules stats counts it', async () => {
  const { rig, a, b, incident, closeOnCard } = await escalatedPair();
  await closeOnCard('FalsePositive');
  for (const alert of [a, b]) {
    const history = await rig.outcomes.get(alert.ruleId, alert.id);
    assert.deepEqual([history?.state, history?.humanVerdict, history?.history.at(-1)?.actor], ['human_override', 'false_positive', analyst.aadObjectId]);
    const override = (await rig.records.get(alert.id))?.record.override;
    assert.deepEqual(override, { verdict: 'false_positive', by: 'Rui Responder', at: '2025-03-01T12:00:00.000Z', note: `incident #${incident.number} closed as FalsePositive` });
  }
  const [stats] = await rig.outcomes.stats();
  assert.deepEqual([stats?.falsePositives, stats?.overrides, stats?.falsePositiveRate], [2, 2, 1]);
  const rows = await rig.audit.query({ action: 'alert.override' });
  assert.deepEqual(rows.map((r) => [r.target, r.actorName, r.detail.via, r.detail.verdict]).sort(), [
    [a.id, 'Rui Responder', 'incident-close-card', 'false_positive'],
    [b.id, 'Rui Responder', 'incident-close-card', 'false_positive'],
  ].sort());
});

test('Sentinel echoing the card close changes nothing more; the event run twice neither', async () => {
  const { rig, a, closeOnCard, sentinelVersion } = await escalatedPair();
  await closeOnCard('FalsePositive');
  await closeOnCard('FalsePositive');
  await sentinelVersion('FalsePositive');
  assert.equal((await rig.audit.query({ action: 'alert.override' })).length, 2);
  assert.equal((await rig.outcomes.get(a.ruleId, a.id))?.history.filter((s) => s.outcome === 'human_override').length, 1);
});

test('a close in Sentinel as benign overrules too, in the owner\'s name; true positives, other statuses and other incidents do not', async () => {
  const { rig, a, b, sentinelVersion, closeOnCard } = await escalatedPair();
  await closeOnCard('TruePositive');
  await sentinelVersion('BenignPositive', 'Active');
  assert.equal((await rig.audit.query({ action: 'alert.override' })).length, 0);
  await rig.escalation.handlers.followCardClose(
    rig.event('incident.writeback.requested', { incidentName: '5f0e1c9a-1111-4222-8333-444455556666', change: { status: 'Closed', classification: 'FalsePositive' }, actor: analyst, verb: 'incident.close' }),
    rig.ctx,
  );
  assert.equal((await rig.audit.query({ action: 'alert.override' })).length, 0);

  await sentinelVersion('BenignPositive');
  for (const alert of [a, b]) {
    const override = (await rig.records.get(alert.id))?.record.override;
    assert.deepEqual([override?.verdict, override?.by, override?.at], ['benign', 'Sam Sentinel', '2025-03-01T13:00:00Z']);
    assert.equal((await rig.outcomes.get(alert.ruleId, alert.id))?.humanVerdict, 'benign');
  }
});
