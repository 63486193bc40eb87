import type { AuditLog } from '../audit/audit-log';
import type { AcceptInput, AcceptResult } from '../events/intake';
import type { CardPublisher } from '../incidents/card-publisher';
import type { Incident, Severity } from '../incidents/incident';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import { backoffMs } from '../net/retry';
import type { KeyedLock } from './keyed-lock';
import { providerLabels } from './ticket';
import type { TicketLink } from './ticket-link';
import type { TicketLinkStore } from './ticket-link-store';
import type { TicketSystem } from './ticket-system';
import { conflictOf } from './sync-rules';
import type { UserEmailResolver } from './user-email';

/** What the ticketing parts share: ports in, policy from config. */
export interface TicketingContext {
  links: TicketLinkStore;
  incidents: Pick<IncidentRepository, 'get'>;
  system: TicketSystem;
  audit: AuditLog;
  publisher: Pick<CardPublisher, 'publish'>;
  intake: { accept(input: AcceptInput<'ticket.work.requested'>): Promise<AcceptResult> };
  emails: UserEmailResolver;
  lock: KeyedLock;
  logger: Logger;
  policy: TicketPolicy;
}

export interface TicketPolicy {
  /** Severities that open a ticket automatically. */
  createFor: readonly Severity[];
  resolveOnClose: boolean;
  /** Backoff of parked work while the ITSM is down: from baseMs, doubling, up to maxMs; never gives up. */
  retry: { baseMs: number; maxMs: number };
}

export function providerName(ctx: TicketingContext): string {
  return providerLabels[ctx.system.provider];
}

/** Whether the ticketing policy wants a ticket for this incident without anyone asking. */
export function policyWantsTicket(incident: Incident, policy: TicketPolicy): boolean {
  return incident.status !== 'Closed' && policy.createFor.includes(incident.severity);
}

/** Delay before the next try of parked work: exponential with jitter, never shorter than the ITSM's Retry-After. */
export function parkDelayMs(attempts: number, policy: TicketPolicy, retryAfterMs?: number): number {
  const jittered = backoffMs(Math.max(1, attempts), { baseDelayMs: policy.retry.baseMs, maxDelayMs: policy.retry.maxMs });
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.retry.maxMs));
}

/**
 * Audits a sync conflict the first time it appears, and forgets it once resolved (so a later one
 * is audited again). `changed` says whether the link's conflictKey must be stored as `key`.
 */
export async function auditConflict(
  ctx: TicketingContext,
  incident: Incident,
  link: TicketLink,
  correlationId: string,
): Promise<{ changed: boolean; key?: string }> {
  const conflict = conflictOf(incident, link);
  if (!conflict) return { changed: link.conflictKey !== undefined };
  if (conflict.key === link.conflictKey) return { changed: false, key: conflict.key };
  await ctx.audit.append({
    action: 'ticket.sync.conflict',
    outcome: 'failed',
    actorId: `itsm:${link.provider}`,
    target: link.incidentName,
    correlationId,
    detail: { provider: link.provider, number: link.ticket?.number, ticketStatus: link.ticket?.status, incidentStatus: incident.status, text: conflict.text },
  });
  return { changed: true, key: conflict.key };
}
