import type { FileConfig } from '../config/file-schema';
import type { TriageConfig } from '../config/triage-schema';
import type { DetectionAlert } from '../detections/alert';
import type { DetectionOutcomeStore } from '../detections/outcomes/outcome-store';
import { alertIndicators } from '../enrichment/indicators';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import type { TeamsDelivery } from '../teams/teams-delivery';
import { renderTriageCard } from '../cards/triage-card';
import { compileAllowList } from './allow-list';
import { alertConversation, alertHost } from './alert-route';
import { noLookups, type IntelPort } from './intel-port';
import { waitOutcome } from './pending-intel';
import { postOrRetryLater, type CardRetries } from './card-retry';
import { withAdvice, type LlmSummarizer } from './llm-summary';
import type { EscalationPort } from './escalation';
import { decide, type MissingSource, type TriageDecision } from './policy';
import { scoreIndicators } from './score';
import { decidedRecord, pendingRecord, type TriageRecord } from './triage-record';
import type { StoredTriageRecord, TriageStore } from './triage-store';
import { intelSourceNames, intelSources, type IntelSource } from './types';

/** Who the outcome history names for triage's own decisions. */
export const triageActor = 'argus-triage';

export interface TriageDeps {
  triage: TriageConfig;
  routing: FileConfig['routing'];
  /** Absent when `enrichment` is not configured: no lookups, the policy decides alone. */
  enrichment?: {
    intel: IntelPort;
    weights: Record<IntelSource, number>;
    configured: readonly IntelSource[];
    /** `enrichment.maxWait` (ISO duration, default PT10M): then an alert is decided without the lookups still waiting. */
    maxWait?: string;
  };
  store: TriageStore;
  outcomes: Pick<DetectionOutcomeStore, 'recordOutcome' | 'get'>;
  delivery: Pick<TeamsDelivery, 'post'>;
  logger: Logger;
  /** Told each time a record moves to decided (argus_triage_decisions_total). */
  metrics?: { decided(decision: TriageDecision): void };
  /** Escalated alerts become incidents through it (src/triage/escalation.ts); absent: an escalation card is posted instead. */
  escalation?: Pick<EscalationPort, 'escalate' | 'request'>;
  /** The advisory summary (`llm.enabled`); absent: none. */
  advisor?: LlmSummarizer;
  /** Where a card that could not be posted waits to be posted later; absent: the failure is thrown. */
  cardRetries?: CardRetries;
  now?: () => Date;
}

const defaultWeights: Record<IntelSource, number> = { virustotal: 1, abuseipdb: 0.8 };
const maxSaveAttempts = 5;

export interface TriageService {
  /** Triage one alert: look up, score, decide, record, tell the outcome history, post its card. Idempotent. */
  decide(alert: DetectionAlert, log?: Logger): Promise<TriageRecord>;
  /** Changes a stored record with its etag, reading again when another writer got there first. */
  update(alertId: string, change: (r: TriageRecord) => TriageRecord): Promise<TriageRecord>;
  /** Posts the record's card where its decision goes; the conversation and activity id, or undefined when none is set. */
  postCard(record: TriageRecord): Promise<TriageRecord['card']>;
  /**
   * Tries again the alerts waiting for lookups whose next try is due: decided once answered or past
   * maxWait. Only the writer that moves a record from pending to decided goes on (outcome, card).
   */
  sweep(log?: Logger): Promise<void>;
}

