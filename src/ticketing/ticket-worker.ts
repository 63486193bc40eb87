import { randomUUID } from 'node:crypto';
import { ArgusError } from '../errors/catalog';
import type { TicketWorkPayload } from '../events/event-map';
import type { HandlerContext } from '../events/router';
import type { Incident } from '../incidents/incident';
import { ItsmCallError, isTransientItsmError } from './itsm-http';
import { argusNoteTag, hasUpdate, newerTicket, type Ticket } from './ticket';
import { draftFor } from './ticket-draft';
import { maxRememberedNotes, type StoredTicketLink, type TicketLink } from './ticket-link';
import { auditConflict, parkDelayMs, providerName, type TicketingContext } from './ticketing-context';
import { planOutbound, syncedFrom } from './sync-rules';

const leaseMs = 2 * 60_000;

function failureText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

/**
 * Handler of ticket.work.requested: opens the incident's ticket (after looking for one that
 * already carries the incident in its correlation field, so a crash between creating and storing
 * never makes a second ticket), then brings the ticket in line with the incident and writes the
 * waiting notes. While the ITSM is down the work is parked on the link, the card says the ticket
 * is pending, and the sweeper tries again with backoff until the ITSM answers.
 */
export class TicketWorker {
  constructor(private readonly ctx: TicketingContext) {}

  run(payload: TicketWorkPayload, hc: Pick<HandlerContext, 'correlationId' | 'log'>): Promise<void> {
    return this.ctx.lock.run(payload.incidentName, () => this.runLocked(payload, hc));
  }

  private async runLocked(payload: TicketWorkPayload, hc: Pick<HandlerContext, 'correlationId' | 'log'>): Promise<void> {
    const name = payload.incidentName;
    const holder = randomUUID();
    const leased = await this.ctx.links.mutate(name, (link) => {
      if (!link || link.state === 'failed' || !link.work.owed) return undefined;
      if (link.lease && link.lease.holder !== holder && Date.parse(link.lease.until) > Date.now())
        throw new ArgusError('ARGUS_CONFLICT', `ticket work for ${name} is under way elsewhere`);
      return { ...link, lease: { holder, until: new Date(Date.now() + leaseMs).toISOString() } };
    });
    if (!leased?.lease || leased.lease.holder !== holder) return;
    let link: StoredTicketLink = leased;
    let threadNote: string | undefined;
    try {
      for (let round = 0; round < 3; round += 1) {
        const record = await this.ctx.incidents.get(name);
        if (!record) break;
        if (link.state === 'requested') {
          link = await this.open(link, record.incident, payload, hc.correlationId);
          threadNote = `🎫 ${link.ticket?.number} opened in ${providerName(this.ctx)}: ${link.ticket?.url}`;
        }
        link = await this.push(link, record.incident, hc.correlationId);
        link = await this.drain(link, hc.correlationId);
        const latest = (await this.ctx.incidents.get(name))?.incident ?? record.incident;
        const finished = await this.finish(link, latest, holder, hc.correlationId);
        link = finished.link;
        if (!finished.more) break;
      }
      await this.release(name, holder);
    } catch (err) {
      if (isTransientItsmError(err)) {
        link = await this.park(name, holder, err);
        hc.log.warn({ incident: name, attempts: link.work.attempts, retryAt: link.work.retryAt, err }, 'ITSM unavailable: ticket work parked');
      } else if (err instanceof ItsmCallError && link.state === 'requested') {
        await this.fail(link, holder, err, payload, hc.correlationId);
      } else {
        await this.release(name, holder);
        throw err;
      }
    }
    await this.ctx.publisher.publish(name, threadNote);
  }

