import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { asEntityTable, storageUnavailable, type EntityTable } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import { entityKey } from './applicability';
import type { PlaybookRun } from './playbook';

/**
 * Runs in table ArgusPlaybookRuns, three kinds of rows:
 * - `incident|<name>` / runId: the run itself (the card lists an incident's runs with one query);
 * - `run` / runId → incident: finds a run from a callback that only knows the run id;
 * - `active` / incident|playbook|entity → runId: the one-run-at-a-time lock. Creating it is the
 *   idempotency lock (a second click gets 409 and starts nothing); the deadline sweeper lists it.
 */
export interface StoredRun {
  run: PlaybookRun;
  etag: string;
}

export interface ActiveRunRef {
  /** RowKey of the lock. */
  key: string;
  runId: string;
  incidentName: string;
  createdAt: string;
}

export type CreateResult = { created: true; stored: StoredRun } | { created: false; existing?: StoredRun };

const runPartition = (incidentName: string) => `incident|${encodeKey(incidentName)}`;
const indexPartition = 'run';
const activePartition = 'active';
const maxAttempts = 5;

export function activeKey(run: Pick<PlaybookRun, 'incidentName' | 'playbookId' | 'entity'>): string {
  return `${encodeKey(run.incidentName)}|${run.playbookId}|${entityKey(run.entity)}`;
}

/** Playbook runs and their one-run-at-a-time locks. */
export interface PlaybookRunStore {
  /** Takes the lock and stores the run; when another run holds the lock, returns that run. */
  create(run: PlaybookRun): Promise<CreateResult>;
  get(incidentName: string, runId: string): Promise<StoredRun | undefined>;
  findById(runId: string): Promise<StoredRun | undefined>;
  /** The incident's runs, newest first. */
  listForIncident(incidentName: string, limit?: number): Promise<StoredRun[]>;
  /**
   * Read-modify-write with the etag: `change` returns the new run, or undefined to leave it.
   * Undefined when the run does not exist or nothing changed.
   */
  update(incidentName: string, runId: string, change: (run: PlaybookRun) => PlaybookRun | undefined): Promise<{ before: PlaybookRun; after: PlaybookRun } | undefined>;
  /** Frees the lock held by `run` (never one a newer run holds). */
  release(run: PlaybookRun): Promise<void>;
  activeFor(run: Pick<PlaybookRun, 'incidentName' | 'playbookId' | 'entity'>): Promise<ActiveRunRef | undefined>;
  /** Every run holding a lock (the deadline sweeper's work list). */
  listActive(limit?: number): Promise<ActiveRunRef[]>;
  /** Drops a lock whose run was never stored (a crash between the two writes). */
  dropOrphanLock(ref: ActiveRunRef): Promise<void>;
}

export class TablePlaybookRunStore implements PlaybookRunStore {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async create(run: PlaybookRun): Promise<CreateResult> {
    const lock = { partitionKey: activePartition, rowKey: activeKey(run), runId: run.runId, incidentName: run.incidentName, createdAt: run.requestedAt };
    if (!(await this.table.create(lock)).created) {
      const holder = await this.activeFor(run);
      return { created: false, existing: holder ? await this.get(holder.incidentName, holder.runId) : undefined };
    }
    try {
      const index = await this.table.create({ partitionKey: indexPartition, rowKey: run.runId, incidentName: run.incidentName });
      const res = index.created ? await this.table.create({ partitionKey: runPartition(run.incidentName), rowKey: run.runId, ...this.columns(run) }) : index;
      if (!res.created) throw new Error(`playbook run ${run.runId} is stored already`);
      return { created: true, stored: { run, etag: res.etag } };
    } catch (err) {
      await this.table.delete(activePartition, lock.rowKey).catch(() => undefined);
      throw storageUnavailable(err);
    }
  }

  async get(incidentName: string, runId: string): Promise<StoredRun | undefined> {
    const e = await this.table.get(runPartition(incidentName), runId);
    return e && this.fromEntity(e);
  }

  async findById(runId: string): Promise<StoredRun | undefined> {
    const index = await this.table.get(indexPartition, runId);
    return typeof index?.incidentName === 'string' ? this.get(index.incidentName, runId) : undefined;
  }

  async listForIncident(incidentName: string, limit = 50): Promise<StoredRun[]> {
    const out = (await this.table.list({ partitionKey: runPartition(incidentName) }, 1000)).map((e) => this.fromEntity(e));
    return out.sort((a, b) => b.run.requestedAt.localeCompare(a.run.requestedAt)).slice(0, limit);
  }

  async update(incidentName: string, runId: string, change: (run: PlaybookRun) => PlaybookRun | undefined): Promise<{ before: PlaybookRun; after: PlaybookRun } | undefined> {
    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      const stored = await this.get(incidentName, runId);
      if (!stored) return undefined;
      const next = change(stored.run);
      if (!next) return undefined;
      const entity = { partitionKey: runPartition(incidentName), rowKey: runId, ...this.columns(next) };
      if (await this.table.update(entity, { mode: 'replace', etag: stored.etag })) return { before: stored.run, after: next };
    }
    throw new ArgusError('ARGUS_CONFLICT', `playbook run ${runId} kept changing; try again`);
  }

  async release(run: PlaybookRun): Promise<void> {
    const lock = await this.table.get(activePartition, activeKey(run));
    if (lock && lock.runId === run.runId) await this.table.delete(activePartition, activeKey(run), lock.etag);
  }

  async activeFor(run: Pick<PlaybookRun, 'incidentName' | 'playbookId' | 'entity'>): Promise<ActiveRunRef | undefined> {
    const e = await this.table.get(activePartition, activeKey(run));
    return e && this.refOf(e);
  }

  async listActive(limit = 5000): Promise<ActiveRunRef[]> {
    return (await this.table.list({ partitionKey: activePartition }, limit)).map((e) => this.refOf(e));
  }

  async dropOrphanLock(ref: ActiveRunRef): Promise<void> {
    await this.table.delete(activePartition, ref.key);
  }

  private refOf(e: Record<string, unknown>): ActiveRunRef {
    return { key: String(e.rowKey), runId: String(e.runId), incidentName: String(e.incidentName), createdAt: String(e.createdAt) };
  }

  private columns(run: PlaybookRun) {
    // The JSON stays far below Table Storage's 64 KiB property limit: messages and outputs are capped on the way in.
    return { playbookId: run.playbookId, status: run.status, requestedAt: run.requestedAt, data: JSON.stringify(run) };
  }

  private fromEntity(e: Record<string, unknown> & { etag?: string }): StoredRun {
    return { run: withRejection(JSON.parse(String(e.data)) as PlaybookRun), etag: String(e.etag ?? '') };
  }
}

/**
 * Runs rejected before `rejection` was stored carry no such field. A requester rejecting their own
 * request withdraws it (run-requests.ts), so for those rows the two actors' ids tell.
 */
export function withRejection(run: PlaybookRun): PlaybookRun {
  if (run.status !== 'rejected' || run.rejection || !run.rejectedBy) return run;
  const own = !!run.rejectedBy.aadObjectId && run.rejectedBy.aadObjectId === run.requestedBy.aadObjectId;
  return { ...run, rejection: own ? 'withdrawn' : 'rejected' };
}
