import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { entityKey, offersFor, playbookApplies } from '../../../src/playbooks/applicability';
import { loadPlaybookCatalog, parsePlaybook } from '../../../src/playbooks/catalog';
import { closedIncident, newIncident } from '../cards/incident-fixtures';

const catalog = loadPlaybookCatalog({
  dir: resolve(__dirname, '../../../playbooks'),
  sentinel: { subscriptionId: 'd0cfe6b2-9ac0-4464-9919-dccaee2e48c0', resourceGroup: 'soc-rg' },
  publicUrl: 'https://argus.example.com',
});

const labels = (incident = newIncident()) => catalog.available().flatMap((p) => offersFor(p, incident).map((o) => o.label));

test('a High incident with a host, an account and an IP gets one button per playbook and entity', () => {
  assert.deepEqual(labels().sort(), [
    'Block IP 203.0.113.45',
    'Collect investigation package (FIN-WS-042)',
    'Disable account j.doe',
    'Isolate host FIN-WS-042',
    'Reset password of j.doe',
    'Revoke sessions of j.doe',
  ]);
  const isolate = offersFor(catalog.get('isolate-host')!, newIncident())[0];
  assert.deepEqual(isolate?.entity, { kind: 'Host', id: 'e-host-1', displayName: 'FIN-WS-042.corp.contoso.com' });
  assert.equal(offersFor(catalog.get('collect-investigation-package')!, newIncident())[0]?.entity, undefined, 'Sentinel runs act on the incident');
});

test('severity, entity kinds and the incident status decide what applies, with a reason', () => {
  const medium = { ...newIncident(), severity: 'Medium' as const };
  assert.ok(!labels(medium).includes('Reset password of j.doe'));
  assert.match((playbookApplies(catalog.get('reset-password')!, medium) as { reason: string }).reason, /applies to High incidents; this one is Medium/);
  const noHosts = { ...newIncident(), entities: newIncident().entities.filter((e) => e.kind !== 'Host') };
  assert.match((playbookApplies(catalog.get('isolate-host')!, noHosts) as { reason: string }).reason, /acts on Host entities; this incident has none/);
  assert.deepEqual(labels({ ...newIncident(), status: 'Closed' }), []);
  assert.deepEqual(labels(closedIncident()), []);
  const twoHosts = { ...newIncident(), entities: [...newIncident().entities, { kind: 'Host', id: 'e-host-2', displayName: 'FIN-WS-043', properties: { hostName: 'FIN-WS-043' } }] };
  assert.equal(offersFor(catalog.get('isolate-host')!, twoHosts).length, 2);
  assert.deepEqual(offersFor(catalog.get('collect-investigation-package')!, twoHosts).map((o) => o.label), ['Collect investigation package (2 Host entities)']);
});

test('tactics and alert products match loosely (case, spaces), and must overlap when given', () => {
  const p = (extra: string) =>
    parsePlaybook(
      `id: tt\ntitle: T\ndescription: d\nactsOn: Host\ntarget: { type: http, urlSecret: s }\nappliesTo:\n  entityKinds: [Host]\n${extra}`,
      't.yaml',
      { publicUrl: 'https://a.example' },
    );
  assert.ok(playbookApplies(p('  tactics: [command and control]'), newIncident()).ok);
  assert.ok(playbookApplies(p('  alertProducts: [microsoft defender for endpoint]'), newIncident()).ok);
  assert.ok(!playbookApplies(p('  tactics: [Exfiltration]'), newIncident()).ok);
  assert.ok(!playbookApplies(p('  alertProducts: [Microsoft Defender for Cloud Apps]'), newIncident()).ok);
});

test('entity keys are stable, short and never contain key-forbidden characters', () => {
  const id = '/subscriptions/x/resourceGroups/y/providers/Microsoft.SecurityInsights/entities/abc';
  assert.equal(entityKey({ id }), entityKey({ id }));
  assert.match(entityKey({ id }), /^[0-9a-f]{24}$/);
  assert.notEqual(entityKey({ id }), entityKey({ id: `${id}2` }));
  assert.equal(entityKey(undefined), 'incident');
});
