import { randomUUID } from 'node:crypto';
import type { Actor } from '../access/roles';
import type { AuditLog } from '../audit/audit-log';
import { ArgusError } from '../errors/catalog';
import type { AcceptInput, AcceptResult } from '../events/intake';
import type { CardPublisher } from '../incidents/card-publisher';
import { auditActor, type IncidentCreator } from '../incidents/incident-creator';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { SentinelClient } from '../incidents/sentinel-client';
import type { Logger } from '../logging/logger';
import { escalatedAlert, escalationDraft, joinCommentId, joinedComment, joinedText } from './escalation-draft';
import type { EscalatedAlert, EscalationGroup, EscalationStore, GroupChoice } from './escalation-store';
import type { TriageRecord } from './triage-record';
import type { TriageStore } from './triage-store';

export interface EscalateOptions {
  log?: Logger;
  /** The analyst who pressed Escalate; absent when triage escalated on its own. */
  requestedBy?: Pick<Actor, 'aadObjectId' | 'name' | 'tenantId'>;
  correlationId?: string;
}

/** What triage uses of escalation: the policy's escalate decisions and the review card's Escalate. */
export interface EscalationPort {
  /**
   * Makes the alert's incident, or joins the one of its rule + host within the group window, and
   * writes `incident` on its record: the record as saved. Idempotent. A failure is handed over as
   * an alert.escalation.requested event (retried until done) and then thrown.
   */
  escalate(record: TriageRecord, options?: EscalateOptions): Promise<TriageRecord>;
  /** Asks for the alert's escalation durably (an event), before a card action answers. */
  request(alertId: string, actor: EscalateOptions['requestedBy'], correlationId: string): Promise<void>;
}

export interface EscalationDeps {
  store: EscalationStore;
  records: Pick<TriageStore, 'get' | 'save'>;
  creator: IncidentCreator;
  publisher: Pick<CardPublisher, 'publish'>;
  /** Sentinel's comments (when configured): a joined alert is named on the incident. */
  comments?: Pick<SentinelClient, 'addComment'>;
  /** Argus's own incidents keep their alert count here (Sentinel keeps its own). */
  incidents: Pick<IncidentRepository, 'get' | 'save'>;
  intake: { accept(input: AcceptInput<'alert.escalation.requested'>): Promise<AcceptResult> };
  audit: Pick<AuditLog, 'append'>;
  /** `triage.groupWindow` in milliseconds. */
  groupWindowMs: number;
  logger: Logger;
}

const maxAttempts = 10;
const hostKey = (r: TriageRecord) => r.alert.host?.trim().toLowerCase() ?? '';
const timeOf = (iso: string) => Date.parse(iso);

