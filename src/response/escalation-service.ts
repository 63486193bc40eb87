import type { AuditLog } from '../audit/audit-log';
import { renderEscalationCard } from '../cards/escalation-notice-card';
import type { Incident } from '../incidents/incident';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import { describeDuration, parseIsoDuration } from '../playbooks/duration';
import type { PostedCard } from '../teams/card-outbox';
import type { TeamsDelivery } from '../teams/teams-delivery';
import type { DueRows } from './due-rows';
import { dueEscalations, escalationSchedule, type EscalationPolicy, type ScheduledStep } from './escalation';
import { claimTtlMs, isSendable, nextTry, owed, sendOwed, type OwedMessage, type SendTarget } from './owed-message';

/**
 * Escalation of unacknowledged incidents, as stored (table ArgusClocks, partition `escalation`, one
 * row per incident): when its clock started, and each step owed, keyed `<severity>#<index>` so that
 * a severity change moves the incident to the new severity's steps without repeating any.
 */
export interface EscalationRecord {
  incidentName: string;
  incidentNumber: number;
  severity: Incident['severity'];
  /** Sentinel's creation time, else when Argus first saw the incident. */
  startedAt: string;
  startedFrom: 'created' | 'first-seen';
  steps: Record<string, OwedMessage>;
  /** Set once the incident was acknowledged (or closed): nothing more is sent. */
  stopped?: { at: string; status: string };
}

/** Acknowledged: someone took the incident on (status Active, here or in Sentinel), or it was closed. */
export function isAcknowledged(incident: Pick<Incident, 'status'>): boolean {
  return incident.status !== 'New';
}

const stepKey = (severity: string, index: number) => `${severity}#${index}`;

export function scheduleOf(policy: EscalationPolicy, record: EscalationRecord): ScheduledStep[] {
  return escalationSchedule(policy, record.severity, new Date(record.startedAt));
}

/** When the row next needs the sweeper (0: stopped, or every step sent). */
export function nextEscalationAt(policy: EscalationPolicy, record: EscalationRecord): number {
  if (record.stopped) return 0;
  let next = Number.POSITIVE_INFINITY;
  for (const s of scheduleOf(policy, record)) {
    const state = record.steps[stepKey(record.severity, s.index)] ?? owed();
    if (state.state === 'pending') next = Math.min(next, nextTry(state, s.dueAt.getTime(), claimTtlMs));
  }
  return Number.isFinite(next) ? Math.max(1, next) : 0;
}

export interface EscalationDeps {
  policy: EscalationPolicy;
  rows: DueRows<EscalationRecord>;
  incidents: Pick<IncidentRepository, 'get'>;
  cards: { cardsOf(incidentName: string): Promise<PostedCard[]> };
  delivery: Pick<TeamsDelivery, 'reply' | 'post'>;
  /** People's personal chats with Argus and the names Teams gave them (absent: not installed). */
  people(aadObjectIds: readonly string[]): Promise<Map<string, { conversationId?: string; name?: string }>>;
  audit: AuditLog;
  owner: string;
  now: () => number;
  logger: Logger;
}

export class EscalationService {
  constructor(private readonly deps: EscalationDeps) {}

  /**
   * An incident Argus sees (a Sentinel version, or an open incident found by the adoption scan):
   * starts its escalation when its severity has steps and nobody acknowledged it, follows its
   * severity, and stops it at the acknowledgement.
   */
  async follow(incident: Incident, seenAt: string): Promise<void> {
    const { rows, policy } = this.deps;
    const existing = await rows.get(incident.name);
    if (isAcknowledged(incident)) {
      if (existing && !existing.value.stopped) await this.stop(incident);
      return;
    }
    if (!existing) {
      if (!policy[incident.severity]?.length) return;
      const created = Boolean(incident.createdTimeUtc && !Number.isNaN(Date.parse(incident.createdTimeUtc)));
      await rows.create(incident.name, {
        incidentName: incident.name,
        incidentNumber: incident.number,
        severity: incident.severity,
        startedAt: created ? new Date(incident.createdTimeUtc!).toISOString() : seenAt,
        startedFrom: created ? 'created' : 'first-seen',
        steps: {},
      });
      return;
    }
    if (existing.value.severity !== incident.severity && !existing.value.stopped)
      await rows.mutate(incident.name, (r) => (r.severity === incident.severity ? undefined : { ...r, severity: incident.severity }));
  }

  /** Fires the steps due now, in order, each once; `holdLease` false: another instance took over. */
  async sweep(holdLease: () => Promise<boolean>): Promise<void> {
    for (const row of await this.deps.rows.due(this.deps.now())) {
      if (!(await holdLease())) return;
      try {
        await this.escalate(row.key);
      } catch (err) {
        this.deps.logger.warn({ err, incident: row.key }, 'an escalation step could not be handled; the next sweep tries again');
      }
    }
  }

