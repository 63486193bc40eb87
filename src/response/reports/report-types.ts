import type { AuditRecord } from '../../audit/audit-log';
import type { Incident } from '../../incidents/incident';
import type { PlaybookRun } from '../../playbooks/playbook';
import type { Ticket } from '../../ticketing/ticket';
import type { ClockRecord } from '../clock-records';
import type { EvidenceSummary } from '../evidence-port';
import type { ImpactAssessment } from '../impact';
import type { Phase } from '../phases';
import type { PostMortem } from '../postmortem';
import type { PhaseEntry, StepState } from '../response-store';
import type { TimelineEntry } from '../timeline';

/** Reports for every audience (ARCHITECTURE §9), each in every format. */
export const reportTypes = ['initial', 'status', 'executive', 'technical', 'compliance', 'postmortem'] as const;
export type ReportType = (typeof reportTypes)[number];
export const reportFormats = ['md', 'html', 'pdf'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const reportTypeTitles: Readonly<Record<ReportType, string>> = {
  initial: 'Initial notification',
  status: 'Status update',
  executive: 'Executive summary',
  technical: 'Technical analysis',
  compliance: 'Compliance report',
  postmortem: 'Post-mortem',
};

export const isReportType = (v: unknown): v is ReportType => typeof v === 'string' && (reportTypes as readonly string[]).includes(v);
export const isReportFormat = (v: unknown): v is ReportFormat => typeof v === 'string' && (reportFormats as readonly string[]).includes(v);

/** An evidence item with where its chain of custody stands. */
export interface ReportEvidence extends EvidenceSummary {
  custodyEntries: number;
  lastCustody?: { action: string; at: string; by: string };
}

/** Everything a report may say, read from what Argus holds about one incident. Reports are made from this alone. */
export interface ReportData {
  generatedAt: string;
  incident: Incident;
  phase: Phase;
  phaseSince?: string;
  phaseHistory: PhaseEntry[];
  plan?: { title: string; steps: StepState[] };
  impact?: ImpactAssessment;
  evidence: ReportEvidence[];
  clocks: ClockRecord[];
  runs: PlaybookRun[];
  ticket?: Pick<Ticket, 'number' | 'url' | 'statusLabel' | 'provider'>;
  /** Investigation queries run on the incident (audit rows `query.run`, `query.kql`). */
  queries: AuditRecord[];
  timeline: TimelineEntry[];
  postMortem?: PostMortem;
}

/** One block of a report section: the same model renders to Markdown, HTML and PDF. */
export type ReportBlock =
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'facts'; facts: Array<[string, string]> }
  | { kind: 'table'; columns: string[]; rows: string[][] };

export interface ReportSection {
  heading: string;
  blocks: ReportBlock[];
}

export interface ReportDocument {
  type: ReportType;
  title: string;
  subtitle: string;
  generatedAt: string;
  sections: ReportSection[];
  /** A few lines for a Teams card that links to the report. */
  summary: string;
}
