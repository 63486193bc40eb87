import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderIncidentCard } from '../../../src/cards';
import { cardProblems, textOf } from '../cards/card-checker';
import { escalationRig, fakeSentinel } from './escalation-setup';
import { testAlert } from './triage-setup';

const at = (minutes: number) => new Date(Date.parse('2025-03-01T10:00:00Z') + minutes * 60_000).toISOString();

test('an escalated alert makes an Argus incident: numbered, stored, published, audited; the record names it; no triage card', async () => {
  const rig = escalationRig();
  const alert = testAlert();
  const record = await rig.receive(alert);
  assert.equal(record?.decision, 'escalate');
  assert.equal(record?.incident?.number, 1);
  const stored = await rig.incidents.get(record!.incident!.name);
  const i = stored!.incident;
  assert.deepEqual([i.number, i.status, i.severity, i.labels, i.alertCount, i.alertProducts], [1, 'New', 'High', ['argus-triage'], 1, ['Argus triage']]);
  assert.equal(i.title, alert.title);
  assert.match(i.description ?? '', /rule rule-encoded-powershell on host FIN-WS-042, score 0\.9/);
  assert.deepEqual(i.entities.map((e) => [e.kind, e.displayName]), [['Host', 'FIN-WS-042'], ['Ip', '198.51.100.23']]);
  assert.deepEqual(rig.published, [{ name: i.name }]);
  assert.equal(rig.posts.length, 0, 'the incident card is the card: no escalation card');
  assert.equal((await rig.outcomes.get(alert.ruleId, alert.id))?.state, 'escalated');
  assert.deepEqual((await rig.audit.query({ action: 'incident.create' })).map((r) => [r.outcome, r.target, r.detail.number]), [['succeeded', i.name, 1]]);
  assert.deepEqual((await rig.audit.query({ action: 'alert.escalate' })).map((r) => [r.target, r.detail.joined]), [[alert.id, false]]);
});

test('later alerts of the rule on the host within the window join the incident; after the window, or on another host, a new one', async () => {
  const rig = escalationRig();
  const first = await rig.receive(testAlert({ detectedAt: at(0) }));
  const second = testAlert({ detectedAt: at(59) });
  const joined = await rig.receive(second);
  assert.deepEqual(joined?.incident, first?.incident);
  const name = first!.incident!.name;
  assert.equal((await rig.incidents.get(name))?.incident.alertCount, 2, 'an Argus incident counts its alerts');
  assert.equal(rig.published.at(-1)?.name, name);
  assert.match(rig.published.at(-1)?.note ?? '', new RegExp(`^Alert joined: .* alert ${second.id}\\)$`));
  assert.deepEqual((await rig.store.members(name)).map((m) => m.alertId), [first!.alertId, second.id]);

  const later = await rig.receive(testAlert({ detectedAt: at(61) }));
  assert.equal(later?.incident?.number, 2, 'past the window: a new incident');
  const elsewhere = await rig.receive(testAlert({ detectedAt: at(62), event: { Computer: 'FIN-WS-043' } }));
  assert.equal(elsewhere?.incident?.number, 3, 'another host: another incident');
  const back = await rig.receive(testAlert({ detectedAt: at(70) }));
  assert.deepEqual(back?.incident, later?.incident, 'the newer group is the one alerts join now');
  assert.equal((await rig.audit.query({ action: 'incident.create' })).length, 3);

  const stored = (await rig.incidents.get(later!.incident!.name))!;
  await rig.incidents.save({ incident: { ...stored.incident, status: 'Closed', classification: 'TruePositive' } }, stored.etag);
  const afterClose = await rig.receive(testAlert({ detectedAt: at(75) }));
  assert.equal(afterClose?.incident?.number, 4, 'a closed incident takes no more alerts');
});