  private async escalate(incidentName: string): Promise<void> {
    const record = (await this.deps.incidents.get(incidentName))?.incident;
    if (!record) return;
    if (isAcknowledged(record)) return this.stop(record);
    await this.follow(record, new Date(this.deps.now()).toISOString());
    const row = await this.deps.rows.get(incidentName);
    if (!row || row.value.stopped) return;
    const schedule = scheduleOf(this.deps.policy, row.value);
    const settled = new Set(schedule.filter((s) => (row.value.steps[stepKey(row.value.severity, s.index)] ?? owed()).state !== 'pending').map((s) => s.index));
    for (const step of dueEscalations(schedule, settled, false, new Date(this.deps.now()))) {
      if (!isSendable(row.value.steps[stepKey(row.value.severity, step.index)] ?? owed(), this.deps.now(), claimTtlMs)) return;
      if (!(await this.fire(row.value, step, schedule.length))) return; // keep the order: a later step waits for this one
    }
  }

  private async fire(record: EscalationRecord, step: ScheduledStep, steps: number): Promise<boolean> {
    const key = stepKey(record.severity, step.index);
    const { deps } = this;
    const missing: string[] = [];
    const outcome = await sendOwed<EscalationRecord>({
      owner: deps.owner,
      now: deps.now,
      claimTtlMs,
      mutate: async (change) => (await deps.rows.mutate(record.incidentName, (r) => (change(r) ? r : undefined)))?.value,
      slot: (r) => (r.stopped ? undefined : (r.steps[key] ??= owed())),
      targets: async () => {
        const incident = (await deps.incidents.get(record.incidentName))?.incident;
        if (!incident || isAcknowledged(incident)) return 'cancelled';
        const people = await deps.people([...new Set([...step.step.mention, ...step.step.personal])]);
        const card = renderEscalationCard({
          incidentId: incident.name,
          incidentNumber: incident.number,
          severity: incident.severity,
          title: incident.title,
          waited: describeDuration(parseIsoDuration(step.step.after) ?? 0),
          mentions: step.step.mention.map((id) => ({ id, name: people.get(id)?.name ?? '' })),
          step: step.index + 1,
          steps,
        });
        const message = { card, summary: `Incident #${incident.number} is not acknowledged` };
        const targets: SendTarget[] = [];
        const where = step.step.conversationId;
        if (where) targets.push({ key: `post:${where}`, send: async () => void (await deps.delivery.post(where, message)) });
        else
          for (const c of await deps.cards.cardsOf(incident.name))
            targets.push({ key: `thread:${c.conversationId}`, send: async () => void (await deps.delivery.reply(c.conversationId, c.activityId, message)) });
        for (const id of step.step.personal) {
          const chat = people.get(id)?.conversationId;
          if (chat) targets.push({ key: `personal:${id}`, send: async () => void (await deps.delivery.post(chat, message)) });
          else missing.push(id);
        }
        return targets;
      },
    });
    if (outcome.kind === 'not-mine') return false;
    if (outcome.kind === 'cancelled') return true;
    const detail = { incidentNumber: record.incidentNumber, severity: record.severity, step: step.index + 1, after: step.step.after, mention: step.step.mention };
    const base = { action: 'escalation.step', actorName: 'Argus', target: record.incidentName, correlationId: `escalation|${record.incidentName}|${key}` };
    if (outcome.kind === 'sent') {
      await deps.audit.append({ ...base, outcome: 'succeeded', detail: { ...detail, sentTo: outcome.targets, noPersonalChat: missing } });
      return true;
    }
    deps.logger.warn({ err: outcome.error, incident: record.incidentName, step: key }, 'an escalation step could not be sent; will retry');
    await deps.audit.append({ ...base, outcome: 'failed', detail: { ...detail, error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error), sentTo: outcome.sentTo } });
    return false;
  }

  private async stop(incident: Incident): Promise<void> {
    const at = new Date(this.deps.now()).toISOString();
    const saved = await this.deps.rows.mutate(incident.name, (r) => (r.stopped ? undefined : { ...r, stopped: { at, status: incident.status } }));
    if (!saved) return;
    const fired = Object.values(saved.value.steps).filter((s) => s.state === 'sent').length;
    await this.deps.audit.append({
      action: 'escalation.stopped',
      outcome: 'succeeded',
      actorName: 'Argus',
      target: incident.name,
      correlationId: `escalation|${incident.name}|stopped`,
      detail: { incidentNumber: incident.number, status: incident.status, owner: incident.owner?.assignedTo ?? null, stepsSent: fired },
    });
  }
}
