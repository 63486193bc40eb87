import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { encodeKey, statusOf } from '../storage/keys';
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

function storageError(err: unknown): ArgusError {
  return new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
}

export class PlaybookRunStore {
  constructor(private readonly table: TableClient) {}

  /** Takes the lock and stores the run; when another run holds the lock, returns that run. */
  async create(run: PlaybookRun): Promise<CreateResult> {
    const lock = { partitionKey: activePartition, rowKey: activeKey(run), runId: run.runId, incidentName: run.incidentName, createdAt: run.requestedAt };
    try {
      await this.table.createEntity(lock);
    } catch (err) {
      if (statusOf(err) !== 409) throw storageError(err);
      const holder = await this.activeFor(run);
      return { created: false, existing: holder ? await this.get(holder.incidentName, holder.runId) : undefined };
    }
    try {
      await this.table.createEntity({ partitionKey: indexPartition, rowKey: run.runId, incidentName: run.incidentName });
      const res = await this.table.createEntity({ partitionKey: runPartition(run.incidentName), rowKey: run.runId, ...this.columns(run) });
      return { created: true, stored: { run, etag: res.etag ?? '' } };
    } catch (err) {
      await this.table.deleteEntity(activePartition, lock.rowKey).catch(() => undefined);
      throw storageError(err);
    }
  }

  async get(incidentName: string, runId: string): Promise<StoredRun | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(runPartition(incidentName), runId);
      return this.fromEntity(e);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storageError(err);
    }
  }

  async findById(runId: string): Promise<StoredRun | undefined> {
    try {
      const index = await this.table.getEntity<{ incidentName?: string }>(indexPartition, runId);
      return typeof index.incidentName === 'string' ? this.get(index.incidentName, runId) : undefined;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storageError(err);
    }
  }

  /** The incident's runs, newest first. */
  async listForIncident(incidentName: string, limit = 50): Promise<StoredRun[]> {
    const out: StoredRun[] = [];
    const filter = `PartitionKey eq '${runPartition(incidentName).replace(/'/g, "''")}'`;
    try {
      for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        out.push(this.fromEntity(e));
        if (out.length >= 1000) break;
      }
    } catch (err) {
      throw storageError(err);
    }
    return out.sort((a, b) => b.run.requestedAt.localeCompare(a.run.requestedAt)).slice(0, limit);
  }

  /**
   * Read-modify-write with the etag: `change` returns the new run, or undefined to leave it.
   * Undefined when the run does not exist or nothing changed.
   */
  async update(incidentName: string, runId: string, change: (run: PlaybookRun) => PlaybookRun | undefined): Promise<{ before: PlaybookRun; after: PlaybookRun } | undefined> {
    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      const stored = await this.get(incidentName, runId);
      if (!stored) return undefined;
      const next = change(stored.run);
      if (!next) return undefined;
      try {
        await this.table.updateEntity({ partitionKey: runPartition(incidentName), rowKey: runId, ...this.columns(next) }, 'Replace', { etag: stored.etag });
        return { before: stored.run, after: next };
      } catch (err) {
        if (statusOf(err) !== 412 && statusOf(err) !== 404) throw storageError(err);
      }
    }
    throw new ArgusError('ARGUS_CONFLICT', `playbook run ${runId} kept changing; try again`);
  }

  /** Frees the lock held by `run` (never one a newer run holds). */
  async release(run: PlaybookRun): Promise<void> {
    try {
      const lock = await this.table.getEntity<{ runId?: string }>(activePartition, activeKey(run));
      if (lock.runId === run.runId) await this.table.deleteEntity(activePartition, activeKey(run), { etag: lock.etag });
    } catch (err) {
      if (statusOf(err) !== 404 && statusOf(err) !== 412) throw storageError(err);
    }
  }

  async activeFor(run: Pick<PlaybookRun, 'incidentName' | 'playbookId' | 'entity'>): Promise<ActiveRunRef | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(activePartition, activeKey(run));
      return this.refOf(e);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storageError(err);
    }
  }

  /** Every run holding a lock (the deadline sweeper's work list). */
  async listActive(limit = 5000): Promise<ActiveRunRef[]> {
    const out: ActiveRunRef[] = [];
    try {
      for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${activePartition}'` } })) {
        out.push(this.refOf(e));
        if (out.length >= limit) break;
      }
    } catch (err) {
      throw storageError(err);
    }
    return out;
  }

  /** Drops a lock whose run was never stored (a crash between the two writes). */
  async dropOrphanLock(ref: ActiveRunRef): Promise<void> {
    try {
      await this.table.deleteEntity(activePartition, ref.key);
    } catch (err) {
      if (statusOf(err) !== 404) throw storageError(err);
    }
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
