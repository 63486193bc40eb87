import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_CARD_BYTES, measureCardBytes, renderIncidentCard } from '../../../src/cards';
import type { CardViewer } from '../../../src/incidents/card-publisher';
import type { Incident } from '../../../src/incidents/incident';
import type { IncidentRecord } from '../../../src/incidents/incident-repository';
import { investigateCardDecorator } from '../../../src/queries/card-section';
import { loadQueryCatalog, QueryCatalog } from '../../../src/queries/catalog';
import { entityRef, findEntity } from '../../../src/queries/query-run';
import { actionsOf, allObjects, cardProblems } from '../cards/card-checker';
import { newIncident } from '../cards/incident-fixtures';

const catalog = loadQueryCatalog(`${__dirname}/../../../queries`);
/** The shipped catalog with ip-signins opened to readers. */
const withReaderQuery = new QueryCatalog(catalog.queries.map((q) => (q.definition.id === 'ip-signins' ? { ...q, definition: { ...q.definition, requiredRole: 'reader' as const } } : q)));

/** `viewer` left out: an admin, who may run every query. */
async function card(incident: Incident, viewer: CardViewer = { role: 'admin' }, options: { configured?: boolean; readerIpQuery?: boolean } = {}) {
  const decorate = investigateCardDecorator({ catalog: options.readerIpQuery ? withReaderQuery : catalog, configured: options.configured ?? true });
  const part = await decorate({ incident } as IncidentRecord, viewer);
  return renderIncidentCard({ incident, sentinelConnected: true, showActions: true, ...part });
}

const menus = (c: unknown) => actionsOf(c).filter((a) => a.type === 'Action.ShowCard' && String(a.title).startsWith('Investigate '));
const runs = (c: unknown) => actionsOf(c).filter((a) => a.verb === 'query.run');

test('each entity with queries gets an Investigate menu whose buttons carry {incidentId, queryId, entityId}; the card parses', async () => {
  const incident = newIncident();
  const c = await card(incident);
  assert.deepEqual(cardProblems(c), []);
  assert.deepEqual(
    menus(c).map((m) => m.title),
    ['Investigate FIN-WS-042.corp.contoso.com', 'Investigate j.doe@contoso.com', 'Investigate 203.0.113.45', 'Investigate http://203.0.113.45/a.ps1', 'Investigate SHA256:f8810179ab033a9b79cd7006c1a74fbc…'],
  );
  const hostButtons = actionsOf(menus(c)[0]!.card).filter((a) => a.verb === 'query.run');
  assert.deepEqual(
    hostButtons.map((a) => [a.title, a.data]),
    [
      ['File changes on this host, last 24 h', { incidentId: incident.name, queryId: 'host-file-events', entityId: 'e-host-1' }],
      ['Network connections of this host, last 24 h', { incidentId: incident.name, queryId: 'host-network-events', entityId: 'e-host-1' }],
      ['Process events on this host, last 24 h', { incidentId: incident.name, queryId: 'host-process-events', entityId: 'e-host-1' }],
    ],
  );
});

test('a viewer sees only the queries their role may run; someone without a role, or a workspace not configured, gets no menu', async () => {
  const incident = newIncident();
  assert.equal(runs(await card(incident, { role: 'reader' })).length, 0, 'every shipped query needs a responder');
  assert.deepEqual(
    runs(await card(incident, { role: 'reader' }, { readerIpQuery: true })).map((a) => (a.data as { queryId: string }).queryId),
    ['ip-signins'],
  );
  assert.equal(runs(await card(incident, { role: 'responder' })).length, catalog.queries.length);
  assert.equal(runs(await card(incident, {})).length, 0);
  assert.equal(runs(await card(incident, undefined, { configured: false })).length, 0);
  assert.equal(allObjects(await card(incident, undefined, { configured: false })).filter((o) => o.id === 'section-investigate').length, 0);
});

test('long Sentinel entity ids travel as a short reference the server resolves; many entities still fit the size limit', async () => {
  const base = newIncident();
  const armId = (n: number) => `/subscriptions/0000/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/Entities/${String(n).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`;
  const entities = Array.from({ length: 60 }, (_, i) => ({
    kind: ['Host', 'Account', 'Ip', 'Url', 'FileHash'][i % 5]!,
    id: armId(i),
    displayName: `entity-${i}-${'n'.repeat(80)}`,
    properties: { hostName: `HOST-${i}`, accountName: `user${i}`, upnSuffix: 'contoso.com', address: `198.51.100.${i}`, url: `https://x${i}.example/`, hashValue: 'ab'.repeat(32) },
  }));
  const incident = { ...base, entities };
  const c = await card(incident);
  assert.deepEqual(cardProblems(c), []);
  assert.ok(measureCardBytes(c) <= MAX_CARD_BYTES);
  assert.ok(menus(c).length >= 2, 'some menus survive truncation');
  assert.match(JSON.stringify(c), /entities with queries not shown \(the card is full\)/);
  const ref = (runs(c)[0]!.data as { entityId: string }).entityId;
  assert.match(ref, /^h:[0-9a-f]{24}$/);
  assert.equal(findEntity(incident, ref)?.id, armId(0));
  assert.equal(entityRef({ id: 'e-host-1' }), 'e-host-1');
});
