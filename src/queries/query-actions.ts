import { roleAtLeast } from '../access/roles';
import type { AuditLog } from '../audit/audit-log';
import type { CardNotice } from '../cards';
import type { LogAnalyticsSettings } from '../config/log-analytics-schema';
import type { DurableIntake } from '../events/intake';
import type { CardPublisher } from '../incidents/card-publisher';
import { viewerOf } from '../incidents/incident-actions';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { CardOutbox } from '../teams/card-outbox';
import type { CardActionDefinition, CardActionResult, RequestContext } from '../teams/registry';
import type { QueryCatalog } from './catalog';
import { bindQuery, findEntity, queryLabel, type QueryRunPayload } from './query-run';

export interface QueryActionDeps {
  catalog: QueryCatalog;
  /** Absent: Log Analytics is not configured, and nothing runs. */
  settings?: LogAnalyticsSettings;
  incidents: Pick<IncidentRepository, 'get'>;
  publisher: Pick<CardPublisher, 'render'>;
  cards: Pick<CardOutbox, 'cardsOf'>;
  intake: Pick<DurableIntake, 'accept'>;
  audit: Pick<AuditLog, 'append'>;
}

type Ctx = RequestContext & { data: Record<string, unknown> };

export const queryVerbs = { run: 'query.run' } as const;

function str(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.trim() && v.length <= max ? v.trim() : undefined;
}

export const actorOf = (ctx: RequestContext): QueryRunPayload['actor'] => ({ aadObjectId: ctx.actor.aadObjectId, name: ctx.actor.name, tenantId: ctx.actor.tenantId });

/**
 * Where the answer goes: the thread of the incident card in this conversation, else the thread the
 * request came from (`;messageid=` of a channel conversation id), else the chat itself.
 */
export async function replyTarget(ctx: RequestContext, cards: Pick<CardOutbox, 'cardsOf'>, incidentName?: string): Promise<QueryRunPayload['replyTo']> {
  const posted = incidentName ? (await cards.cardsOf(incidentName)).find((c) => c.conversationId === ctx.conversationId) : undefined;
  if (posted) return { conversationId: ctx.conversationId, parentActivityId: posted.activityId };
  const root = /;messageid=([^;]+)/.exec(ctx.rawConversationId)?.[1];
  return { conversationId: ctx.conversationId, ...(root ? { parentActivityId: root } : {}) };
}

/**
 * `query.run {incidentId, queryId, entityId}` (an Investigate menu button). The registry lets any
 * Argus role through; the query's own role, the entity (it must be on the stored incident) and
 * its values are checked here, and a refusal is audited with the reason. An accepted run answers
 * at once with the refreshed card; the query runs in the background (a durable command) and its
 * answer is posted in the card's thread.
 */
export function queryActions(deps: QueryActionDeps): CardActionDefinition[] {
  return [
    {
      verb: queryVerbs.run,
      role: 'reader',
      needsIncident: true,
      async handle(ctx: Ctx): Promise<CardActionResult> {
        const queryId = str(ctx.data.queryId, 80);
        const entityId = str(ctx.data.entityId, 1000);
        if (!queryId || !entityId) return { error: { status: 400, code: 'ARGUS_BAD_PAYLOAD', message: 'The card action names no query or no entity.' } };
        const incidentName = String(ctx.data.incidentId);
        const record = await deps.incidents.get(incidentName);
        if (!record) return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
        const card = async (notice: CardNotice & { style: NonNullable<CardNotice['style']> }): Promise<CardActionResult> => ({
          card: await deps.publisher.render({ ...record, notice: { ...notice, at: new Date().toISOString() } }, viewerOf(ctx)),
        });
        const reject = async (reason: string): Promise<CardActionResult> => {
          await deps.audit.append({
            action: queryVerbs.run,
            outcome: 'rejected',
            actorId: ctx.actor.aadObjectId,
            actorName: ctx.actor.name,
            actorTenantId: ctx.actor.tenantId,
            roles: ctx.decision.roles,
            target: incidentName,
            correlationId: ctx.correlationId,
            detail: { queryId, entityId, reason },
          });
          return card({ text: `Query not run: ${reason}`, style: 'attention' });
        };

        const { settings } = deps;
        if (!settings) return reject('Log Analytics is not configured.');
        const query = deps.catalog.get(queryId);
        if (!query) return reject(`Argus has no query '${queryId}'.`);
        const need = query.definition.requiredRole;
        if (!roleAtLeast(ctx.decision.role, need)) return reject(`${query.definition.title} needs the ${need} role; your role is ${ctx.decision.role ?? 'none'}.`);
        const entity = findEntity(record.incident, entityId);
        if (!entity) return reject('the entity is not on this incident.');
        const bound = bindQuery(query, entity, record.incident, settings.maxRows);
        if ('reason' in bound) return reject(`${bound.reason}.`);

        const title = queryLabel(query, entity.displayName);
        const payload: QueryRunPayload = {
          source: 'catalog',
          queryId,
          title,
          incidentName,
          incidentNumber: record.incident.number,
          entity: { id: entity.id, kind: entity.kind, name: entity.displayName },
          parameters: bound.bound.values,
          query: bound.text,
          timespan: query.definition.timespan,
          maxRows: settings.maxRows,
          actor: actorOf(ctx),
          ...(ctx.decision.role ? { role: ctx.decision.role } : {}),
          replyTo: await replyTarget(ctx, deps.cards, incidentName),
        };
        await deps.intake.accept({ name: 'query.run.requested', source: 'teams', idempotencyKey: `query:${ctx.correlationId}`, correlationId: ctx.correlationId, payload });
        return card({ text: `Running "${title}": the answer will follow in this thread.`, style: 'accent' });
      },
    },
  ];
}
