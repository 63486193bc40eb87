import type { AuditEntry, AuditLog } from '../audit/audit-log';
import type { ArgusEvent } from './event-map';

/** What a webhook receipt row says (accepted or a recognised redelivery). */
export interface WebhookReceipt {
  eventId: string;
  name: string;
  idempotencyKey: string;
  source: string;
  correlationId: string;
  deliveredBy: string;
  receivedAt?: string;
  duplicate: boolean;
}

export const receiptAction = 'webhook.received';

export function receiptEntry(r: WebhookReceipt): AuditEntry {
  return {
    action: receiptAction,
    outcome: 'allowed',
    actorId: r.deliveredBy,
    target: r.source,
    correlationId: r.correlationId,
    detail: { eventId: r.eventId, event: r.name, key: r.idempotencyKey, duplicate: r.duplicate, ...(r.receivedAt ? { receivedAt: r.receivedAt } : {}) },
  };
}

/** Clock difference between instances tolerated when searching for a receipt row. */
const clockSkewMs = 5 * 60_000;

/**
 * The audit rows of accepted webhooks, written from the stored event (a transactional outbox):
 * the acknowledgement waits for one storage commit — the event row, which carries who delivered
 * it — and the receipt row is appended to the chain when the event is processed, before its
 * handler runs. The event row then records the row's seq, so a retry does not append it again;
 * after a crash between the append and that record, `find` looks for the row at the end of the
 * chain (only for deliveries that may have got that far).
 */
export class ReceiptAudit {
  constructor(private readonly audit: AuditLog) {}

  /** Appends the receipt row of a newly accepted event; resolves to its seq. */
  async record(event: ArgusEvent): Promise<number> {
    return (await this.audit.append(receiptEntry(receiptOf(event)))).seq;
  }

  /** The seq of the event's receipt row when one is already in the chain. */
  async find(event: ArgusEvent): Promise<number | undefined> {
    const since = new Date(Date.parse(event.receivedAt) - clockSkewMs).toISOString();
    const found = await this.audit.findRecent({
      action: receiptAction,
      correlationId: event.correlationId,
      since,
      match: (r) => r.detail.eventId === event.id && r.detail.duplicate === false,
    });
    return found?.seq;
  }
}

function receiptOf(event: ArgusEvent): WebhookReceipt {
  return {
    eventId: event.id,
    name: event.name,
    idempotencyKey: event.idempotencyKey,
    source: event.source,
    correlationId: event.correlationId,
    deliveredBy: event.deliveredBy ?? '',
    receivedAt: event.receivedAt,
    duplicate: false,
  };
}
