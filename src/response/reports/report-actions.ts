import { plain } from '../../cards/text';
import { incidentVerbs } from '../../cards/verbs';
import type { AdaptiveCard, CardActionDefinition, CardActionResult } from '../../teams/registry';
import { when } from './report-format';
import type { ReportService } from './report-service';
import { isReportType, reportTypes, reportTypeTitles, type ReportDocument } from './report-types';

export const reportVerbs = { report: 'incident.report' } as const;

const badInput = (message: string): CardActionResult => ({ error: { status: 400, code: 'ARGUS_BAD_PAYLOAD', message } });

/** The answer to incident.report: the report's summary and a button that opens the signed link. */
export function reportLinkCard(input: { incidentId: string; document: ReportDocument; url: string; expiresAt: string }): AdaptiveCard {
  const title = `${reportTypeTitles[input.document.type]} · ${plain(input.document.subtitle, 150)}`;
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    fallbackText: title,
    body: [
      { type: 'TextBlock', text: title, weight: 'Bolder', wrap: true, style: 'heading' },
      { type: 'TextBlock', text: plain(input.document.summary, 600), wrap: true },
      { type: 'TextBlock', text: `The link works until ${when(input.expiresAt)}; opening it is audited.`, wrap: true, isSubtle: true, size: 'Small' },
    ],
    actions: [
      { type: 'Action.OpenUrl', title: 'Open report', url: input.url },
      { type: 'Action.Execute', title: 'Back to the incident', verb: incidentVerbs.refresh, data: { incidentId: input.incidentId } },
    ],
  };
}

/**
 * `incident.report {incidentId, type, format?}` (responder: a link reads without Teams sign-in
 * while it is valid, so handing one out is a responder's decision). Links serve HTML (default) or PDF.
 */
export function reportActions(service: ReportService): CardActionDefinition[] {
  return [
    {
      verb: reportVerbs.report,
      role: 'responder',
      needsIncident: true,
      async handle(ctx) {
        const { type } = ctx.data;
        const format = ctx.data.format ?? 'html';
        if (!isReportType(type)) return badInput(`Choose a report type: ${reportTypes.join(', ')}.`);
        if (format !== 'html' && format !== 'pdf') return badInput('A report link serves html or pdf.');
        const incidentId = String(ctx.data.incidentId);
        const outcome = await service.link(incidentId, type, format, { actor: ctx.actor, decision: ctx.decision, correlationId: ctx.correlationId });
        if (outcome.kind === 'not-found') return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
        if (outcome.kind === 'unavailable') return { error: { status: 503, code: 'ARGUS_NOT_READY', message: `No report link: ${outcome.reason}.` } };
        return { card: reportLinkCard({ incidentId, document: outcome.document, url: outcome.url, expiresAt: outcome.expiresAt }) };
      },
    },
  ];
}
