import type { Activity, TurnContext } from 'botbuilder';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { statusOf } from '../storage/keys';
import type { ArgusBotAdapter } from '../teams/bot-adapter';
import type { RouteHandler } from './http-types';
import { parseJsonBody } from './raw-body';

/** POST /api/messages: the Bot Framework activity, authenticated by the adapter, run through the turn logic. */
export function createMessagesHandler(adapter: ArgusBotAdapter, logic: (context: TurnContext) => Promise<void>, logger: Logger): RouteHandler {
  return async (req) => {
    const body = parseJsonBody(req.rawBody, req.headers['content-type']);
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string')
      throw new ArgusError('ARGUS_BAD_PAYLOAD', 'expected a Bot Framework activity', { details: [{ path: 'type', message: 'required' }] });
    try {
      const response = await adapter.handle(req.headers.authorization ?? '', body as Activity, logic);
      return { status: response?.status ?? 200, body: response?.body };
    } catch (err) {
      // botframework-connector's AuthenticationError carries statusCode 401.
      if (statusOf(err) === 401) {
        logger.warn({ correlationId: req.correlationId, reason: err instanceof Error ? err.message : String(err) }, 'Bot Framework authentication failed');
        throw new ArgusError('ARGUS_UNAUTHENTICATED', undefined, { cause: err });
      }
      throw err;
    }
  };
}
