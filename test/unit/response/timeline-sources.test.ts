import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { findTechnique, isTechniqueId } from '../../../src/response/attack';
import type { EvidenceSummary } from '../../../src/response/evidence-port';
import { TableResponseStore } from '../../../src/response/response-store';
import { incidentTimeline, type TimelinePorts } from '../../../src/response/timeline-sources';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { ransomwareIncident } from './response-fixtures';

const incident = ransomwareIncident({
  createdTimeUtc: '2026-03-02T10:00:00Z',
  firstActivityTimeUtc: '2026-03-02T09:55:00Z',
  lastActivityTimeUtc: '2026-03-02T10:40:00Z',
  tactics: ['InitialAccess', 'Impact'],
  techniques: ['T1486', 'T1566'],
  alertProducts: ['Microsoft Defender for Endpoint'],
});

async function world() {
  let clock = Date.parse('2026-03-02T10:05:00Z');
  const audit = new MemoryAuditLog({ now: () => new Date(clock) });
  const at = async (iso: string, entry: Parameters<MemoryAuditLog['append']>[0]) => {
    clock = Date.parse(iso);
    await audit.append(entry);
  };
  const table = memoryEntityTable();
  const store = new TableResponseStore(table);
  await store.create(incident.name, {
    phase: 'investigation',
    since: '2026-03-02T10:12:00Z',
    history: [
      { phase: 'detection', at: '2026-03-02T10:00:00Z', by: 'Argus' },
      { phase: 'investigation', at: '2026-03-02T10:12:00Z', by: 'Ana Silva' },
    ],
  });
  const base = { actorName: 'Ana Silva', target: incident.name, correlationId: 'c1' };
  await at('2026-03-02T10:10:00Z', { ...base, action: 'card.incident.acknowledge', outcome: 'allowed' });
  await at('2026-03-02T10:11:00Z', { ...base, action: 'card.incident.close', outcome: 'denied', actorName: 'Rita Reader' });
  await at('2026-03-02T10:15:00Z', { ...base, action: 'playbook.run.succeeded', outcome: 'succeeded', detail: { playbookId: 'isolate-host' } });
  await at('2026-03-02T10:16:00Z', { ...base, action: 'card.incident.view', outcome: 'allowed' });
  await at('2026-03-02T10:18:00Z', { ...base, action: 'ticket.created', outcome: 'succeeded', actorName: 'Argus', detail: { number: 'INC0010001' } });
  await at('2026-03-02T10:20:00Z', { ...base, action: 'clock.started', outcome: 'succeeded', detail: { regime: 'gdpr' } });
  await at('2026-03-02T10:21:00Z', { ...base, action: 'card.incident.comment', outcome: 'allowed' });
  await at('2026-03-02T10:22:00Z', { ...base, action: 'card.incident.acknowledge', outcome: 'allowed', target: 'another-incident' });
  const evidence: EvidenceSummary[] = [
    { evidenceId: 'ev-1', incidentId: incident.name, filename: 'memory.dmp', sha256: 'a'.repeat(64), size: 1, purpose: 'p', custodian: 'Ana Silva', registeredAt: '2026-03-02T10:30:00Z', registeredBy: 'Ana Silva' },
  ];
  const ports: TimelinePorts = { audit, evidence: { listFor: async (id) => evidence.filter((e) => e.incidentId === id) }, response: store };
  return ports;
}

test('the timeline tells alerts, entities, phases, actions, playbooks, tickets, clocks, comments and evidence in time order', async () => {
  const { entries, chain } = await incidentTimeline(await world(), incident);
  const host = incident.entities[0]!;
  assert.deepEqual(
    entries.filter((e) => e.kind !== 'entity' || e.title.includes(host.displayName)).map((e) => [e.at.slice(11, 16), e.kind, e.title, e.actor ?? '', e.tactic ?? '', e.technique ?? '']),
    [
      ['09:55', 'alert', `Alert: ${incident.title} (Microsoft Defender for Endpoint)`, '', 'Impact', 'T1486'],
      ['09:55', 'entity', `${host.kind}: ${host.displayName}`, '', '', ''],
      ['10:00', 'phase', 'Phase: Detection', 'Argus', '', ''],
      ['10:10', 'action', 'Acknowledged', 'Ana Silva', '', ''],
      ['10:12', 'phase', 'Phase: Investigation', 'Ana Silva', '', ''],
      ['10:15', 'playbook', 'Playbook succeeded: isolate-host', 'Ana Silva', '', ''],
      ['10:18', 'ticket', 'Ticket created: INC0010001', 'Argus', '', ''],
      ['10:20', 'clock', 'Compliance clock started: GDPR', 'Ana Silva', '', ''],
      ['10:21', 'comment', 'Comment added', 'Ana Silva', '', ''],
      ['10:30', 'evidence', 'Evidence registered: memory.dmp', 'Ana Silva', '', ''],
      ['10:40', 'alert', `Last seen: ${incident.title} (Microsoft Defender for Endpoint)`, '', 'Impact', 'T1486'],
    ],
  );
  assert.equal(entries.find((e) => e.technique === 'T1486')?.techniqueName, 'Data Encrypted for Impact');
  assert.equal(entries.filter((e) => e.kind === 'entity').length, incident.entities.length);
  assert.deepEqual(chain, [
    { tactic: 'Initial Access', techniques: [{ id: 'T1566', name: 'Phishing' }] },
    { tactic: 'Impact', techniques: [{ id: 'T1486', name: 'Data Encrypted for Impact' }] },
  ]);
});

test('escalated alerts are told each at its own detection time, before the incident-level entry', async () => {
  const ports = await world();
  const { entries } = await incidentTimeline(
    { ...ports, alerts: async () => [{ id: 'a1', displayName: 'PowerShell download cradle', productName: 'Argus detections', firstSeen: '2026-03-02T09:50:00Z', tactics: [], techniques: [], tags: ['attack.execution', 'attack.t1059.001'] }] },
    incident,
  );
  assert.deepEqual(entries.slice(0, 2).map((e) => [e.at.slice(11, 16), e.title, e.tactic, e.technique, e.techniqueName]), [
    ['09:50', 'Alert: PowerShell download cradle (Argus detections)', 'Execution', 'T1059.001', 'PowerShell'],
    ['09:55', `Alert: ${incident.title} (Microsoft Defender for Endpoint)`, 'Impact', 'T1486', 'Data Encrypted for Impact'],
  ]);
});

/** Every `attack.tNNNN` tag of the shipped detection rules. */
function shippedTechniqueTags(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...shippedTechniqueTags(path));
    else if (/\.ya?ml$/.test(name)) out.push(...(readFileSync(path, 'utf8').match(/attack\.t\d{4}(?:\.\d{3})?/gi) ?? []));
  }
  return out;
}

test('every technique the shipped rules and the timeline tests name is in the bundled ATT&CK table (an unknown id fails)', () => {
  const ids = [...shippedTechniqueTags(resolve(__dirname, '../../../detections')), ...incident.techniques, 'T1059.001'];
  assert.ok(ids.length > 5);
  const unknown = ids.filter((id) => !isTechniqueId(id) || !findTechnique(id));
  assert.deepEqual(unknown, [], `unknown ATT&CK technique ids: ${unknown.join(', ')}`);
  assert.equal(findTechnique('T1486.999'), undefined);
});