export function createTriageService(deps: TriageDeps): TriageService {
  const now = deps.now ?? (() => new Date());
  const allow = compileAllowList(deps.triage.allow);

  /** The alert's record as of now; `since` is when it began waiting for lookups (now, on arrival). */
  async function evaluate(alert: DetectionAlert, since: Date): Promise<TriageRecord> {
    const { indicators } = alertIndicators(alert);
    const e = deps.enrichment;
    const answers = await (e?.intel ?? noLookups).enrich(indicators);
    const score = scoreIndicators({ indicators: answers.results, weights: e?.weights ?? defaultWeights, allow, thresholds: deps.triage.thresholds });
    const host = alertHost(alert.event);
    const input = {
      alertId: alert.id,
      ruleId: alert.ruleId,
      alert: { title: alert.title, level: alert.level, detectedAt: alert.detectedAt, ...(host ? { host } : {}) },
      enriched: answers.results,
      score,
      thresholds: deps.triage.thresholds,
    };
    const missing = [...answers.missing];
    if (answers.waiting.length > 0) {
      const wait = waitOutcome(answers.waiting, since, now(), e?.maxWait);
      if ('nextTry' in wait) {
        const waitingFor = answers.waiting.map((w) => `waiting for ${intelSourceNames[w.source]} on ${w.indicator.type} ${w.indicator.value}`);
        const waiting = answers.waiting.map((w) => ({ source: w.source, type: w.indicator.type, value: w.indicator.value, ...(w.until ? { until: w.until } : {}) }));
        return pendingRecord(input, waitingFor, { alert, since: since.toISOString(), nextTry: wait.nextTry, waiting });
      }
      missing.push(...wait.missing);
    }
    const notConfigured: MissingSource[] = e ? intelSources.filter((s) => !e.configured.includes(s)).map((source) => ({ source, why: 'not-configured' })) : [];
    const decided = decide({
      alert: { ruleId: alert.ruleId, ...(host ? { host } : {}) },
      score,
      enrichmentConfigured: e !== undefined,
      missing: [...notConfigured, ...missing],
      config: deps.triage,
    });
    return decidedRecord(input, decided, now());
  }

  async function update(alertId: string, change: (r: TriageRecord) => TriageRecord): Promise<TriageRecord> {
    for (let attempt = 1; attempt <= maxSaveAttempts; attempt++) {
      const stored = await deps.store.get(alertId);
      if (!stored) throw new ArgusError('ARGUS_NOT_FOUND', `no triage record for alert ${alertId}`);
      const next = change(stored.record);
      if (await deps.store.save(next, stored.etag)) return next;
    }
    throw new ArgusError('ARGUS_CONFLICT', `the triage record of alert ${alertId} keeps changing; try again`);
  }

  /** The decision in the outcome history, once: a redelivery finds triage's step already there. */
  async function recordOutcome(r: TriageRecord): Promise<void> {
    if (r.decision === 'review' || !r.decision) return; // a review stays pending until a person decides
    const history = await deps.outcomes.get(r.ruleId, r.alertId);
    if (history?.history.some((step) => step.actor === triageActor)) return;
    await deps.outcomes.recordOutcome({
      ruleId: r.ruleId,
      alertId: r.alertId,
      outcome: r.decision === 'auto-close' ? 'auto_closed' : 'escalated',
      actor: triageActor,
      note: r.reasons.join('; ').slice(0, 1000),
      ...(r.decidedAt ? { at: r.decidedAt } : {}),
    });
  }

  async function postCard(r: TriageRecord): Promise<TriageRecord['card']> {
    const conversationId = alertConversation(r.decision ?? 'review', r.alert.level, { triageConversationId: deps.triage.conversationId, routing: deps.routing });
    if (!conversationId) return undefined;
    const card = renderTriageCard({ record: r, showActions: true });
    const summary = `${r.decision === 'escalate' ? 'Alert escalated' : 'Alert to review'}: ${r.alert.title}`.slice(0, 200);
    const activityId = await deps.delivery.post(conversationId, { card, summary });
    return { conversationId, activityId };
  }

  /** Evaluates the alert again and saves it over `stored`: the new record, or undefined when another writer changed it first. */
  async function advance(alert: DetectionAlert, stored: StoredTriageRecord | undefined): Promise<TriageRecord | undefined> {
    const since = stored?.record.pending ? new Date(stored.record.pending.since) : now();
    const record = await evaluate(alert, since);
    if (!(await deps.store.save(record, stored?.etag))) return undefined;
    if (record.decision) deps.metrics?.decided(record.decision);
    return record;
  }

  /** A decided record's outcome step and card (each at most once). */
  async function finish(decided: TriageRecord, log: Logger): Promise<TriageRecord> {
    let record = decided;
    await recordOutcome(record);
    // An escalation makes (or joins) an incident, whose card is the incident card.
    if (record.decision === 'escalate' && deps.escalation) record = await deps.escalation.escalate(record, { log });
    else if (record.decision !== 'auto-close' && !record.card) {
      record = await withAdvice(record, deps.advisor, update, log);
      const card = await postOrRetryLater(record, postCard, { retries: deps.cardRetries, log, now });
      if (card) record = await update(record.alertId, (r) => ({ ...r, card }));
      else if (card === undefined) log.warn({ alertId: record.alertId, decision: record.decision }, 'no conversation for the alert card: set triage.conversationId or routing');
    }
    log.info({ alertId: record.alertId, ruleId: record.ruleId, decision: record.decision, score: record.score }, 'alert triaged');
    return record;
  }

  async function decideAlert(alert: DetectionAlert, log: Logger = deps.logger): Promise<TriageRecord> {
    const stored = await deps.store.get(alert.id);
    let record = stored?.record;
    if (record?.status !== 'decided') {
      record = await advance(alert, stored);
      if (!record) throw new ArgusError('ARGUS_CONFLICT', `alert ${alert.id} was triaged concurrently; trying again`);
      if (record.status === 'pending-intel') {
        log.info({ alertId: alert.id, waiting: record.reasons.length, nextTry: record.pending?.nextTry }, 'alert waits for intel lookups');
        return record;
      }
    }
    return finish(record, log);
  }

  async function sweep(log: Logger = deps.logger): Promise<void> {
    for (const stored of await deps.store.listDue(now())) {
      const alert = stored.record.pending?.alert;
      if (!alert) continue;
      try {
        const record = await advance(alert, stored);
        if (record?.status === 'decided') await finish(record, log);
      } catch (err) {
        log.warn({ err, alertId: stored.record.alertId }, 'a pending alert could not be decided; will try again');
      }
    }
  }

  return { decide: decideAlert, update, postCard, sweep };
}
