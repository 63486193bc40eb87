import type { AuditLog } from '../audit/audit-log';
import { isArgusError } from '../errors/catalog';
import type { ArgusEvent } from '../events/event-map';
import type { Logger } from '../logging/logger';
import { parseIsoDuration } from '../playbooks/duration';
import type { TeamsDelivery } from '../teams/teams-delivery';
import type { LogAnalyticsClient, QueryOutcome } from './log-analytics-client';
import { describeTimespan } from './query-run';
import { renderQueryResultCard } from './result-card';

export interface QueryRunnerDeps {
  /** Absent: Log Analytics is not configured (any more). */
  client?: LogAnalyticsClient;
  delivery: Pick<TeamsDelivery, 'post' | 'reply'>;
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
}

const notConfigured: QueryOutcome = { kind: 'failed', problem: { code: 'NotConfigured', message: 'Log Analytics is not configured' } };

/** What the audit row says about an outcome: row count, partial, throttling, the error code. */
function outcomeDetail(outcome: QueryOutcome, maxRows: number): Record<string, unknown> {
  if (outcome.kind === 'ok')
    return {
      rowCount: Math.min(outcome.table.rows.length, maxRows),
      truncated: outcome.table.rows.length > maxRows,
      ...(outcome.partial ? { partial: outcome.partial.code } : {}),
    };
  if (outcome.kind === 'throttled') return { rowCount: 0, status: 429, error: outcome.problem.code, retryAfterSeconds: outcome.retryAfterSeconds ?? null };
  return { rowCount: 0, status: outcome.status ?? null, error: outcome.problem.code };
}

/**
 * Runs a requested query and posts the answer card where it was asked. Whatever Log Analytics
 * answers (rows, partial results, throttling, an error) is shown to the person and the event is
 * done: retrying a query behind their back would only queue more load. Only a failure to post the
 * answer to Teams retries the event (a Teams outage loses nothing). Every attempt is audited.
 */
export async function runQuery(deps: QueryRunnerDeps, event: ArgusEvent<'query.run.requested'>): Promise<void> {
  const p = event.payload;
  const log = deps.logger.child({ correlationId: event.correlationId, queryId: p.queryId ?? 'adhoc' });
  const started = Date.now();
  const outcome = deps.client ? await deps.client.query({ query: p.query, timespan: p.timespan }) : notConfigured;
  const durationMs = Date.now() - started;
  const context = [p.incidentNumber !== undefined ? `Incident #${p.incidentNumber}` : '', `asked by ${p.actor.name ?? 'someone'}`, `last ${describeTimespan(parseIsoDuration(p.timespan) ?? 0)}`].filter(Boolean).join(' · ');
  const card = renderQueryResultCard({
    title: p.title,
    context,
    ...(p.source === 'adhoc' ? { query: p.query } : {}),
    outcome,
    maxRows: p.maxRows,
    correlationId: event.correlationId,
  });
  const message = { card, summary: `Query result: ${p.title}` };

  let delivered = true;
  let deliveryError: unknown;
  try {
    if (p.replyTo.parentActivityId) await deps.delivery.reply(p.replyTo.conversationId, p.replyTo.parentActivityId, message);
    else await deps.delivery.post(p.replyTo.conversationId, message);
  } catch (err) {
    delivered = false;
    deliveryError = err;
  }

  await deps.audit.append({
    action: p.source === 'catalog' ? 'query.run' : 'query.kql',
    outcome: outcome.kind === 'ok' && delivered ? 'succeeded' : 'failed',
    actorId: p.actor.aadObjectId,
    actorName: p.actor.name,
    actorTenantId: p.actor.tenantId,
    roles: p.role ? [p.role] : [],
    target: p.incidentName ?? p.replyTo.conversationId,
    correlationId: event.correlationId,
    detail: {
      ...(p.queryId ? { queryId: p.queryId } : { kql: p.query.slice(0, 2000) }),
      ...(p.incidentNumber !== undefined ? { incidentNumber: p.incidentNumber } : {}),
      ...(p.entity ? { entity: { kind: p.entity.kind, name: p.entity.name } } : {}),
      parameters: p.parameters,
      timespan: p.timespan,
      ...outcomeDetail(outcome, p.maxRows),
      durationMs,
      delivered,
    },
  });
  log.info({ outcome: outcome.kind, durationMs, delivered }, 'investigation query answered');

  if (deliveryError) {
    // Argus was removed from the conversation: no retry can deliver it.
    if (isArgusError(deliveryError, 'ARGUS_NOT_FOUND')) {
      log.warn({ err: deliveryError, conversationId: p.replyTo.conversationId }, 'query answer not delivered: Argus is not in the conversation');
      return;
    }
    throw deliveryError;
  }
}