export function createEscalation(deps: EscalationDeps): EscalationPort {
  /** Within the window of the current group, the alert joins it; else it starts a group (and moves the pointer forward only). */
  async function pickGroup(r: TriageRecord, name: () => string): Promise<GroupChoice> {
    const host = hostKey(r);
    const at = timeOf(r.alert.detectedAt);
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const found = await deps.store.current(r.ruleId, host);
      // A closed incident takes no more alerts: the next one starts a new group.
      const current = found && (await deps.incidents.get(found.incidentName))?.incident.status !== 'Closed' ? found : undefined;
      if (current && Math.abs(at - timeOf(current.start)) < deps.groupWindowMs) return current;
      const fresh = { incidentName: name(), start: r.alert.detectedAt };
      // An alert older than the current group's start is a straggler: its own group, the pointer stays.
      if (current && at < timeOf(current.start)) return fresh;
      if (await deps.store.setCurrent(r.ruleId, host, fresh, found?.etag)) return fresh;
    }
    throw new ArgusError('ARGUS_CONFLICT', `the escalation group of rule ${r.ruleId} kept changing; trying again`);
  }

  /** The incident's number, making the incident when the group has none yet (any member may: creation is idempotent by name). */
  async function incidentOf(group: EscalationGroup, r: TriageRecord, options: EscalateOptions): Promise<number> {
    if (group.number !== undefined) return group.number;
    const draft = escalationDraft(r, { name: group.incidentName, alertCount: group.count, requestedBy: options.requestedBy, correlationId: options.correlationId });
    const made = await deps.creator.create(draft);
    await deps.store.setNumber(group.incidentName, made.number);
    return made.number;
  }

  /** A later alert joined: Argus's alert count, the card (with a thread note the first time), Sentinel's comment. */
  async function announce(group: EscalationGroup, alert: EscalatedAlert, firstTime: boolean): Promise<void> {
    if (deps.creator.source === 'argus') await syncAlertCount(group.incidentName, group.count);
    if (deps.comments) await deps.comments.addComment(group.incidentName, joinedComment(alert), joinCommentId(group.incidentName, alert.alertId));
    await deps.publisher.publish(group.incidentName, firstTime ? joinedText(alert) : undefined);
  }

  async function syncAlertCount(name: string, count: number): Promise<void> {
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const existing = await deps.incidents.get(name);
      if (!existing || existing.incident.alertCount >= count) return;
      const { etag, ...record } = existing;
      if (await deps.incidents.save({ ...record, incident: { ...record.incident, alertCount: count } }, etag)) return;
    }
  }

  /** Writes the incident on the alert's record (once; another writer's change is read again). */
  async function saveIncident(alertId: string, incident: { name: string; number: number }): Promise<{ record: TriageRecord; first: boolean }> {
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const stored = await deps.records.get(alertId);
      if (!stored) throw new ArgusError('ARGUS_NOT_FOUND', `no triage record for alert ${alertId}`);
      if (stored.record.incident) return { record: stored.record, first: false };
      const record = { ...stored.record, incident };
      if (await deps.records.save(record, stored.etag)) return { record, first: true };
    }
    throw new ArgusError('ARGUS_CONFLICT', `the triage record of alert ${alertId} keeps changing; trying again`);
  }

  async function run(r: TriageRecord, options: EscalateOptions): Promise<TriageRecord> {
    const choice = (await deps.store.chosen(r.alertId)) ?? (await deps.store.choose(r.alertId, await pickGroup(r, randomUUID)));
    const alert = escalatedAlert(r);
    const { group, joined } = await deps.store.join(choice, alert);
    const number = await incidentOf(group, r, options);
    if (group.founder !== r.alertId) await announce(group, alert, joined);
    const incident = { name: group.incidentName, number };
    const saved = await saveIncident(r.alertId, incident);
    if (saved.first) {
      await deps.audit.append({
        action: 'alert.escalate',
        outcome: 'succeeded',
        ...auditActor(options.requestedBy, 'argus-triage'),
        target: r.alertId,
        correlationId: options.correlationId,
        detail: { ruleId: r.ruleId, incident: incident.name, number, joined: group.founder !== r.alertId, score: r.score },
      });
    }
    (options.log ?? deps.logger).info({ alertId: r.alertId, incident: incident.name, number, joined: group.founder !== r.alertId }, 'alert escalated');
    return saved.record;
  }

  async function request(alertId: string, actor: EscalateOptions['requestedBy'], correlationId: string): Promise<void> {
    await deps.intake.accept({
      name: 'alert.escalation.requested',
      source: 'argus',
      idempotencyKey: `alert-escalation|${alertId}`,
      correlationId,
      payload: { alertId, ...(actor ? { actor: { aadObjectId: actor.aadObjectId, name: actor.name, tenantId: actor.tenantId } } : {}) },
    });
  }

  return {
    async escalate(record, options = {}) {
      if (record.incident) return record;
      try {
        return await run(record, options);
      } catch (err) {
        // Handed over: the event retries it until done, whether or not the caller's work is retried.
        await request(record.alertId, options.requestedBy, options.correlationId ?? `escalation-${record.alertId}`).catch((e: unknown) =>
          (options.log ?? deps.logger).warn({ err: e, alertId: record.alertId }, 'could not hand the escalation over to be retried'),
        );
        throw err;
      }
    },
    request,
  };
}
