import { executiveReport, initialReport, statusReport } from './report-brief';
import { complianceReport, postMortemReport, technicalReport } from './report-detail';
import { renderHtml } from './render-html';
import { renderMarkdown } from './render-markdown';
import { renderPdf } from './render-pdf';
import type { ReportData, ReportDocument, ReportFormat, ReportType } from './report-types';

const builders: Readonly<Record<ReportType, (d: ReportData) => ReportDocument>> = {
  initial: initialReport,
  status: statusReport,
  executive: executiveReport,
  technical: technicalReport,
  compliance: complianceReport,
  postmortem: postMortemReport,
};

export const reportContentTypes: Readonly<Record<ReportFormat, string>> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

export interface RenderedReport {
  document: ReportDocument;
  format: ReportFormat;
  content: string | Buffer;
  contentType: string;
  filename: string;
}

export function buildReport(type: ReportType, data: ReportData): ReportDocument {
  return builders[type](data);
}

/** One report of the incident's data in one format: every format renders the same document. */
export async function renderReport(type: ReportType, format: ReportFormat, data: ReportData): Promise<RenderedReport> {
  const document = buildReport(type, data);
  const content = format === 'md' ? renderMarkdown(document) : format === 'html' ? renderHtml(document) : await renderPdf(document);
  return { document, format, content, contentType: reportContentTypes[format], filename: `incident-${data.incident.number}-${type}.${format}` };
}
