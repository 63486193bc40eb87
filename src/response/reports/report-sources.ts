import type { AuditLog } from '../../audit/audit-log';
import type { Incident } from '../../incidents/incident';
import type { IncidentRepository } from '../../incidents/incident-repository';
import { TableIncidentRepository } from '../../incidents/incident-repository';
import type { PlaybookRun } from '../../playbooks/playbook';
import { TablePlaybookRunStore } from '../../playbooks/run-store';
import { asEntityTable, type EntityTable } from '../../storage/entity-table';
import { tableNames, type TableStore } from '../../storage/table-store';
import type { StoredTicketLink } from '../../ticketing/ticket-link';
import { TableTicketLinkStore } from '../../ticketing/ticket-link-store';
import type { ClockRecord } from '../clock-records';
import { clockRows } from '../clock-store';
import { EvidenceStore } from '../evidence-store';
import type { ImpactAssessment } from '../impact';
import { tableImpactStore } from '../impact-store';
import { tablePostMortems, type PostMortemStore } from '../postmortem';
import { TableResponseStore, type ResponseStore } from '../response-store';
import { incidentTimeline, type TimelinePorts } from '../timeline-sources';
import type { TimelineEntry } from '../timeline';
import type { ReportData, ReportEvidence } from './report-types';

/** Where a report's data comes from: narrow reads of the features' own tables. */
export interface ReportSources {
  incidents: Pick<IncidentRepository, 'get'>;
  response: Pick<ResponseStore, 'load'>;
  postMortems: Pick<PostMortemStore, 'get'>;
  /** The `impact` row of the response partition, when an assessment was made. */
  impact(incidentId: string): Promise<ImpactAssessment | undefined>;
  evidence(incidentId: string): Promise<ReportEvidence[]>;
  clocks(incidentId: string): Promise<ClockRecord[]>;
  runs(incidentId: string): Promise<PlaybookRun[]>;
  ticket(incidentId: string): Promise<StoredTicketLink | undefined>;
  /** The incident's timeline (the same one `argus incident timeline` prints). */
  timeline(incident: Incident): Promise<TimelineEntry[]>;
  audit: Pick<AuditLog, 'query'>;
}

const queryActions = new Set(['query.run', 'query.kql']);

/** Reads everything a report may say about the incident; undefined when Argus does not know it. */
export async function gatherReportData(s: ReportSources, incidentId: string, now: Date): Promise<ReportData | undefined> {
  const record = await s.incidents.get(incidentId);
  if (!record) return undefined;
  const { incident } = record;
  const [state, pm, impact, evidence, clocks, runs, link, queries, timeline] = await Promise.all([
    s.response.load(incidentId),
    s.postMortems.get(incidentId),
    s.impact(incidentId),
    s.evidence(incidentId),
    s.clocks(incidentId),
    s.runs(incidentId),
    s.ticket(incidentId),
    s.audit.query({ target: incidentId, limit: 500 }).then((rows) => rows.filter((r) => queryActions.has(r.action) && r.outcome === 'succeeded')),
    s.timeline(incident),
  ]);
  return {
    generatedAt: now.toISOString(),
    incident,
    phase: state.phase?.phase ?? 'detection',
    phaseSince: state.phase?.since,
    phaseHistory: state.phase?.history ?? [],
    ...(state.plan ? { plan: { title: state.plan.title, steps: state.steps } } : {}),
    ...(impact ? { impact } : {}),
    evidence,
    clocks,
    runs: [...runs].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt)),
    ...(link?.ticket ? { ticket: { number: link.ticket.number, url: link.ticket.url, statusLabel: link.ticket.statusLabel, provider: link.ticket.provider } } : {}),
    queries,
    ...(pm ? { postMortem: pm.postMortem } : {}),
    timeline,
  };
}

/** The sources over the tables of one storage account (the service and the CLI use the same). */
export function tableReportSources(store: TableStore, audit: Pick<AuditLog, 'query'>, timeline: TimelinePorts): ReportSources {
  const responseTable: EntityTable = asEntityTable(store.client(tableNames.response));
  const evidence = new EvidenceStore(store.client(tableNames.evidence));
  const runs = new TablePlaybookRunStore(store.client(tableNames.playbookRuns));
  const tickets = new TableTicketLinkStore(store.client(tableNames.tickets));
  const clocks = clockRows(store.client(tableNames.clocks));
  const impacts = tableImpactStore(responseTable);
  return {
    incidents: new TableIncidentRepository(store.client(tableNames.incidents)),
    response: new TableResponseStore(responseTable),
    postMortems: tablePostMortems(responseTable),
    impact: (id) => impacts.get(id),
    async evidence(id) {
      const items = await evidence.listFor(id);
      return Promise.all(
        items.map(async (item): Promise<ReportEvidence> => {
          const ledger = await evidence.ledger(item);
          const last = ledger.at(-1);
          return { ...item, custodyEntries: ledger.length, ...(last ? { lastCustody: { action: last.action, at: last.at, by: last.by } } : {}) };
        }),
      );
    },
    clocks: async (id) => (await clocks.list(`${id}|`)).map((r) => r.value),
    runs: async (id) => (await runs.listForIncident(id)).map((r) => r.run),
    ticket: (id) => tickets.get(id),
    timeline: async (incident) => (await incidentTimeline(timeline, incident)).entries,
    audit,
  };
}
