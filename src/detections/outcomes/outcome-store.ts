import { ArgusError } from '../../errors/catalog';
import type { DetectionAlert } from '../alert';
import { applyOutcome, firedRecord, type OutcomeRecord, type OutcomeUpdate } from './outcome-model';
import { ruleStats, type RuleStats } from './outcome-stats';

/** What the history needs of an alert. */
export type FiredAlert = Pick<DetectionAlert, 'id' | 'ruleId' | 'title' | 'level' | 'detectedAt'>;

/**
 * The outcome history of detection alerts (table `DetectionOutcomes`): one record per alert,
 * keyed by rule id and alert id. The alerts webhook records `fired`; triage and analysts record
 * what followed; `argus rules stats` reads the totals.
 */
export interface DetectionOutcomeStore {
  /** Records a new alert; `created: false` when it was already recorded (redelivery). */
  recordFired(alert: FiredAlert): Promise<{ created: boolean }>;
  /** Adds a triage or analyst step; ARGUS_NOT_FOUND for an alert never recorded. */
  recordOutcome(update: OutcomeUpdate): Promise<OutcomeRecord>;
  get(ruleId: string, alertId: string): Promise<OutcomeRecord | undefined>;
  /** Per-rule totals, worst false-positive rate first (one rule when `ruleId` is given). */
  stats(options?: { ruleId?: string }): Promise<RuleStats[]>;
}

/** The in-memory twin, for tests of components that record outcomes. */
export class MemoryDetectionOutcomeStore implements DetectionOutcomeStore {
  private readonly records = new Map<string, OutcomeRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  private key(ruleId: string, alertId: string): string {
    return `${ruleId}\u0000${alertId}`;
  }

  async recordFired(alert: FiredAlert): Promise<{ created: boolean }> {
    const key = this.key(alert.ruleId, alert.id);
    if (this.records.has(key)) return { created: false };
    this.records.set(key, firedRecord(alert, this.now()));
    return { created: true };
  }

  async recordOutcome(update: OutcomeUpdate): Promise<OutcomeRecord> {
    const key = this.key(update.ruleId, update.alertId);
    const existing = this.records.get(key);
    if (!existing) throw new ArgusError('ARGUS_NOT_FOUND', `no alert ${update.alertId} of rule ${update.ruleId} in the outcome history`);
    const next = applyOutcome(existing, update, this.now());
    this.records.set(key, next);
    return structuredClone(next);
  }

  async get(ruleId: string, alertId: string): Promise<OutcomeRecord | undefined> {
    const r = this.records.get(this.key(ruleId, alertId));
    return r && structuredClone(r);
  }

  async stats(options: { ruleId?: string } = {}): Promise<RuleStats[]> {
    const all = [...this.records.values()];
    return ruleStats(options.ruleId ? all.filter((r) => r.ruleId === options.ruleId) : all);
  }
}
