import type { AuditLog } from '../audit/audit-log';
import type { LogAnalyticsSettings } from '../config/log-analytics-schema';
import type { DurableIntake } from '../events/intake';
import { parseIsoDuration } from '../playbooks/duration';
import type { CardOutbox } from '../teams/card-outbox';
import type { CommandDefinition, CommandReply, RequestContext } from '../teams/registry';
import { composeQuery } from './kql-binding';
import { actorOf, replyTarget } from './query-actions';
import { describeTimespan, type QueryRunPayload } from './query-run';

export interface QueryCommandDeps {
  settings?: LogAnalyticsSettings;
  cards: Pick<CardOutbox, 'cardsOf'>;
  intake: Pick<DurableIntake, 'accept'>;
  audit: Pick<AuditLog, 'append'>;
}

/** The longest ad-hoc query accepted. */
export const maxKqlLength = 10_000;
const maxTimespanMs = 730 * 86_400_000;
const usage = 'kql [--timespan PT4H] <query>';

/**
 * Teams sends message text with `<`, `>`, `&` and quotes as HTML entities; KQL needs them back.
 * `&amp;` last, so `&amp;lt;` stays the text `&lt;`.
 */
export function decodeMessageEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * `kql <query>` (admins): runs the admin's own KQL against the workspace; the answer follows as
 * a table card in the same thread or chat. The query text goes to Log Analytics as written, with a
 * `take` for the row cap after it; the run and its outcome are audited with the text.
 */
export function queryCommands(deps: QueryCommandDeps): CommandDefinition[] {
  async function refuse(ctx: RequestContext, reason: string, detail: Record<string, unknown> = {}): Promise<CommandReply> {
    await deps.audit.append({
      action: 'query.kql',
      outcome: 'rejected',
      actorId: ctx.actor.aadObjectId,
      actorName: ctx.actor.name,
      actorTenantId: ctx.actor.tenantId,
      roles: ctx.decision.roles,
      target: ctx.conversationId,
      correlationId: ctx.correlationId,
      detail: { reason, ...detail },
    });
    return { text: `${reason} Usage: ${usage}` };
  }

  return [
    {
      name: 'kql',
      usage,
      summary: 'Run a KQL query against the Log Analytics workspace; the answer follows as a table',
      role: 'admin',
      audited: true,
      async run(ctx, args) {
        const { settings } = deps;
        if (!settings) return refuse(ctx, 'Log Analytics is not configured (logAnalytics in argus.config.yaml).');
        let rest = args;
        let timespan = settings.adhocTimespan;
        if (rest[0]?.toLowerCase() === '--timespan') {
          const given = rest[1] ?? '';
          const ms = parseIsoDuration(given) ?? 0;
          if (ms <= 0 || ms > maxTimespanMs) return refuse(ctx, `'${given.slice(0, 40)}' is not an ISO-8601 duration such as PT4H or P7D (at most P730D).`);
          timespan = given;
          rest = rest.slice(2);
        }
        const kql = decodeMessageEntities(rest.join(' ')).trim();
        if (!kql) return refuse(ctx, 'No query given.');
        if (kql.length > maxKqlLength) return refuse(ctx, `The query is longer than ${maxKqlLength} characters.`, { length: kql.length });
        const payload: QueryRunPayload = {
          source: 'adhoc',
          title: 'Ad-hoc query',
          parameters: {},
          query: composeQuery([], kql, settings.maxRows),
          timespan,
          maxRows: settings.maxRows,
          actor: actorOf(ctx),
          ...(ctx.decision.role ? { role: ctx.decision.role } : {}),
          replyTo: await replyTarget(ctx, deps.cards),
        };
        await deps.intake.accept({ name: 'query.run.requested', source: 'teams', idempotencyKey: `query:${ctx.correlationId}`, correlationId: ctx.correlationId, payload });
        return { text: `Running your query over the last ${describeTimespan(parseIsoDuration(timespan) ?? 0)}; the answer follows here (correlation id ${ctx.correlationId}).` };
      },
    },
  ];
}
