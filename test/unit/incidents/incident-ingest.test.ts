import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { CardPublisher } from '../../../src/incidents/card-publisher';
import type { Incident } from '../../../src/incidents/incident';
import { TableIncidentRepository } from '../../../src/incidents/incident-repository';
import { IncidentService } from '../../../src/incidents/incident-service';
import { createLogger } from '../../../src/logging/logger';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { StoredCardOutbox } from '../../../src/teams/card-outbox';
import { TableCardOutboxStore } from '../../../src/teams/card-outbox-store';
import type { EntityTable } from '../../../src/storage/entity-table';

const channel = '19:soc@thread.tacv2';
const v1: Incident = {
  name: '7a1c2d3e-0000-4000-8000-000000000001',
  number: 4101,
  title: 'Suspicious PowerShell on FIN-WS-042',
  severity: 'High',
  status: 'New',
  labels: [],
  tactics: ['Execution'],
  techniques: [],
  alertCount: 1,
  alertProducts: [],
  entities: [],
  lastModifiedTimeUtc: '2026-12-03T10:00:00.000Z',
  etag: '"1"',
};

/** Counts the storage calls a table receives, by kind. */
function counted(table: EntityTable): { table: EntityTable; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const wrapped = Object.fromEntries(
    Object.entries(table).map(([name, fn]) => [name, (...args: unknown[]) => ((calls[name] = (calls[name] ?? 0) + 1), (fn as (...a: unknown[]) => unknown)(...args))]),
  ) as unknown as EntityTable;
  return { table: wrapped, calls };
}

function rig() {
  const incidents = counted(memoryEntityTable());
  const cards = counted(memoryEntityTable());
  const repository = new TableIncidentRepository(incidents.table);
  const outbox = new StoredCardOutbox(new TableCardOutboxStore(cards.table));
  const logger = createLogger({ level: 'silent' });
  const subscriptions = { list: async () => [] };
  const routing = { rules: [{ match: { severity: ['High' as const] }, conversationId: channel }] };
  const publisher = new CardPublisher({ outbox, incidents: repository, subscriptions: subscriptions as never, routing, sentinelConnected: true, logger });
  const service = new IncidentService({ incidents: repository, publisher, audit: new MemoryAuditLog(), logger, intake: { accept: async () => ({ accepted: true }) as never } });
  const reset = () => [incidents.calls, cards.calls].forEach((c) => Object.keys(c).forEach((k) => delete c[k]));
  return { service, repository, outbox, incidents: incidents.calls, cards: cards.calls, reset };
}

test('a created incident is inserted without a read first and finds no cards to look for; its card row is made', async () => {
  const r = rig();
  assert.equal((await r.service.ingest(v1, { likelyNew: true })).outcome, 'created');
  assert.equal(r.incidents.get, undefined, 'no read before the insert');
  assert.equal(r.cards.list, undefined, 'a new incident has no cards to list');
  assert.deepEqual((await r.outbox.store.list(v1.name)).map((c) => [c.conversationId, c.state]), [[channel, 'new']]);
});

test('a redelivered "created" falls back to reading: the same version changes nothing, and the existing card is marked again', async () => {
  const r = rig();
  await r.service.ingest(v1, { likelyNew: true });
  r.reset();
  assert.equal((await r.service.ingest(v1, { likelyNew: true })).outcome, 'same');
  assert.equal(r.incidents.get, 1);
  assert.equal(r.cards.list, 1, 'the card that exists is looked up, to be re-rendered');
  const newer = { ...v1, status: 'Active' as const, lastModifiedTimeUtc: '2026-12-03T10:05:00.000Z', etag: '"2"' };
  assert.equal((await r.service.ingest(newer, { likelyNew: true })).outcome, 'updated');
  assert.equal((await r.repository.get(v1.name))?.incident.status, 'Active');
  assert.equal((await r.service.ingest(v1)).outcome, 'stale');
  assert.equal((await r.outbox.store.list(v1.name)).length, 1, 'still one card row');
});
