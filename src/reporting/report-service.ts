import type { AuditLog } from '../audit/audit-log';
import { plain } from '../cards/text';
import type { IncidentStatus } from '../incidents/incident';
import type { IncidentCreator, IncidentDraft } from '../incidents/incident-creator';
import type { SentinelClient } from '../incidents/sentinel-client';
import type { Logger } from '../logging/logger';
import type { ActedOnMessage, RequestContext } from '../teams/registry';
import type { UserChats } from '../teams/user-chats';
import { parseReportInput, severityOfUrgency, type ReportInput } from './report-input';
import type { ReportRecord, ReportStore } from './report-store';

export interface ReportServiceDeps {
  creator: IncidentCreator;
  /** Sentinel's comments, when configured: the report is also written as the incident's first comment. */
  comments?: Pick<SentinelClient, 'addComment'>;
  store: ReportStore;
  /** The reporter's personal chat (receipts and updates); absent: no proactive messages. */
  chats?: UserChats;
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
  /** Reports per user per hour. */
  limitPerHour: number;
  now?: () => Date;
}

export type ReportOutcome =
  | { kind: 'created'; number: number; incidentName: string; receipt: string }
  | { kind: 'invalid'; problems: string[] }
  | { kind: 'refused'; message: string };

export type ReportVia = 'chat' | 'message-action';

/** The incident's description: the reporter, their answers and the reported message (plain text). */
export function reportDescription(ctx: Pick<RequestContext, 'actor'>, input: ReportInput, message: ActedOnMessage | undefined, at: string): string {
  const lines = [
    `Reported from Microsoft Teams by ${ctx.actor.name ?? 'unknown'} (${ctx.actor.aadObjectId ?? 'no object id'}) at ${at}.`,
    `What happened: ${input.summary}`,
    `When: ${input.occurredAt || 'not given'}`,
    `Affected: ${input.affected || 'not given'}`,
    `Urgency: ${input.urgency}`,
  ];
  if (message) {
    lines.push('', `Reported message from ${message.senderName ?? 'unknown'}${message.createdAt ? ` sent ${message.createdAt}` : ''}:`);
    if (message.link) lines.push(message.link);
    lines.push(message.text.slice(0, 3000) || '(no text)');
  }
  return lines.join('\n').slice(0, 5000);
}

export function receiptText(number: number, summary: string): string {
  return `Thank you: your report "${plain(summary, 120)}" is incident #${number}. The security operations team will look at it; you will hear here when it is acknowledged and when it is closed.`;
}