test('the incident card lists the joined alerts (parsed by the official parser)', async () => {
  const rig = escalationRig();
  const first = await rig.receive(testAlert({ detectedAt: at(0) }));
  await rig.receive(testAlert({ detectedAt: at(5), title: 'Second [x](https://evil.example/) PowerShell' }));
  const record = (await rig.incidents.get(first!.incident!.name))!;
  const section = await rig.escalation.cardSections![0]!(record, { role: 'responder' });
  const card = renderIncidentCard({ incident: record.incident, sentinelConnected: false, showActions: true, ...section });
  assert.deepEqual(cardProblems(card), []);
  const text = textOf(card);
  assert.match(text, /Escalated alerts \(2\) · rule rule-encoded-powershell/);
  assert.match(text, /Second \[x\] \(https/, 'alert titles are never links');
  assert.match(text, /Score 0\.9\d*/);
});

test('a retried alert event neither makes a second incident nor joins twice', async () => {
  const rig = escalationRig();
  const first = testAlert({ detectedAt: at(0) });
  const second = testAlert({ detectedAt: at(1) });
  await rig.receive(first);
  await rig.receive(second);
  const notes = rig.published.filter((p) => p.note).length;
  // The second alert's event again, as if its record had not been written yet.
  const { incident: _dropped, ...withoutIncident } = (await rig.records.get(second.id))!.record;
  await rig.escalation.port.escalate(withoutIncident);
  await rig.receive(first);
  await rig.receive(second);
  const name = (await rig.records.get(first.id))!.record.incident!.name;
  assert.equal((await rig.store.group(name))?.count, 2);
  assert.equal((await rig.audit.query({ action: 'incident.create' })).length, 1);
  assert.equal(rig.published.filter((p) => p.note).length, notes, 'no second thread note for one join');
});

test('two instances racing on one rule + host make one incident', async () => {
  const one = escalationRig();
  const two = escalationRig({ shared: one.tables });
  const alerts = Array.from({ length: 6 }, (_, n) => testAlert({ detectedAt: at(n) }));
  const records = await Promise.all(alerts.map((a, n) => (n % 2 ? two : one).receive(a)));
  assert.equal(new Set(records.map((r) => r?.incident?.name)).size, 1);
  assert.deepEqual(new Set(records.map((r) => r?.incident?.number)), new Set([1]));
  assert.equal((await one.store.group(records[0]!.incident!.name))?.count, 6);
  assert.equal((await one.audit.query({ action: 'incident.create' })).length, 1);
});

test('Sentinel: the incident is made there; a joined alert is named in one comment however often its event runs', async () => {
  const sentinel = fakeSentinel();
  const rig = escalationRig({ sentinel });
  const first = await rig.receive(testAlert({ detectedAt: at(0) }));
  const name = first!.incident!.name;
  const made = sentinel.incidents.get(name)!;
  assert.deepEqual([made.title, made.severity, made.status, made.labels], [first!.alert.title, 'High', 'New', ['argus-triage']]);
  assert.equal(first?.incident?.number, made.number);
  assert.equal((await rig.incidents.get(name))?.incident.number, made.number, 'Sentinel\'s answer is stored for the webhook that follows');
  const second = testAlert({ detectedAt: at(3), title: 'PowerShell <img src=x onerror=alert(1)>' });
  await rig.receive(second);
  const { incident: _dropped, ...again } = (await rig.records.get(second.id))!.record;
  await rig.escalation.port.escalate(again);
  assert.equal(sentinel.comments.size, 1);
  const [comment] = [...sentinel.comments.values()];
  assert.equal(comment?.incident, name);
  assert.match(comment?.message ?? '', new RegExp(`alert ${second.id}`));
  assert.match(comment?.message ?? '', /PowerShell &lt;img src=x onerror=alert\(1\)&gt;/, 'the alert\'s words are never markup in Sentinel');
  assert.equal(sentinel.state.puts, 1);
});

test('an outage while making the incident is handed over as a durable request, audited as failed, and done once on retry', async () => {
  const sentinel = fakeSentinel();
  const rig = escalationRig({ sentinel });
  const alert = testAlert();
  sentinel.state.failNext = 1;
  await assert.rejects(rig.receive(alert), { code: 'ARGUS_DEPENDENCY_UNAVAILABLE' });
  assert.deepEqual(rig.accepted.map((a) => [a.name, a.idempotencyKey, a.payload.alertId]), [['alert.escalation.requested', `alert-escalation|${alert.id}`, alert.id]]);
  assert.deepEqual((await rig.audit.query({ action: 'incident.create' })).map((r) => r.outcome), ['failed']);
  assert.equal((await rig.records.get(alert.id))?.record.incident, undefined);

  await rig.escalation.handlers.escalate(rig.event('alert.escalation.requested', rig.accepted[0]!.payload), rig.ctx);
  await rig.receive(alert); // the alert event's own retry finds it done
  assert.equal((await rig.records.get(alert.id))?.record.incident?.number, 100);
  assert.equal(sentinel.incidents.size, 1);
  assert.deepEqual((await rig.audit.query({ action: 'incident.create' })).map((r) => r.outcome), ['failed', 'succeeded']);
});

test('Escalate on the review card asks durably, then the incident is made in the analyst\'s name', async () => {
  const rig = escalationRig();
  const alert = testAlert({ indicators: [{ type: 'ip', value: '203.0.113.9' }] });
  assert.equal((await rig.receive(alert))?.decision, 'review');
  const press = rig.triage.actions!.find((a) => a.verb === 'alert.escalate')!;
  const actor = { name: 'Rui Responder', aadObjectId: '10000000-0000-4000-8000-000000000002', tenantId: 'aaaaaaaa-0000-4000-8000-000000000001' };
  const answer = await press.handle({ actor, decision: { role: 'responder', roles: ['responder'], federated: false, reasons: [] }, conversationId: 'c', rawConversationId: 'c', conversationKind: 'channel', correlationId: 'corr-9', log: rig.ctx.log, data: { alertId: alert.id } });
  assert.ok('card' in answer);
  assert.deepEqual(rig.accepted.map((a) => [a.name, a.payload.actor?.name]), [['alert.escalation.requested', 'Rui Responder']]);
  assert.equal(rig.posts.length, 1, 'only the review card: the escalation is an incident');
  await rig.escalation.handlers.escalate(rig.event('alert.escalation.requested', rig.accepted[0]!.payload), rig.ctx);
  assert.equal((await rig.records.get(alert.id))?.record.incident?.number, 1);
  assert.deepEqual((await rig.audit.query({ action: 'incident.create' })).map((r) => r.actorName), ['Rui Responder']);
});
