import { baseCardViewer } from '../../../src/incidents/card-publisher';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Role } from '../../../src/access/roles';
import { TableAuditLog } from '../../../src/audit/table-audit-log';
import type { IncidentCardView } from '../../../src/cards';
import { incidentSummary } from '../../../src/cli/incident-command';
import { timelineMarkdown, timelineOf } from '../../../src/cli/incident-timeline';
import { TableIncidentRepository } from '../../../src/incidents/incident-repository';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { tableImpactStore } from '../../../src/response/impact-store';
import { createTimelineFeature } from '../../../src/response/timeline-feature';
import type { EntityTable } from '../../../src/storage/entity-table';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { tableNames, type TableStore } from '../../../src/storage/table-store';
import type { CardActionDefinition, RequestContext } from '../../../src/teams/registry';
import { ransomwareIncident } from './response-fixtures';

const incident = ransomwareIncident({ severity: 'Medium', createdTimeUtc: '2026-03-02T10:00:00Z', techniques: ['T1486'] });

async function world() {
  const tables: Record<string, EntityTable> = Object.fromEntries(Object.values(tableNames).map((t) => [t, memoryEntityTable()]));
  const store = { client: (name: string) => tables[name] } as unknown as TableStore;
  const repo = new TableIncidentRepository(tables[tableNames.incidents]!);
  await repo.save({ incident }, undefined);
  // The audit table the CLI reads too.
  const audit = new TableAuditLog({ client: tables[tableNames.audit]! });
  const rendered: Array<Partial<Omit<IncidentCardView, 'notice'>> & { notice?: string }> = [];
  const started = new Set<string>();
  const feature = createTimelineFeature({
    timeline: { audit, evidence: { listFor: async () => [] }, response: { load: async () => ({ steps: [] }) } },
    impacts: tableImpactStore(tables[tableNames.response]!),
    clockStarted: async (_id, regime) => started.has(regime),
    incidents: repo,
    publisher: {
      // The card as the sections would draw it: what the decorator and the verb hand over.
      render: async (record, viewer, extra) => {
        const section = await feature.cardSections![0]!(record, viewer ?? baseCardViewer);
        rendered.push({ ...section, ...extra, notice: record.notice?.text });
        return {};
      },
      publish: async () => undefined,
    },
    audit,
    logger: createLogger({ level: 'warn', destination: createMemoryLogStream() }),
  });
  const verb = (name: string) => feature.actions!.find((a) => a.verb === name) as CardActionDefinition;
  return { store, audit, rendered, started, verb, feature };
}

const ctx = (data: Record<string, unknown>, role: Role = 'responder') =>
  ({
    actor: { aadObjectId: 'oid-ana', name: 'Ana Silva', tenantId: 't1' },
    decision: { role, roles: [role], federated: false, reasons: [] },
    conversationId: 'c',
    rawConversationId: 'c',
    conversationKind: 'channel',
    correlationId: 'corr-1',
    log: createLogger({ level: 'warn', destination: createMemoryLogStream() }),
    data: { incidentId: incident.name, ...data },
  }) as RequestContext & { data: Record<string, unknown> };

test('the verbs and their least roles: the timeline for readers, the impact for responders', async () => {
  const { feature } = await world();
  assert.deepEqual(feature.actions!.map((a) => [a.verb, a.role, a.needsIncident]), [
    ['incident.timeline', 'reader', true],
    ['incident.impact', 'responder', true],
  ]);
});

test('incident.impact: validated on the server, audited, stored; the card shows level, severity and a clock button per regime not started', async () => {
  const w = await world();
  const bad = await w.verb('incident.impact').handle(ctx({ financial: 'lots', operational: 'major', reputational: 'low', affectedUsers: '-2' }));
  assert.ok('card' in bad);
  assert.match(w.rendered.at(-1)?.notice ?? '', /^Impact not saved: financial: .*; affectedUsers: must be a whole number from 0\.$/);
  assert.equal(await tableImpactStore(w.store.client(tableNames.response) as never).get(incident.name), undefined, 'a bad form changes nothing');
  assert.equal((await w.audit.query({ action: 'incident.impact' }))[0]?.outcome, 'rejected');

  w.started.add('nis2');
  const form = { financial: '10k-100k', operational: 'major', reputational: 'low', regimes: 'gdpr,nis2,pci', affectedAssets: '12', affectedUsers: '40', downtimeMinutes: '90', note: 'another form input' };
  await w.verb('incident.impact').handle(ctx(form));
  const shown = w.rendered.at(-1)!;
  assert.equal(shown.notice, 'Impact high: suggests severity High (now Medium).');
  assert.equal(shown.impact?.assessment?.level, 'high');
  assert.equal(shown.impact?.assessment?.suggestedSeverity, 'High');
  assert.match(shown.impact?.assessment?.rule ?? '', /operational major → 3 \(high\)/);
  assert.deepEqual(shown.impact?.clockRegimes, ['gdpr'], 'PCI DSS has no clock; NIS2 runs already');
  const row = (await w.audit.query({ action: 'incident.impact' })).at(-1)!;
  assert.deepEqual([row.outcome, row.actorName, row.target, row.detail.level, row.detail.suggestedSeverity, row.detail.regimes], ['succeeded', 'Ana Silva', incident.name, 'high', 'High', ['gdpr', 'nis2', 'pci']]);

  const summary = await incidentSummary(w.store, incident.number);
  assert.deepEqual(summary.impact, {
    financial: '10k-100k', operational: 'major', reputational: 'low', regimes: ['gdpr', 'nis2', 'pci'], affectedAssets: 12, affectedUsers: 40, downtimeMinutes: 90,
    level: 'high', suggestedSeverity: 'High', rule: 'Impact is the worst dimension (each scored 0–4): operational major → 3 (high).',
    assessedAt: (summary.impact as { assessedAt: string }).assessedAt, assessedBy: 'Ana Silva',
  });
});

test('incident.timeline answers the card for that viewer with the ATT&CK chain and the entries; the CLI prints the §9 shape', async () => {
  const w = await world();
  await w.audit.append({ action: 'card.incident.acknowledge', outcome: 'allowed', actorName: 'Ana Silva', target: incident.name, correlationId: 'c' });
  await w.verb('incident.timeline').handle(ctx({}, 'reader'));
  const shown = w.rendered.at(-1)!;
  assert.deepEqual(shown.timeline?.chain, [{ tactic: 'Impact', techniques: [{ id: 'T1486', name: 'Data Encrypted for Impact' }] }]);
  assert.equal(shown.impact?.canAssess, false, 'a reader is offered no form');
  assert.deepEqual(shown.timeline?.entries.map((e) => e.kind).filter((k) => k !== 'entity').sort(), ['alert', 'alert', 'action'].sort(), 'first and last seen, and the acknowledgement');

  const entries = await timelineOf(w.store, incident.number);
  assert.deepEqual(Object.keys(entries[0]!), ['at', 'kind', 'title', 'tactic', 'technique', 'techniqueName']);
  const ack = entries.find((e) => e.kind === 'action');
  assert.deepEqual(ack, { at: ack?.at, kind: 'action', title: 'Acknowledged', actor: 'Ana Silva' });
  const md = timelineMarkdown(incident.number, [{ at: '2026-03-02T10:00:00Z', kind: 'comment', title: 'a | b' }]);
  assert.match(md, /\| 2026-03-02T10:00:00Z \| comment \| a \\\| b \| {2}\| {2}\| {2}\|$/);
});
