import { secretNames } from '../config/secret-provider';
import type { IncidentsFeature } from '../incidents/feature';
import type { FollowUpTicketPort } from '../response/follow-up-port';
import { postMortemActions } from '../response/postmortem-actions';
import { postMortemTicketAction } from '../response/postmortem-ticket-action';
import { tableActionTickets } from '../response/postmortem-tickets';
import { tablePostMortems } from '../response/postmortem';
import { postMortemCardSection, reportCardSection } from '../response/postmortem-card';
import { TableResponseStore } from '../response/response-store';
import { tableReportSources } from '../response/reports/report-sources';
import { tableReportRecords } from '../response/reports/report-store';
import { createReportsFeature, type ReportsFeature } from '../response/reports/reports-feature';
import { partitionReadsOnce } from '../storage/render-scope';
import { tableNames } from '../storage/table-store';
import type { Platform } from './compose';
import { timelinePorts } from './compose-timeline';

/** Reports with signed links (table ArgusReports) and the post-mortem verbs (rows `postmortem` and `pmticket-<nn>` of ArgusResponse). */
export function composeReports(p: Platform, f: { incidents: IncidentsFeature; followUps?: FollowUpTicketPort }): ReportsFeature {
  const reports = createReportsFeature({
    sources: tableReportSources(p.store, p.audit, timelinePorts(p.store, p.audit)),
    records: tableReportRecords(p.store.client(tableNames.reports)),
    linkSecret: () => p.secrets.get(secretNames.reportLink),
    publicUrl: p.config.file.publicUrl,
    audit: p.audit,
  });
  const responseTable = partitionReadsOnce(p.store.client(tableNames.response), tableNames.response);
  const store = tablePostMortems(responseTable);
  const response = new TableResponseStore(responseTable);
  const postMortems = postMortemActions({
    store,
    response,
    incidents: f.incidents.state,
    publisher: p.publisher,
    audit: p.audit,
  });
  const tickets = tableActionTickets(responseTable);
  const ticketAction = postMortemTicketAction({ postMortems: store, tickets, followUps: f.followUps, incidents: f.incidents.state, publisher: p.publisher, audit: p.audit });
  return {
    ...reports,
    actions: [...(reports.actions ?? []), ...postMortems, ticketAction],
    cardSections: [...(reports.cardSections ?? []), postMortemCardSection({ store, response, ...(f.followUps ? { followUps: tickets } : {}) }), reportCardSection],
  };
}
