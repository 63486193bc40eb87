import type { AuditLog } from '../audit/audit-log';
import { clockKey } from '../response/clock-records';
import { clockRows } from '../response/clock-store';
import { EvidenceStore } from '../response/evidence-store';
import { tableImpactStore } from '../response/impact-store';
import { TableResponseStore } from '../response/response-store';
import { createTimelineFeature } from '../response/timeline-feature';
import type { TimelinePorts } from '../response/timeline-sources';
import type { FeatureParts } from './feature';
import { TableEscalationStore } from '../triage/escalation-store';
import { partitionReadsOnce } from '../storage/render-scope';
import { tableNames, type TableStore } from '../storage/table-store';
import type { Platform } from './compose';

/** The timeline's sources over the stored tables (the service and `argus incident timeline` read the same). */
export function timelinePorts(store: Pick<TableStore, 'client'>, audit: Pick<AuditLog, 'query'>): TimelinePorts {
  const escalation = new TableEscalationStore(store.client(tableNames.alerts));
  return {
    audit,
    evidence: new EvidenceStore(store.client(tableNames.evidence)),
    response: new TableResponseStore(store.client(tableNames.response)),
    // Alerts triage escalated into the incident, each at its detection time.
    alerts: async (incidentId) =>
      (await escalation.members(incidentId)).map((a) => ({ id: a.alertId, displayName: a.title, productName: 'Argus detections', firstSeen: a.detectedAt, tactics: [], techniques: [] })),
  };
}

/** The incident timeline and impact assessment, from the platform's ports. */
export function composeTimeline(p: Platform): FeatureParts {
  const clocks = clockRows(p.store.client(tableNames.clocks));
  return createTimelineFeature({
    timeline: timelinePorts(p.store, p.audit),
    impacts: tableImpactStore(partitionReadsOnce(p.store.client(tableNames.response), tableNames.response)),
    clockStarted: async (incidentId, regime) => (await clocks.get(clockKey(incidentId, regime))) !== undefined,
    incidents: p.incidents,
    publisher: p.publisher,
    audit: p.audit,
    logger: p.logger.child({ feature: 'timeline' }),
  });
}
