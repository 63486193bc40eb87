import type { TableClient } from '@azure/data-tables';
import { asEntityTable, saveEntity, type Entity, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import { isPhase, type Phase, type StepStatus } from './phases';
import type { PlanStepDefinition } from './plan-schema';

/**
 * Per-incident response state in table ArgusResponse: PartitionKey = incident id (the ARM name),
 * one row per concern. This file owns `phase`, `plan` and `step|<stepId>`; other parts of the
 * response module keep their own rows (`impact`, `postmortem`…) in the same partition.
 */

export const stepStatuses = ['pending', 'running', 'done', 'skipped', 'failed'] as const satisfies readonly StepStatus[];

/** One move of the phase, kept for the record (the last `historyKept`). */
export interface PhaseEntry {
  phase: Phase;
  at: string;
  by?: string;
  reason?: string;
}

export interface PhaseState {
  phase: Phase;
  /** When the current phase was entered. */
  since: string;
  history: PhaseEntry[];
}

export interface PlanState {
  planId: string;
  title: string;
  assignedAt: string;
}

/**
 * A plan step as assigned (its definition is copied, so a plan file edited later does not change
 * what an open incident was asked to do) and where it stands.
 */
export interface StepState {
  id: string;
  planId: string;
  title: string;
  phase: Phase;
  type: 'automated' | 'approved' | 'manual';
  playbook?: string;
  requiresEvidence: boolean;
  requiredRole: 'responder' | 'admin';
  guidance?: string;
  /** Position in the plan. */
  order: number;
  status: StepStatus;
  by?: string;
  startedAt?: string;
  doneAt?: string;
  durationMs?: number;
  /** What the person noted, a skip's reason, or why a run failed. */
  note?: string;
  /** Evidence ids the step was completed with. */
  evidence: string[];
  /** Playbook runs of an automated or approved step (one per entity for per-entity playbooks). */
  runIds: string[];
}

export type Stored<T> = T & { etag: string };

export interface ResponseState {
  phase?: Stored<PhaseState>;
  plan?: Stored<PlanState>;
  /** In plan order. */
  steps: Stored<StepState>[];
}

export const historyKept = 50;
const rowKeys = { phase: 'phase', plan: 'plan', stepPrefix: 'step|' } as const;

export interface ResponseStore {
  load(incidentId: string): Promise<ResponseState>;
  /** The phase row alone (one point read): what the event path needs. */
  loadPhase(incidentId: string): Promise<Stored<PhaseState> | undefined>;
  /**
   * Makes the response state in one transaction: the phase row and, when a plan fits, the plan row
   * and its step rows. False when it exists (someone made it first): the phase row is never there
   * without the plan decision, so a crash cannot leave an incident without its plan.
   */
  create(incidentId: string, phase: PhaseState, plan?: { plan: PlanState; steps: StepState[] }): Promise<boolean>;
  /** Replaces the row if its etag is still `etag`: the new etag, or undefined when someone else changed it. */
  savePhase(incidentId: string, phase: PhaseState, etag: string): Promise<string | undefined>;
  saveStep(incidentId: string, step: StepState, etag: string): Promise<string | undefined>;
}

/** The step rows of a plan as assigned: every step pending. */
export function stepsOf(planId: string, steps: readonly PlanStepDefinition[]): StepState[] {
  return steps.map((s, order) => ({
    id: s.id,
    planId,
    title: s.title,
    phase: s.phase as Phase,
    type: s.type,
    playbook: s.playbook,
    requiresEvidence: s.requiresEvidence,
    requiredRole: s.requiredRole,
    guidance: s.guidance,
    order,
    status: 'pending',
    evidence: [],
    runIds: [],
  }));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const list = (v: unknown): string[] => {
  if (typeof v !== 'string' || !v) return [];
  const parsed: unknown = JSON.parse(v);
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
};

/** Response state rows in table ArgusResponse, written with etag concurrency. */
export class TableResponseStore implements ResponseStore {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async load(incidentId: string): Promise<ResponseState> {
    const rows = await this.table.list({ partitionKey: encodeKey(incidentId) }, 200);
    const state: ResponseState = { steps: [] };
    for (const row of rows) {
      if (row.rowKey === rowKeys.phase) state.phase = phaseFrom(row);
      else if (row.rowKey === rowKeys.plan) state.plan = { planId: String(row.planId), title: String(row.title), assignedAt: String(row.assignedAt), etag: row.etag };
      else if (row.rowKey.startsWith(rowKeys.stepPrefix)) state.steps.push(stepFrom(row));
    }
    state.steps.sort((a, b) => a.order - b.order);
    return state;
  }

  async loadPhase(incidentId: string): Promise<Stored<PhaseState> | undefined> {
    const row = await this.table.get(encodeKey(incidentId), rowKeys.phase);
    return row ? phaseFrom(row) : undefined;
  }

  async create(incidentId: string, phase: PhaseState, plan?: { plan: PlanState; steps: StepState[] }): Promise<boolean> {
    if (!plan) return (await this.table.create(phaseEntity(incidentId, phase))).created;
    const result = await this.table.submit([
      { op: 'create', entity: phaseEntity(incidentId, phase) },
      { op: 'create', entity: { partitionKey: encodeKey(incidentId), rowKey: rowKeys.plan, ...plan.plan } },
      ...plan.steps.map((s) => ({ op: 'create' as const, entity: stepEntity(incidentId, s) })),
    ]);
    return result.ok;
  }

  savePhase(incidentId: string, phase: PhaseState, etag: string): Promise<string | undefined> {
    return saveEntity(this.table, phaseEntity(incidentId, phase), etag);
  }

  saveStep(incidentId: string, step: StepState, etag: string): Promise<string | undefined> {
    return saveEntity(this.table, stepEntity(incidentId, step), etag);
  }
}

function phaseEntity(incidentId: string, p: PhaseState): Entity {
  return { partitionKey: encodeKey(incidentId), rowKey: rowKeys.phase, phase: p.phase, since: p.since, history: JSON.stringify(p.history.slice(-historyKept)) };
}

function phaseFrom(row: StoredEntity): Stored<PhaseState> {
  const phase = isPhase(row.phase) ? row.phase : 'detection';
  const raw: unknown = typeof row.history === 'string' ? JSON.parse(row.history) : [];
  const history = Array.isArray(raw) ? (raw as PhaseEntry[]).filter((e) => isPhase(e?.phase)) : [];
  return { phase, since: String(row.since ?? ''), history, etag: row.etag };
}

function stepEntity(incidentId: string, s: StepState): Entity {
  const { evidence, runIds, ...rest } = s;
  const entity: Entity = { partitionKey: encodeKey(incidentId), rowKey: `${rowKeys.stepPrefix}${s.id}`, evidence: JSON.stringify(evidence), runIds: JSON.stringify(runIds) };
  // Absent optional fields are left out: Table Storage has no null.
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) entity[key] = value;
  return entity;
}

function stepFrom(row: StoredEntity): Stored<StepState> {
  const status = stepStatuses.find((s) => s === row.status) ?? 'pending';
  const type = row.type === 'automated' || row.type === 'approved' ? row.type : 'manual';
  return {
    id: row.rowKey.slice(rowKeys.stepPrefix.length),
    planId: String(row.planId ?? ''),
    title: String(row.title ?? ''),
    phase: isPhase(row.phase) ? row.phase : 'investigation',
    type,
    playbook: str(row.playbook),
    requiresEvidence: row.requiresEvidence === true,
    requiredRole: row.requiredRole === 'admin' ? 'admin' : 'responder',
    guidance: str(row.guidance),
    order: typeof row.order === 'number' ? row.order : 0,
    status,
    by: str(row.by),
    startedAt: str(row.startedAt),
    doneAt: str(row.doneAt),
    durationMs: typeof row.durationMs === 'number' ? row.durationMs : undefined,
    note: str(row.note),
    evidence: list(row.evidence),
    runIds: list(row.runIds),
    etag: row.etag,
  };
}

/** Port: whether the incident's post-mortem is completed (the closing gate asks). */
export interface PostMortemStatus {
  completed(incidentId: string): Promise<boolean>;
}

/** Reads the `postmortem` row of the incident's partition: `status: draft | completed`. */
export function tablePostMortemStatus(table: TableClient | EntityTable): PostMortemStatus {
  const t = asEntityTable(table);
  return {
    async completed(incidentId) {
      const row = await t.get(encodeKey(incidentId), 'postmortem');
      return row?.status === 'completed';
    },
  };
}
