import type { FeatureParts } from '../app/feature';
import type { DetectionOutcomeStore } from '../detections/outcomes/outcome-store';
import type { EventHandler } from '../events/router';
import type { IncidentCardDecorator } from '../incidents/card-publisher';
import { createEscalation, type EscalationDeps, type EscalationPort } from './escalation';
import { escalationOverrides, type OverrideHandlers } from './escalation-overrides';
import type { EscalationStore } from './escalation-store';

export interface EscalationFeatureDeps extends EscalationDeps {
  outcomes: Pick<DetectionOutcomeStore, 'get' | 'recordOutcome'>;
}

export interface EscalationFeature extends FeatureParts {
  /** What the triage feature escalates through. */
  port: EscalationPort;
  handlers: OverrideHandlers & {
    /** alert.escalation.requested: the review card's Escalate, or an escalation handed over to be retried. */
    escalate: EventHandler<'alert.escalation.requested'>;
  };
}

/** The incident card's list of the alerts it was made from. */
function escalatedAlertsSection(store: Pick<EscalationStore, 'group'>): IncidentCardDecorator {
  return async (record) => {
    const group = await store.group(record.incident.name);
    return group ? { escalatedAlerts: { total: group.count, alerts: group.recent } } : {};
  };
}

/**
 * Escalation (ARCHITECTURE §8, docs/triage.md "Escalation and grouping"): an escalated alert makes
 * an incident — in Sentinel when it is configured, else in Argus — or joins the one of its rule and
 * host within `triage.groupWindow`; closing that incident as a false or benign positive overrules
 * triage for each of its alerts.
 */
export function createEscalationFeature(deps: EscalationFeatureDeps): EscalationFeature {
  const port = createEscalation(deps);
  return {
    port,
    handlers: {
      async escalate(event, ctx) {
        const stored = await deps.records.get(event.payload.alertId);
        if (stored?.record.status !== 'decided') {
          ctx.log.warn({ alertId: event.payload.alertId, status: stored?.record.status ?? 'unknown' }, 'escalation asked for an alert that is not decided; nothing to do');
          return;
        }
        await port.escalate(stored.record, { log: ctx.log, requestedBy: event.payload.actor, correlationId: ctx.correlationId });
      },
      ...escalationOverrides({ store: deps.store, records: deps.records, outcomes: deps.outcomes, audit: deps.audit }),
    },
    cardSections: [escalatedAlertsSection(deps.store)],
  };
}
