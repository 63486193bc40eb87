import type { DetectionAlert } from '../alert';
import type { OutcomeRecord, OutcomeUpdate } from './outcome-model';
import type { RuleStats } from './outcome-stats';

/** What the history needs of an alert. */
export type FiredAlert = Pick<DetectionAlert, 'id' | 'ruleId' | 'title' | 'level' | 'detectedAt'>;

/**
 * The outcome history of detection alerts (table `DetectionOutcomes`): one record per alert,
 * keyed by rule id and alert id. The alerts webhook records `fired`; triage and analysts record
 * what followed; `argus rules stats` reads the totals. TableDetectionOutcomeStore keeps it, over
 * Table Storage or (for tests) memoryEntityTable.
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
