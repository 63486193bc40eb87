import type { AuditLog } from '../audit/audit-log';
import type { Verdict } from '../detections/outcomes/outcome-model';
import type { DetectionOutcomeStore } from '../detections/outcomes/outcome-store';
import type { EventHandler, EventsOf } from '../events/router';
import type { Classification, Incident } from '../incidents/incident';
import type { Logger } from '../logging/logger';
import type { EscalationStore } from './escalation-store';
import type { TriageOverride } from './triage-record';
import type { TriageStore } from './triage-store';

/**
 * Closing an incident made from escalated alerts as a false or benign positive overrules triage's
 * escalation of each of its alerts: a `human_override` step in the outcome history (so `argus rules
 * stats` counts it), the override on the alert's record (`argus alerts show`), and an audit row.
 * The close arrives as the card's write-back event or as a Sentinel version; both may come for one
 * close (the card, then Sentinel's echo): an alert already overruled the same way is left alone.
 */

export interface OverrideDeps {
  store: Pick<EscalationStore, 'group' | 'members'>;
  records: Pick<TriageStore, 'get' | 'save'>;
  outcomes: Pick<DetectionOutcomeStore, 'get' | 'recordOutcome'>;
  audit: Pick<AuditLog, 'append'>;
}

export interface OverrideHandlers {
  /** incident.writeback.requested: an engineer closed the incident from its card. */
  followCardClose: EventHandler<'incident.writeback.requested'>;
  /** sentinel.incident.*: a version of the incident, closed in Sentinel (or echoing a card close). */
  followSentinelClose: EventHandler<EventsOf<'sentinel.incident'>>;
}

const overruling: Partial<Record<Classification, Verdict>> = { FalsePositive: 'false_positive', BenignPositive: 'benign' };

interface Close {
  incidentName: string;
  classification: Classification | undefined;
  by: { aadObjectId?: string; name?: string; tenantId?: string };
  at: string;
  correlationId: string;
  via: 'card' | 'sentinel';
}

const maxAttempts = 5;

function sentinelAnalyst(i: Incident): string {
  return i.owner?.assignedTo || i.owner?.userPrincipalName || i.owner?.email || 'Microsoft Sentinel';
}

export function escalationOverrides(deps: OverrideDeps): OverrideHandlers {
  async function setOverride(alertId: string, override: TriageOverride): Promise<void> {
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const stored = await deps.records.get(alertId);
      if (!stored) return;
      if (await deps.records.save({ ...stored.record, override }, stored.etag)) return;
    }
  }

  async function apply(close: Close, log: Logger): Promise<void> {
    const verdict = close.classification && overruling[close.classification];
    if (!verdict) return;
    const group = await deps.store.group(close.incidentName);
    if (!group) return; // not an incident made from escalated alerts
    const note = `incident ${group.number !== undefined ? `#${group.number} ` : ''}closed as ${close.classification}`;
    const by = close.by.name ?? close.by.aadObjectId ?? 'someone';
    const actor = (close.by.aadObjectId ?? by).slice(0, 200);
    let changed = 0;
    for (const member of await deps.store.members(close.incidentName)) {
      const stored = await deps.records.get(member.alertId);
      const previous = stored?.record.override;
      if (!stored || (previous?.verdict === verdict && previous.note === note)) continue;
      const history = await deps.outcomes.get(member.ruleId, member.alertId);
      const recorded = history?.history.some((s) => s.outcome === 'human_override' && s.verdict === verdict && s.note === note);
      if (history && !recorded) await deps.outcomes.recordOutcome({ ruleId: member.ruleId, alertId: member.alertId, outcome: 'human_override', verdict, actor, at: close.at, note });
      await deps.audit.append({
        action: 'alert.override',
        outcome: 'succeeded',
        actorId: close.by.aadObjectId,
        actorName: by,
        actorTenantId: close.by.tenantId,
        target: member.alertId,
        correlationId: close.correlationId,
        detail: { via: `incident-close-${close.via}`, incident: close.incidentName, number: group.number ?? null, classification: close.classification, verdict, ruleId: member.ruleId, previous: previous?.verdict ?? null },
      });
      await setOverride(member.alertId, { verdict, by, at: close.at, note });
      changed += 1;
    }
    if (changed) log.info({ incident: close.incidentName, classification: close.classification, alerts: changed }, 'incident close overruled the escalation of its alerts');
  }

  return {
    async followCardClose(event, ctx) {
      const { change, incidentName, actor } = event.payload;
      if (change.status !== 'Closed') return;
      await apply({ incidentName, classification: change.classification, by: actor, at: event.receivedAt, correlationId: ctx.correlationId, via: 'card' }, ctx.log);
    },
    async followSentinelClose(event, ctx) {
      const { incident } = event.payload;
      if (incident.status !== 'Closed') return;
      const by = { name: sentinelAnalyst(incident), ...(incident.owner?.objectId ? { aadObjectId: incident.owner.objectId } : {}) };
      await apply({ incidentName: incident.name, classification: incident.classification, by, at: incident.lastModifiedTimeUtc, correlationId: ctx.correlationId, via: 'sentinel' }, ctx.log);
    },
  };
}
