import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { ArgusError } from '../../errors/catalog';
import { decodeKey, encodeKey, isConflict, isNotFound, isPreconditionFailed } from '../../storage/keys';
import { applyOutcome, firedRecord, type OutcomeKind, type OutcomeRecord, type OutcomeStep, type OutcomeUpdate, type Verdict } from './outcome-model';
import { ruleStats, type RuleStats, type StatsInput } from './outcome-stats';
import type { DetectionOutcomeStore, FiredAlert } from './outcome-store';

/** The row of one alert: PartitionKey = rule id, RowKey = alert id (both key-encoded). */
interface OutcomeEntity {
  partitionKey: string;
  rowKey: string;
  ruleId: string;
  title: string;
  level: string;
  firedAt: string;
  state: string;
  verdict?: string;
  autoVerdict?: string;
  humanVerdict?: string;
  /** JSON array of steps. */
  history: string;
  updatedAt: string;
}

const statsColumns = ['ruleId', 'title', 'level', 'verdict', 'autoVerdict', 'humanVerdict'];
const maxUpdateAttempts = 5;

function toEntity(r: OutcomeRecord): OutcomeEntity {
  return {
    partitionKey: encodeKey(r.ruleId),
    rowKey: encodeKey(r.alertId),
    ruleId: r.ruleId,
    title: r.title,
    level: r.level,
    firedAt: r.firedAt,
    state: r.state,
    ...(r.verdict ? { verdict: r.verdict } : {}),
    ...(r.autoVerdict ? { autoVerdict: r.autoVerdict } : {}),
    ...(r.humanVerdict ? { humanVerdict: r.humanVerdict } : {}),
    history: JSON.stringify(r.history),
    updatedAt: r.updatedAt,
  };
}

function fromEntity(e: TableEntityResult<OutcomeEntity>): OutcomeRecord {
  return {
    ruleId: e.ruleId,
    alertId: decodeKey(e.rowKey ?? ''),
    title: e.title,
    level: e.level,
    firedAt: e.firedAt,
    state: e.state as OutcomeKind,
    ...(e.verdict ? { verdict: e.verdict as Verdict } : {}),
    ...(e.autoVerdict ? { autoVerdict: e.autoVerdict as Verdict } : {}),
    ...(e.humanVerdict ? { humanVerdict: e.humanVerdict as Verdict } : {}),
    history: JSON.parse(e.history) as OutcomeStep[],
    updatedAt: e.updatedAt,
  };
}

function unavailable(err: unknown, what: string): ArgusError {
  return new ArgusError('ARGUS_STORAGE_UNAVAILABLE', `could not ${what} in the detection outcome history`, { cause: err });
}

/** DetectionOutcomeStore on Azure Table Storage (or Azurite). Updates use the row's etag. */
export class TableDetectionOutcomeStore implements DetectionOutcomeStore {
  constructor(
    private readonly client: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async recordFired(alert: FiredAlert): Promise<{ created: boolean }> {
    try {
      await this.client.createEntity(toEntity(firedRecord(alert, this.now())));
      return { created: true };
    } catch (err) {
      // 409: the row exists, so this alert was recorded before (a redelivery).
      if (isConflict(err)) return { created: false };
      throw unavailable(err, 'record an alert');
    }
  }

  private async read(ruleId: string, alertId: string): Promise<TableEntityResult<OutcomeEntity> | undefined> {
    try {
      return await this.client.getEntity<OutcomeEntity>(encodeKey(ruleId), encodeKey(alertId));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw unavailable(err, 'read an alert');
    }
  }

  async recordOutcome(update: OutcomeUpdate): Promise<OutcomeRecord> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(update.ruleId, update.alertId);
      if (!current) throw new ArgusError('ARGUS_NOT_FOUND', `no alert ${update.alertId} of rule ${update.ruleId} in the outcome history`);
      const next = applyOutcome(fromEntity(current), update, this.now());
      try {
        await this.client.updateEntity(toEntity(next), 'Replace', { etag: current.etag });
        return next;
      } catch (err) {
        // 412: someone else wrote the row since we read it; read again and re-apply.
        if (isPreconditionFailed(err) && attempt < maxUpdateAttempts) continue;
        if (isPreconditionFailed(err)) throw new ArgusError('ARGUS_CONFLICT', `alert ${update.alertId} keeps changing; try again`, { cause: err });
        throw unavailable(err, 'record an outcome');
      }
    }
  }

  async get(ruleId: string, alertId: string): Promise<OutcomeRecord | undefined> {
    const e = await this.read(ruleId, alertId);
    return e && fromEntity(e);
  }

  async stats(options: { ruleId?: string } = {}): Promise<RuleStats[]> {
    const rows: StatsInput[] = [];
    try {
      const filter = options.ruleId ? odata`PartitionKey eq ${encodeKey(options.ruleId)}` : undefined;
      for await (const e of this.client.listEntities<OutcomeEntity>({ queryOptions: { filter, select: statsColumns } })) {
        rows.push({
          ruleId: e.ruleId,
          title: e.title,
          level: e.level,
          verdict: (e.verdict as Verdict | undefined) ?? undefined,
          autoVerdict: (e.autoVerdict as Verdict | undefined) ?? undefined,
          humanVerdict: (e.humanVerdict as Verdict | undefined) ?? undefined,
        });
      }
    } catch (err) {
      throw unavailable(err, 'read the totals');
    }
    return ruleStats(rows);
  }
}
