import { resolve } from 'node:path';
import type { Actor, Role } from '../../../src/access/roles';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import type { Incident, IncidentStatus } from '../../../src/incidents/incident';
import type { IncidentRecord } from '../../../src/incidents/incident-repository';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { loadPlaybookCatalog } from '../../../src/playbooks/catalog';
import type { EvidenceSummary } from '../../../src/response/evidence-port';
import type { PhaseDeps } from '../../../src/response/phase-change';
import { defaultGatePolicy } from '../../../src/response/phases';
import { loadPlanCatalog } from '../../../src/response/plan-catalog';
import type { ResponseActor, RunRequestOutcome, RunState } from '../../../src/response/response-ports';
import { TableResponseStore } from '../../../src/response/response-store';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { newIncident } from '../cards/incident-fixtures';

const playbookCatalog = loadPlaybookCatalog({
  dir: resolve(__dirname, '../../../playbooks'),
  sentinel: { subscriptionId: 'd0cfe6b2-9ac0-4464-9919-dccaee2e48c0', resourceGroup: 'soc-rg' },
  publicUrl: 'https://argus.example.com',
});
export const playbookFacts = (id: string) => {
  const p = playbookCatalog.get(id);
  return p ? { approvalRequired: p.approval !== undefined } : undefined;
};
export const shippedPlans = loadPlanCatalog({ dir: resolve(__dirname, '../../../plans'), playbook: playbookFacts });

/** The fixture incident made a ransomware case: a host, the impact tactic, a ransom title. */
export function ransomwareIncident(over: Partial<Incident> = {}): Incident {
  return { ...newIncident(), title: 'Ransomware encrypted files on FIN-WS-042', tactics: ['Impact'], ...over };
}

export function person(role: Role | undefined, name = 'Rui Responder'): ResponseActor {
  const actor: Actor = { aadObjectId: `oid-${name.split(' ')[0]?.toLowerCase()}`, name, tenantId: 't1' };
  return { actor, decision: { role, roles: role ? [role] : [], federated: false, reasons: [] }, correlationId: `c-${Math.random().toString(16).slice(2)}` };
}

/**
 * The response module's ports, faked at their edge: incidents in memory (status changes recorded,
 * as Sentinel write-backs would be), playbook runs whose state a test sets, evidence a test adds.
 */
export function responseWorld(incident: Incident = ransomwareIncident()) {
  const table = memoryEntityTable();
  const records = new Map<string, IncidentRecord>([[incident.name, { incident, etag: '1' }]]);
  const statusChanges: { status?: IncidentStatus; summary: string; threadNote?: string }[] = [];
  const requested: { playbookId: string; by?: string }[] = [];
  const runStates = new Map<string, { state: RunState; label: string; message?: string }>();
  const evidence: EvidenceSummary[] = [];
  const notes: string[] = [];
  let runs = 0;
  let nextOutcome: ((playbookId: string) => RunRequestOutcome[]) | undefined;
  const logs = createMemoryLogStream();
  const deps: PhaseDeps = {
    store: new TableResponseStore(table),
    plans: shippedPlans,
    audit: new MemoryAuditLog(),
    gates: defaultGatePolicy,
    postMortems: { completed: async (id) => (await table.get(id, 'postmortem'))?.status === 'completed' },
    evidence: {
      listFor: async (id) => evidence.filter((e) => e.incidentId === id),
      find: async (id, evidenceId) => evidence.find((e) => e.incidentId === id && e.evidenceId === evidenceId),
    },
    incidents: {
      get: async (id) => records.get(id),
      async record(id, change) {
        const r = records.get(id)!;
        statusChanges.push({ status: change.status, summary: change.summary, threadNote: change.threadNote });
        const next = { ...r, incident: { ...r.incident, status: change.status ?? r.incident.status } };
        records.set(id, next);
        return next;
      },
    },
    playbooks: {
      async request(who, input) {
        requested.push({ playbookId: input.playbookId, by: who.actor.name });
        if (nextOutcome) return nextOutcome(input.playbookId);
        runs += 1;
        const runId = `run-${runs}`;
        runStates.set(runId, { state: 'active', label: 'Triggered' });
        return [{ kind: 'started', runId, awaitingApproval: false }];
      },
      state: async (_id, runId) => runStates.get(runId),
    },
    publisher: { publish: async (_id, note) => void (typeof note === 'string' && notes.push(note)) },
    logger: createLogger({ level: 'debug', destination: logs }),
  };
  return {
    deps,
    table,
    incident,
    statusChanges,
    requested,
    runStates,
    evidence,
    notes,
    /** Sets the outcome of the next playbook requests (default: each starts a run). */
    outcomes(f: ((playbookId: string) => RunRequestOutcome[]) | undefined) {
      nextOutcome = f;
    },
    setOwner(owner: string | undefined) {
      const r = records.get(incident.name)!;
      records.set(incident.name, { ...r, incident: { ...r.incident, owner: owner ? { assignedTo: owner } : undefined } });
    },
    current: () => records.get(incident.name)!.incident,
    auditRows: async (action: string) => (await deps.audit.query({ action })).map((r) => ({ outcome: r.outcome, detail: r.detail, actorName: r.actorName })),
    addEvidence(evidenceId: string) {
      evidence.push({ evidenceId, incidentId: incident.name, filename: 'note.txt', sha256: '0'.repeat(64), size: 1, purpose: 'p', custodian: 'c', registeredAt: '', registeredBy: '' });
    },
  };
}
