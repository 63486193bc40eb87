import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { argusIncidentCreator } from '../../../src/incidents/argus-incident-creator';
import { TableIncidentCounter } from '../../../src/incidents/incident-counter';
import type { IncidentDraft } from '../../../src/incidents/incident-creator';
import { TableIncidentRepository } from '../../../src/incidents/incident-repository';
import { sentinelIncidentCreator } from '../../../src/incidents/sentinel-incident-creator';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { fakeSentinel } from '../triage/escalation-setup';

const draft = (overrides: Partial<IncidentDraft> = {}): IncidentDraft => ({ title: 'Suspicious sign-in', severity: 'Medium', labels: ['reported'], reason: 'test', ...overrides });

function rig(table = memoryEntityTable()) {
  const incidents = new TableIncidentRepository(table);
  const audit = new MemoryAuditLog();
  const published: string[] = [];
  const deps = { incidents, audit, publisher: { publish: async (name: string) => void published.push(name) } };
  return { table, incidents, audit, published, deps };
}

test('Argus incidents: numbered from the counter, unique across instances racing, stored as New and published', async () => {
  const table = memoryEntityTable();
  const [one, two] = [rig(table), rig(table)];
  const creators = [one, two].map((r) => argusIncidentCreator({ ...r.deps, counter: new TableIncidentCounter(table) }));
  const made = await Promise.all(Array.from({ length: 10 }, (_, n) => creators[n % 2]!.create(draft({ title: `Incident ${n}` }))));
  assert.deepEqual(made.map((m) => m.number).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const stored = await one.incidents.get(made[0]!.name);
  assert.deepEqual([stored?.incident.status, stored?.incident.title, stored?.incident.labels], ['New', 'Incident 0', ['reported']]);
  assert.match(made[0]!.name, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal((await one.incidents.listOpen()).length, 10, 'the counter row is not an incident');
  assert.equal(one.published.length + two.published.length, 10);
  assert.equal((await one.audit.query({ action: 'incident.create' })).length + (await two.audit.query({ action: 'incident.create' })).length, 10);
});

test('Argus incidents: the same name again answers the incident made, without a number or an audit row more', async () => {
  const r = rig();
  const creator = argusIncidentCreator({ ...r.deps, counter: new TableIncidentCounter(r.table) });
  const name = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const first = await creator.create(draft({ name }));
  const again = await creator.create(draft({ name, title: 'Something else' }));
  assert.deepEqual(again, first);
  assert.equal((await creator.create(draft())).number, 2, 'no number was taken by the repeat');
  assert.equal((await r.incidents.get(name))?.incident.title, 'Suspicious sign-in');
  assert.equal((await r.audit.query({ action: 'incident.create', target: name })).length, 1);
  await assert.rejects(creator.create(draft({ name: '../incidents' })), { code: 'ARGUS_BAD_REQUEST' });
});

test('Sentinel incidents: made there, stored unless the webhook stored it first, published; a failure is audited and thrown', async () => {
  const r = rig();
  const sentinel = fakeSentinel();
  const creator = sentinelIncidentCreator({ ...r.deps, sentinel });
  const made = await creator.create(draft({ entities: [{ kind: 'Host', id: 'h', displayName: 'dc01', properties: {} }] }));
  assert.equal(made.number, sentinel.incidents.get(made.name)?.number);
  const stored = await r.incidents.get(made.name);
  assert.deepEqual([stored?.incident.number, stored?.incident.entities.map((e) => e.displayName)], [made.number, ['dc01']]);
  assert.deepEqual(r.published, [made.name]);

  // The webhook's newer version is already stored: a repeated create leaves it alone.
  await r.incidents.save({ incident: { ...stored!.incident, status: 'Active' } }, stored!.etag);
  assert.deepEqual(await creator.create(draft({ name: made.name })), made);
  assert.equal((await r.incidents.get(made.name))?.incident.status, 'Active');
  assert.deepEqual((await r.audit.query({ action: 'incident.create' })).map((x) => x.outcome), ['succeeded']);

  sentinel.state.failNext = 1;
  await assert.rejects(creator.create(draft()), { code: 'ARGUS_DEPENDENCY_UNAVAILABLE' });
  assert.deepEqual((await r.audit.query({ action: 'incident.create' })).map((x) => [x.outcome, x.detail.code]), [['succeeded', undefined], ['failed', 'ARGUS_DEPENDENCY_UNAVAILABLE']]);
});
