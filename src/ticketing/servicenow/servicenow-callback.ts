import { z } from 'zod';
import { secretNames } from '../../config/secret-provider';
import type { TicketUpdatedPayload } from '../../events/event-map';
import type { WebhookSpec } from '../../ingress/webhook-handler';
import { itsmWebhookSpec } from '../itsm-webhook';
import { statusLabels } from '../ticket';
import { serviceNowTime, type StateMap } from './servicenow-record';

/**
 * POST /api/webhooks/itsm/servicenow: what the business rule in infra/itsm/servicenow sends after
 * an incident changes, signed with X-Argus-Signature (secret itsm-webhook-secret). Values are
 * strings, the way ServiceNow renders them; assigned_to is a display name.
 */
export const serviceNowCallbackSchema = z.object({
  sys_id: z.string().regex(/^[0-9a-f]{32}$/, 'must be a sys_id'),
  number: z.string().min(1).max(40),
  state: z.string().regex(/^-?\d{1,4}$/, 'must be a state value'),
  assigned_to: z.string().max(256).default(''),
  work_notes: z.string().max(200_000).default(''),
  correlation_id: z.string().max(256).default(''),
  sys_updated_on: z.string().max(40).default(''),
  sys_mod_count: z.string().regex(/^\d{1,10}$/, 'must be a whole number'),
});

export type ServiceNowCallback = z.output<typeof serviceNowCallbackSchema>;

/**
 * getJournalEntry(1) starts with "2026-11-21 09:31:02 - Beth Anglin (Work notes)": the author is
 * taken from it and the header dropped.
 */
export function parseJournalEntry(text: string): { text: string; author?: string } | undefined {
  const trimmed = text.replace(/\r\n/g, '\n').trim();
  if (!trimmed) return undefined;
  const m = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} - (.+?) \((?:Work notes|Additional comments)\)\n([\s\S]*)$/.exec(trimmed);
  if (!m) return { text: trimmed };
  const body = (m[2] ?? '').trim();
  return body ? { text: body, author: m[1] } : undefined;
}

export function serviceNowCallbackToPayload(cb: ServiceNowCallback, states: StateMap): TicketUpdatedPayload {
  const status = states.status(cb.state);
  const note = parseJournalEntry(cb.work_notes);
  return {
    provider: 'servicenow',
    ticketId: cb.sys_id,
    number: cb.number,
    status,
    statusLabel: status ? statusLabels[status] : `State ${cb.state}`,
    assignee: cb.assigned_to.trim() || null,
    note,
    correlationId: cb.correlation_id.trim() || undefined,
    version: Number(cb.sys_mod_count),
    updatedAt: serviceNowTime(cb.sys_updated_on),
    kind: 'servicenow.update',
  };
}

export function serviceNowWebhookSpec(states: StateMap): WebhookSpec<ServiceNowCallback> {
  return itsmWebhookSpec({
    provider: 'servicenow',
    secretName: secretNames.itsmWebhook,
    scheme: 'argus',
    schema: serviceNowCallbackSchema,
    // sys_mod_count grows with every update of the record: sys_id + count names one version.
    changeKey: (cb) => `${cb.sys_id}|${cb.sys_mod_count}`,
    payload: (cb) => serviceNowCallbackToPayload(cb, states),
  });
}