  /** Finds the incident's ticket by correlation id, or opens one. */
  private async open(link: StoredTicketLink, incident: Incident, payload: TicketWorkPayload, correlationId: string): Promise<StoredTicketLink> {
    const { system, audit } = this.ctx;
    let ticket = await system.findByCorrelation(incident.name);
    const found = ticket !== undefined;
    ticket ??= await system.create(draftFor(incident, { origin: link.origin, requestedBy: payload.actor?.name ?? link.requestedBy?.name }));
    const opened = ticket;
    const stored = await this.ctx.links.mutate(link.incidentName, (cur) => {
      if (!cur) return undefined;
      if (cur.state === 'linked' && cur.ticket) return { ...cur, ticket: newerTicket(cur.ticket, opened) };
      return { ...cur, state: 'linked', ticket: opened, synced: syncedFrom(incident), failure: undefined };
    });
    const actor = payload.actor ?? link.requestedBy;
    await audit.append({
      action: found ? 'ticket.linked' : 'ticket.created',
      outcome: 'succeeded',
      actorId: actor?.aadObjectId ?? `argus:${link.origin}`,
      actorName: actor?.name,
      target: incident.name,
      correlationId,
      detail: { provider: system.provider, number: opened.number, ticketId: opened.id, origin: link.origin, ...(found ? { via: 'correlation-lookup' } : {}) },
    });
    return stored ?? { ...link, state: 'linked', ticket: opened };
  }

  /** Status, severity and owner changes of the incident that the ticket does not show yet. */
  private async push(link: StoredTicketLink, incident: Incident, correlationId: string): Promise<StoredTicketLink> {
    const plan = planOutbound(incident, link, { resolveOnClose: this.ctx.policy.resolveOnClose });
    if (!plan || !link.ticket) return link;
    const update = { ...plan.update };
    const notes = [...plan.notes];
    if (plan.assign) {
      const owner = plan.assign;
      const email = owner.email || owner.userPrincipalName || (owner.objectId ? await this.emailOf(owner.objectId) : undefined);
      const user = email ? await this.findUser(email) : undefined;
      if (user) update.assigneeId = user.id;
      else notes.push(`Incident owner in Sentinel: ${owner.assignedTo ?? email ?? 'unknown'}${email ? ` <${email}>` : ''} (no ${providerName(this.ctx)} user with that email).`);
    }
    let ticket: Ticket = link.ticket;
    if (hasUpdate(update)) {
      const fields = Object.keys(update).filter((k) => k !== 'resolution');
      try {
        ticket = await this.ctx.system.update(ticket, update);
        await this.auditUpdate(link, correlationId, 'succeeded', { fields, status: update.status, severity: update.severity });
      } catch (err) {
        if (!(err instanceof ItsmCallError) || err.transient) throw err;
        // Refused for good (a workflow without that transition, a read-only field): say so, do not retry forever.
        await this.auditUpdate(link, correlationId, 'failed', { fields, error: failureText(err) });
        notes.push(`Argus could not apply ${fields.join(', ')} here: ${failureText(err)}`);
      }
    }
    const stamp = incident.lastModifiedTimeUtc;
    const added = notes.map((text, i) => ({ id: `plan|${stamp}|${i}|${text.length}`, text: `${argusNoteTag} ${text}`, at: new Date().toISOString() }));
    const after = ticket;
    return (
      (await this.ctx.links.mutate(link.incidentName, (cur) => {
        if (!cur) return undefined;
        const fresh = added.filter((n) => !cur.noteIds.includes(n.id));
        return {
          ...cur,
          ticket: newerTicket(cur.ticket, after),
          synced: plan.synced,
          outbox: [...cur.outbox, ...fresh],
          noteIds: [...cur.noteIds, ...fresh.map((n) => n.id)].slice(-maxRememberedNotes),
        };
      })) ?? link
    );
  }

  /** Writes waiting notes one at a time, each removed once written (a crash repeats at most one). */
  private async drain(link: StoredTicketLink, correlationId: string): Promise<StoredTicketLink> {
    let current = link;
    for (const note of link.outbox) {
      if (!current.ticket) break;
      let ticket = current.ticket;
      try {
        ticket = await this.ctx.system.update(ticket, { note: note.text });
        await this.auditUpdate(current, correlationId, 'succeeded', { fields: ['note'] });
      } catch (err) {
        if (!(err instanceof ItsmCallError) || err.transient) throw err;
        await this.auditUpdate(current, correlationId, 'failed', { fields: ['note'], error: failureText(err) });
      }
      const after = ticket;
      current = (await this.ctx.links.mutate(current.incidentName, (cur) => cur && { ...cur, ticket: newerTicket(cur.ticket, after), outbox: cur.outbox.filter((n) => n.id !== note.id) })) ?? current;
    }
    return current;
  }

