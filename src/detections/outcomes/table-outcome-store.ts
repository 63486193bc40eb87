import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../../errors/catalog';
import { asEntityTable, type EntityTable } from '../../storage/entity-table';
import { decodeKey, encodeKey } from '../../storage/keys';
import { applyOutcome, firedRecord, type OutcomeKind, type OutcomeRecord, type OutcomeStep, type OutcomeUpdate, type Verdict } from './outcome-model';
import { ruleStats, type RuleStats, type StatsInput } from './outcome-stats';
import type { DetectionOutcomeStore, FiredAlert } from './outcome-store';

/** The row of one alert: PartitionKey = rule id, RowKey = alert id (both key-encoded). */
type OutcomeEntity = {
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
};

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

function fromEntity(e: OutcomeEntity): OutcomeRecord {
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

/** DetectionOutcomeStore on an EntityTable (Table Storage, Azurite, or the in-memory twin). Updates use the row's etag. */
export class TableDetectionOutcomeStore implements DetectionOutcomeStore {
  private readonly table: EntityTable;

  constructor(
    table: TableClient | EntityTable,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.table = asEntityTable(table);
  }

  async recordFired(alert: FiredAlert): Promise<{ created: boolean }> {
    // Not created: the row exists, so this alert was recorded before (a redelivery).
    const { created } = await this.table.create(toEntity(firedRecord(alert, this.now())));
    return { created };
  }

  private async read(ruleId: string, alertId: string): Promise<(OutcomeEntity & { etag: string }) | undefined> {
    return (await this.table.get(encodeKey(ruleId), encodeKey(alertId))) as (OutcomeEntity & { etag: string }) | undefined;
  }

  async recordOutcome(update: OutcomeUpdate): Promise<OutcomeRecord> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(update.ruleId, update.alertId);
      if (!current) throw new ArgusError('ARGUS_NOT_FOUND', `no alert ${update.alertId} of rule ${update.ruleId} in the outcome history`);
      const next = applyOutcome(fromEntity(current), update, this.now());
      if (await this.table.update(toEntity(next), { mode: 'replace', etag: current.etag })) return next;
      // Someone else wrote the row since we read it (or removed it): read again and re-apply.
      if (attempt >= maxUpdateAttempts) throw new ArgusError('ARGUS_CONFLICT', `alert ${update.alertId} keeps changing; try again`);
    }
  }

  async get(ruleId: string, alertId: string): Promise<OutcomeRecord | undefined> {
    const e = await this.read(ruleId, alertId);
    return e && fromEntity(e);
  }

  async stats(options: { ruleId?: string } = {}): Promise<RuleStats[]> {
    const query = { ...(options.ruleId ? { partitionKey: encodeKey(options.ruleId) } : {}), select: statsColumns };
    const rows: StatsInput[] = [];
    for await (const e of this.table.scan(query)) {
      rows.push({
        ruleId: String(e.ruleId),
        title: String(e.title),
        level: String(e.level),
        verdict: (e.verdict as Verdict | undefined) ?? undefined,
        autoVerdict: (e.autoVerdict as Verdict | undefined) ?? undefined,
        humanVerdict: (e.humanVerdict as Verdict | undefined) ?? undefined,
      });
    }
    return ruleStats(rows);
  }
}
