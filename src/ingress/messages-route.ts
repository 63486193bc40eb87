import type { Activity, TurnContext } from 'botbuilder';
import type { AuditEntry, AuditLog } from '../audit/audit-log';
import type { RejectionAudit } from '../audit/rejection-audit';
import { ArgusError, isArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import type { ArgusBotAdapter } from '../teams/bot-adapter';
import { isTokenFailure } from '../teams/bot-auth';
import type { ServiceUrlPolicy } from '../teams/service-url-policy';
import type { HttpRequestInfo, RouteDefinition } from './http-types';
import type { ArgusMetrics } from '../observability/metrics';
import { parseJsonBody } from './raw-body';

export interface MessagesRouteOptions {
  adapter: ArgusBotAdapter;
  logic: (context: TurnContext) => Promise<void>;
  logger: Logger;
  audit: AuditLog;
  /** Refusals before authentication are audited sampled per caller, so no one can grow the chain at will. */
  rejections: Pick<RejectionAudit, 'record'>;
  metrics: ArgusMetrics;
  serviceUrls: ServiceUrlPolicy;
  /** teams.maxBodyBytes: activities are small, webhooks may not be. */
  bodyLimitBytes: number;
}

type Refusal = 'no-token' | 'bad-token' | 'channel' | 'service-url';

/**
 * POST /api/messages: the Bot Framework activity. With authentication on, the token is verified
 * from the headers before the body is read; then only Teams activities from an allowed Bot
 * Connector host reach botbuilder, which verifies the token against the activity and runs the turn.
 */
export function createMessagesRoute(options: MessagesRouteOptions): RouteDefinition {
  const { adapter, logger, metrics } = options;

  /** Counts, logs and audits a refusal; a valid token's refusals (channel, serviceUrl) each get their own row. */
  async function refuse(req: Omit<HttpRequestInfo, 'rawBody'>, reason: Refusal, err: ArgusError, activity?: Partial<Activity>): Promise<never> {
    metrics.teamsRejected.inc({ reason });
    logger.warn({ correlationId: req.correlationId, reason, code: err.code, why: err.message }, 'Teams activity refused');
    const entry: AuditEntry = {
      action: 'teams.activity.received',
      outcome: 'rejected',
      target: 'teams',
      correlationId: req.correlationId,
      detail: { reason, code: err.code, message: err.message, channelId: activity ? String(activity.channelId).slice(0, 64) : null },
    };
    try {
      if (activity) await options.audit.append(entry);
      else await options.rejections.record({ route: req.path, address: req.remoteAddress, reason, entry });
    } catch (auditErr) {
      logger.error({ err: auditErr, correlationId: req.correlationId }, 'could not audit a refused Teams activity');
    }
    throw err;
  }

  return {
    method: 'POST',
    path: '/api/messages',
    readsBody: true,
    bodyLimitBytes: options.bodyLimitBytes,
    admit: async (req) => {
      try {
        await adapter.verifyToken(req.headers.authorization);
      } catch (err) {
        if (!isArgusError(err, 'ARGUS_UNAUTHENTICATED')) throw err;
        return refuse(req, /^Bearer\s/i.test(req.headers.authorization ?? '') ? 'bad-token' : 'no-token', err);
      }
    },
    handler: async (req) => {
      const body = parseJsonBody(req.rawBody, req.headers['content-type']);
      if (!body || typeof body !== 'object' || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string')
        throw new ArgusError('ARGUS_BAD_PAYLOAD', 'expected a Bot Framework activity', { details: [{ path: 'type', message: 'required' }] });
      const activity = body as Activity;
      // Other channels of the bot (Web Chat, Direct Line) let their clients write `from` and
      // `channelData`, which Argus reads as the user's identity and tenant.
      if (adapter.authenticates && activity.channelId !== 'msteams')
        return refuse(req, 'channel', new ArgusError('ARGUS_CHANNEL_NOT_ALLOWED'), activity);
      if (!options.serviceUrls.allows(activity.serviceUrl))
        return refuse(req, 'service-url', new ArgusError('ARGUS_SERVICE_URL_NOT_ALLOWED'), activity);
      try {
        const response = await adapter.handle(req.headers.authorization ?? '', activity, options.logic);
        return { status: response?.status ?? 200, body: response?.body };
      } catch (err) {
        if (isTokenFailure(err)) return refuse(req, 'bad-token', new ArgusError('ARGUS_UNAUTHENTICATED', undefined, { cause: err }));
        throw err;
      }
    },
  };
}
