import type { z } from 'zod';
import { parseWith } from '../config/load-config';
import type { TicketUpdatedPayload } from '../events/event-map';
import type { WebhookSpec } from '../ingress/webhook-handler';

/**
 * An ITSM's change webhook: its body checked against `schema`, then one `itsm.ticket.updated`
 * event per change, keyed by `changeKey` (what names one change of one ticket in that ITSM).
 */
export function itsmWebhookSpec<S extends z.ZodType>(options: {
  provider: TicketUpdatedPayload['provider'];
  secretName: string;
  scheme: WebhookSpec<unknown>['scheme'];
  schema: S;
  changeKey(body: z.output<S>): string;
  payload(body: z.output<S>): TicketUpdatedPayload;
}): WebhookSpec<z.output<S>> {
  const { provider } = options;
  return {
    source: provider,
    secretName: options.secretName,
    scheme: options.scheme,
    parse: parseWith(options.schema),
    toEvent: (body) => ({ name: 'itsm.ticket.updated', source: provider, idempotencyKey: `${provider}|${options.changeKey(body)}`, payload: options.payload(body) }),
  };
}