  /** Clears the owed work unless more arrived meanwhile; records a conflict the card will show. */
  private async finish(link: StoredTicketLink, incident: Incident, holder: string, correlationId: string): Promise<{ link: StoredTicketLink; more: boolean }> {
    const conflict = await auditConflict(this.ctx, incident, { ...link, work: { ...link.work, owed: false } }, correlationId);
    let more = false;
    const stored = await this.ctx.links.mutate(link.incidentName, (cur) => {
      if (!cur) return undefined;
      more = cur.outbox.length > 0 || planOutbound(incident, cur, { resolveOnClose: this.ctx.policy.resolveOnClose }) !== undefined;
      const next: TicketLink = { ...cur, conflictKey: conflict.changed ? conflict.key : cur.conflictKey };
      if (more) return next;
      return { ...next, lease: cur.lease?.holder === holder ? undefined : cur.lease, work: { owed: false, attempts: 0 } };
    });
    return { link: stored ?? link, more };
  }

  private async park(name: string, holder: string, err: ItsmCallError): Promise<StoredTicketLink> {
    const now = Date.now();
    const stored = await this.ctx.links.mutate(name, (cur) => {
      if (!cur) return undefined;
      const attempts = cur.work.attempts + 1;
      const retryAt = new Date(now + parkDelayMs(attempts, this.ctx.policy, err.retryAfterMs)).toISOString();
      return {
        ...cur,
        lease: cur.lease?.holder === holder ? undefined : cur.lease,
        work: { owed: true, attempts, retryAt, since: cur.work.since ?? new Date(now).toISOString(), lastError: failureText(err) },
      };
    });
    if (!stored) throw err;
    return stored;
  }

  private async fail(link: TicketLink, holder: string, err: ItsmCallError, payload: TicketWorkPayload, correlationId: string): Promise<void> {
    await this.ctx.links.mutate(link.incidentName, (cur) =>
      cur && cur.state === 'requested'
        ? { ...cur, state: 'failed', failure: failureText(err), lease: cur.lease?.holder === holder ? undefined : cur.lease, work: { owed: false, attempts: 0 } }
        : undefined,
    );
    const actor = payload.actor ?? link.requestedBy;
    await this.ctx.audit.append({
      action: 'ticket.created',
      outcome: 'failed',
      actorId: actor?.aadObjectId ?? `argus:${link.origin}`,
      actorName: actor?.name,
      target: link.incidentName,
      correlationId,
      detail: { provider: this.ctx.system.provider, origin: link.origin, error: failureText(err), status: err.peerStatus },
    });
  }

  private async release(name: string, holder: string): Promise<void> {
    await this.ctx.links.mutate(name, (cur) => (cur?.lease?.holder === holder ? { ...cur, lease: undefined } : undefined)).catch(() => undefined);
  }

  /** A user lookup the ITSM refuses (a permission, a bad query) means "no such user", not a reason to retry. */
  private async findUser(email: string) {
    try {
      return await this.ctx.system.findUser(email);
    } catch (err) {
      if (err instanceof ItsmCallError && !err.transient) return undefined;
      throw err;
    }
  }

  private async emailOf(objectId: string): Promise<string | undefined> {
    const found = await this.ctx.emails.emailOf({ aadObjectId: objectId });
    return found.ok ? found.email : undefined;
  }

  private async auditUpdate(link: TicketLink, correlationId: string, outcome: 'succeeded' | 'failed', detail: Record<string, unknown>): Promise<void> {
    await this.ctx.audit.append({
      action: 'ticket.updated',
      outcome,
      actorId: 'argus',
      target: link.incidentName,
      correlationId,
      detail: { direction: 'to-itsm', provider: link.provider, number: link.ticket?.number, ...detail },
    });
  }
}
