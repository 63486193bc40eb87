import type { DetectionOutcomeStore } from '../detections/outcomes/outcome-store';
import { argusIncidentCreator } from '../incidents/argus-incident-creator';
import { TableIncidentCounter } from '../incidents/incident-counter';
import type { IncidentCreator } from '../incidents/incident-creator';
import { sentinelIncidentCreator } from '../incidents/sentinel-incident-creator';
import { parseIsoDuration } from '../playbooks/duration';
import { tableNames } from '../storage/table-store';
import { createEscalationFeature, type EscalationFeature } from '../triage/escalation-feature';
import { TableEscalationStore } from '../triage/escalation-store';
import { TableTriageStore } from '../triage/triage-store';
import type { Platform } from './compose';

/**
 * Where incidents are made: in Sentinel when `sentinel` is configured, else in Argus (numbers from
 * a counter row in ArgusIncidents). Escalation uses it; so may any feature that opens incidents.
 */
export function incidentCreatorOf(p: Platform): IncidentCreator {
  const common = { incidents: p.incidents, publisher: p.publisher, audit: p.audit };
  if (p.sentinel) return sentinelIncidentCreator({ ...common, sentinel: p.sentinel });
  return argusIncidentCreator({ ...common, counter: new TableIncidentCounter(p.store.client(tableNames.incidents)) });
}

/** Escalated alerts into incidents, grouped per rule + host (rows in triage's table ArgusAlerts). */
export function composeEscalation(p: Platform, outcomes: Pick<DetectionOutcomeStore, 'get' | 'recordOutcome'>): EscalationFeature {
  const alerts = p.store.client(tableNames.alerts);
  return createEscalationFeature({
    store: new TableEscalationStore(alerts),
    records: new TableTriageStore(alerts),
    outcomes,
    creator: incidentCreatorOf(p),
    publisher: p.publisher,
    ...(p.sentinel ? { comments: p.sentinel } : {}),
    incidents: p.incidents,
    intake: p.intake,
    audit: p.audit,
    // The config schema accepts only durations above zero.
    groupWindowMs: parseIsoDuration(p.config.file.triage.groupWindow) ?? 3_600_000,
    logger: p.logger.child({ feature: 'escalation' }),
  });
}
