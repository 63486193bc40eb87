import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../../audit/audit-log';
import type { HttpResult } from '../../ingress/http-types';
import { ArgusError } from '../../errors/catalog';
import { auditResponse } from '../response-audit';
import type { ResponseActor } from '../response-ports';
import { checkReportLink, defaultLinkTtlSeconds, reportLinkUrl, signReportLink } from './report-links';
import { renderReport, type RenderedReport } from './report-render';
import { gatherReportData, type ReportSources } from './report-sources';
import type { ReportRecordStore } from './report-store';
import type { ReportDocument, ReportFormat, ReportType } from './report-types';

/** Audit actions of reports: a link handed out, a link opened (or refused). */
export const reportAudit = { link: 'incident.report', open: 'report.open' } as const;

export interface ReportServiceDeps {
  sources: ReportSources;
  records: ReportRecordStore;
  /** Secret `report-link-secret` (through the SecretProvider; never logged). */
  linkSecret: () => Promise<string | undefined>;
  publicUrl?: string;
  audit: AuditLog;
  ttlSeconds?: number;
  now?: () => number;
}

export type LinkOutcome =
  | { kind: 'ok'; url: string; expiresAt: string; document: ReportDocument }
  | { kind: 'not-found' }
  | { kind: 'unavailable'; reason: string };

/** Security headers of a served report: nothing runs, nothing loads, nothing is cached or framed. */
const servedHeaders = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'private, no-store',
  'x-frame-options': 'DENY',
};

const forbidden = (): HttpResult => ({ status: 403, body: new ArgusError('ARGUS_FORBIDDEN', 'This report link is not valid (altered or expired).').toJSON() });

/** Reports of an incident: rendered on demand, handed out as signed links that expire. */
export class ReportService {
  private readonly now: () => number;

  constructor(private readonly deps: ReportServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async render(incidentId: string, type: ReportType, format: ReportFormat): Promise<RenderedReport | undefined> {
    const data = await gatherReportData(this.deps.sources, incidentId, new Date(this.now()));
    return data && renderReport(type, format, data);
  }

  /** incident.report: a report record and its signed link (audited as handed out, or as refused). */
  async link(incidentId: string, type: ReportType, format: 'html' | 'pdf', who: ResponseActor): Promise<LinkOutcome> {
    const record = await this.deps.sources.incidents.get(incidentId);
    if (!record) return { kind: 'not-found' };
    const { incident } = record;
    const refuse = async (reason: string): Promise<LinkOutcome> => {
      await auditResponse(this.deps.audit, who, { action: reportAudit.link, outcome: 'failed', incident, detail: { type, format, reason } });
      return { kind: 'unavailable', reason };
    };
    const secret = await this.deps.linkSecret();
    if (!secret) return refuse('report links need the secret report-link-secret');
    if (!this.deps.publicUrl) return refuse('report links need publicUrl in the config');
    const rendered = await this.render(incidentId, type, 'md');
    if (!rendered) return { kind: 'not-found' };
    const id = randomBytes(16).toString('base64url');
    const exp = Math.floor(this.now() / 1000) + (this.deps.ttlSeconds ?? defaultLinkTtlSeconds);
    const expiresAt = new Date(exp * 1000).toISOString();
    await this.deps.records.create({
      id,
      incidentName: incident.name,
      incidentNumber: incident.number,
      type,
      format,
      createdAt: new Date(this.now()).toISOString(),
      createdBy: who.actor.name ?? '',
      ...(who.actor.aadObjectId ? { createdById: who.actor.aadObjectId } : {}),
      expiresAt,
    });
    await auditResponse(this.deps.audit, who, { action: reportAudit.link, outcome: 'succeeded', incident, detail: { reportId: id, type, format, expiresAt } });
    return { kind: 'ok', url: reportLinkUrl(this.deps.publicUrl, id, exp, signReportLink(secret, id, exp)), expiresAt, document: rendered.document };
  }

  /** GET /reports/<id>?exp=&sig=: the report when the link is valid; 403 when altered or expired. Audited either way. */
  async open(input: { id: string; exp?: string; sig?: string }, correlationId: string): Promise<HttpResult> {
    const secret = await this.deps.linkSecret();
    const check = secret ? checkReportLink(secret, input, Math.floor(this.now() / 1000)) : ({ ok: false, reason: 'bad-signature' } as const);
    const audit = (outcome: 'succeeded' | 'rejected', target: string, detail: Record<string, unknown>) =>
      this.deps.audit.append({ action: reportAudit.open, outcome, actorName: 'signed link', target, correlationId, detail: { reportId: input.id.slice(0, 64), ...detail } });
    if (!check.ok) {
      await audit('rejected', 'report', { reason: check.reason });
      return forbidden();
    }
    const record = await this.deps.records.get(input.id);
    if (!record) {
      await audit('rejected', 'report', { reason: 'unknown-report' });
      return { status: 404, body: new ArgusError('ARGUS_NOT_FOUND', 'No such report').toJSON() };
    }
    const rendered = await this.render(record.incidentName, record.type, record.format);
    if (!rendered) {
      await audit('rejected', record.incidentName, { reason: 'unknown-incident', incidentNumber: record.incidentNumber });
      return { status: 404, body: new ArgusError('ARGUS_NOT_FOUND', 'No such incident').toJSON() };
    }
    await audit('succeeded', record.incidentName, { incidentNumber: record.incidentNumber, type: record.type, format: record.format, createdBy: record.createdBy });
    const disposition = `inline; filename="${rendered.filename}"`;
    return { status: 200, text: rendered.content, contentType: rendered.contentType, headers: { ...servedHeaders, 'content-disposition': disposition } };
  }
}
