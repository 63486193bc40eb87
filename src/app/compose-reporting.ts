import { createReportingFeature, type ReportingFeature } from '../reporting/feature';
import { TableReportStore } from '../reporting/report-store';
import { tableNames } from '../storage/table-store';
import type { Platform } from './compose';
import { incidentCreatorOf } from './compose-escalation';

/** Reports per user per hour (counted in Table Storage, so across every instance). */
const reportsPerHour = 5;

/** Reporting a suspected incident from Teams (the `report` command and the Report to SOC message action). */
export function composeReporting(p: Platform): ReportingFeature {
  return createReportingFeature({
    creator: incidentCreatorOf(p),
    ...(p.sentinel ? { comments: p.sentinel } : {}),
    store: new TableReportStore(p.store.client(tableNames.suspectedReports)),
    ...(p.userChats ? { chats: p.userChats } : {}),
    audit: p.audit,
    logger: p.logger.child({ feature: 'reporting' }),
    limitPerHour: reportsPerHour,
  });
}