/** Reports of suspected incidents from Teams: checked, rate-limited per user, made into incidents, audited. */
export function createReportService(deps: ReportServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger;

  async function audit(ctx: RequestContext, outcome: 'succeeded' | 'rejected' | 'failed', target: string | undefined, detail: Record<string, unknown>) {
    await deps.audit.append({
      action: 'report.submit',
      outcome,
      actorId: ctx.actor.aadObjectId,
      actorName: ctx.actor.name,
      actorTenantId: ctx.actor.tenantId,
      roles: ctx.decision.roles,
      target,
      correlationId: ctx.correlationId,
      detail,
    });
  }

  async function submit(ctx: RequestContext, data: Record<string, unknown>, message: ActedOnMessage | undefined, via: ReportVia): Promise<ReportOutcome> {
    const parsed = parseReportInput(data);
    if (!parsed.ok) {
      await audit(ctx, 'rejected', undefined, { via, reason: 'invalid form', problems: parsed.problems });
      return { kind: 'invalid', problems: parsed.problems };
    }
    const reporter = ctx.actor.aadObjectId ?? '';
    if (!(await deps.store.take(reporter, deps.limitPerHour, now()))) {
      await audit(ctx, 'rejected', undefined, { via, reason: 'rate limited', limitPerHour: deps.limitPerHour });
      return { kind: 'refused', message: `You have sent ${deps.limitPerHour} reports in the last hour; please wait a little, or call the security operations team if it is urgent.` };
    }
    const { input } = parsed;
    const at = now().toISOString();
    const description = reportDescription(ctx, input, message, at);
    const draft: IncidentDraft = {
      title: `Reported: ${plain(input.summary, 200)}`,
      description,
      severity: severityOfUrgency[input.urgency],
      labels: ['Reported'],
      requestedBy: { aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name, tenantId: ctx.actor.tenantId },
      reason: `report.${via}`,
      correlationId: ctx.correlationId,
    };
    let created: { name: string; number: number };
    try {
      created = await deps.creator.create(draft);
    } catch (err) {
      ctx.log.error({ err }, 'a reported incident could not be created');
      await audit(ctx, 'failed', undefined, { via, urgency: input.urgency, error: err instanceof Error ? err.message.slice(0, 300) : String(err) });
      return { kind: 'refused', message: `Argus could not create the incident just now; please try again in a minute (correlation id ${ctx.correlationId}).` };
    }
    if (deps.comments) {
      await deps.comments.addComment(created.name, description).catch((err: unknown) => ctx.log.warn({ err, incident: created.name }, 'the report comment could not be added to the Sentinel incident'));
    }
    const record: ReportRecord = {
      incidentName: created.name,
      number: created.number,
      reporterAadObjectId: reporter,
      reporterName: ctx.actor.name,
      teamsUserId: ctx.actor.teamsUserId,
      tenantId: ctx.actor.tenantId ?? '',
      serviceUrl: ctx.origin?.serviceUrl,
      botId: ctx.origin?.botId,
      acknowledgedSent: false,
      closedSent: false,
    };
    await deps.store.save(record);
    await audit(ctx, 'succeeded', created.name, { via, number: created.number, urgency: input.urgency, source: deps.creator.source, message: message ? { id: message.id ?? null, link: message.link ?? null } : null });
    const receipt = receiptText(created.number, input.summary);
    // In the reporter's personal chat the answer to the form is the receipt; elsewhere it goes there too.
    if (via === 'message-action' || ctx.conversationKind !== 'personal') await tell(record, receipt);
    return { kind: 'created', number: created.number, incidentName: created.name, receipt };
  }

  async function tell(record: ReportRecord, text: string): Promise<boolean> {
    if (!deps.chats || !record.teamsUserId || !record.serviceUrl || !record.botId) return false;
    try {
      await deps.chats.send({ teamsUserId: record.teamsUserId, tenantId: record.tenantId, serviceUrl: record.serviceUrl, botId: record.botId }, { text });
      return true;
    } catch (err) {
      log.warn({ err, incident: record.incidentName }, 'a message to the reporter could not be sent');
      return false;
    }
  }

  /** The reporter hears when their incident is acknowledged and when it is closed (once each). */
  async function follow(incidentName: string, status: IncidentStatus | undefined): Promise<void> {
    if (status !== 'Active' && status !== 'Closed') return;
    const record = await deps.store.get(incidentName);
    if (!record) return;
    const update = status === 'Closed' ? 'closedSent' : 'acknowledgedSent';
    if (record[update] || (status === 'Active' && record.closedSent)) return;
    const text =
      status === 'Closed'
        ? `Incident #${record.number}, which you reported, has been closed by the security operations team. Thank you for reporting it.`
        : `Incident #${record.number}, which you reported, has been acknowledged: the security operations team is working on it.`;
    // A failed send fails the event, which is retried; marked only once sent.
    if (deps.chats && record.teamsUserId && record.serviceUrl && record.botId)
      await deps.chats.send({ teamsUserId: record.teamsUserId, tenantId: record.tenantId, serviceUrl: record.serviceUrl, botId: record.botId }, { text });
    await deps.store.markSent(record, update);
  }

  return { submit, follow };
}

export type ReportService = ReturnType<typeof createReportService>;
