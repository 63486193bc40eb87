import type { TicketUpdatedPayload } from '../events/event-map';
import type { HandlerContext } from '../events/router';
import { plain } from '../cards/text';
import { isArgusNote, providerLabels, statusLabels, type Ticket } from './ticket';
import type { TicketLink } from './ticket-link';
import { auditConflict, type TicketingContext } from './ticketing-context';
import { applyIncoming, describeTicketChanges, syncedFrom } from './sync-rules';

/**
 * Handler of itsm.ticket.updated: a ticket changed in the ITSM. State changes newer than what the
 * link knows are recorded and shown on the card (never forced onto the incident); older ones
 * (out of order, or the echo of Argus's own write) change nothing. Work notes written by people
 * go to the card's thread; Argus's own (tagged) notes do not come back.
 */
export class TicketInbound {
  constructor(private readonly ctx: TicketingContext) {}

  async handle(p: TicketUpdatedPayload, hc: Pick<HandlerContext, 'correlationId' | 'log'>): Promise<void> {
    if (p.provider !== this.ctx.system.provider) {
      hc.log.warn({ provider: p.provider }, 'ITSM callback from a provider Argus is not configured for; ignored');
      return;
    }
    const name = await this.incidentOf(p);
    if (!name) {
      hc.log.info({ ticketId: p.ticketId, number: p.number }, 'ITSM callback for a ticket not linked to any incident; ignored');
      return;
    }
    await this.ctx.lock.run(name, () => this.apply(name, p, hc));
  }

  private async incidentOf(p: TicketUpdatedPayload): Promise<string | undefined> {
    const byTicket = await this.ctx.links.findByTicketId(p.provider, p.ticketId);
    if (byTicket) return byTicket.incidentName;
    // Not linked yet: a ticket Argus opened but had not stored (a crash), or one a person correlated by hand.
    if (p.correlationId && (await this.ctx.incidents.get(p.correlationId))) return p.correlationId;
    return undefined;
  }

  private async apply(name: string, p: TicketUpdatedPayload, hc: Pick<HandlerContext, 'correlationId' | 'log'>): Promise<void> {
    const record = await this.ctx.incidents.get(name);
    if (!record) return;
    const incident = record.incident;
    let outcome: { stale: boolean; changes: ReturnType<typeof applyIncoming>['changes']; linkedNow: boolean } = { stale: true, changes: [], linkedNow: false };
    const stored = await this.ctx.links.mutate(name, (cur) => {
      const base: TicketLink = cur ?? this.linkFromCallback(name, incident.number, incident, p);
      if (base.ticket && base.ticket.id !== p.ticketId) return undefined; // another ticket carries the correlation id: keep ours
      const incoming = this.ticketFrom(p, base.ticket);
      if (!incoming) {
        outcome = { stale: true, changes: [], linkedNow: false };
        return cur ? undefined : base;
      }
      const applied = applyIncoming(base, incoming);
      const linkedNow = base.state !== 'linked';
      outcome = { stale: applied.stale, changes: applied.changes, linkedNow };
      if (applied.stale && !linkedNow && cur) return undefined;
      return { ...base, state: 'linked', ticket: applied.ticket, synced: base.synced ?? syncedFrom(incident), failure: undefined };
    });
    if (!stored?.ticket || stored.ticket.id !== p.ticketId) return;
    const ticket = stored.ticket;
    const where = providerLabels[ticket.provider];
    const lines: string[] = [];
    if (outcome.linkedNow) {
      lines.push(`🎫 ${ticket.number} in ${where} is now linked to this incident: ${ticket.url}`);
      await this.ctx.audit.append({
        action: 'ticket.linked',
        outcome: 'succeeded',
        actorId: `itsm:${p.provider}`,
        target: name,
        correlationId: hc.correlationId,
        detail: { provider: p.provider, number: ticket.number, ticketId: ticket.id, via: 'callback' },
      });
    }
    const changeText = describeTicketChanges(ticket, outcome.changes);
    if (changeText) lines.push(changeText);
    if (p.note && !isArgusNote(p.note.text)) {
      const by = p.note.author ? `${plain(p.note.author, 80)} ` : '';
      lines.push(`📝 ${by}in ${where} (${ticket.number}):\n${p.note.text.trim().slice(0, 2000)}`);
    }
    await this.ctx.audit.append({
      action: 'ticket.updated',
      outcome: 'succeeded',
      actorId: `itsm:${p.provider}`,
      target: name,
      correlationId: hc.correlationId,
      detail: { direction: 'from-itsm', provider: p.provider, number: ticket.number, kind: p.kind, version: p.version, stale: outcome.stale, changes: outcome.changes, note: p.note !== undefined },
    });
    const conflict = await auditConflict(this.ctx, incident, stored, hc.correlationId);
    if (conflict.changed) await this.ctx.links.mutate(name, (cur) => cur && { ...cur, conflictKey: conflict.key });
    // A note a person wrote goes to the thread at once (with the changes that came with it).
    const told = lines.length ? lines.join('\n\n') : undefined;
    const written = p.note !== undefined && !isArgusNote(p.note.text);
    if (lines.length || outcome.changes.length || conflict.changed)
      await this.ctx.publisher.publish(name, told && written ? { kind: 'person', text: told } : told);
  }

  /** The ticket as this callback describes it; undefined when it reports no state (a bare comment). */
  private ticketFrom(p: TicketUpdatedPayload, known: Ticket | undefined): Ticket | undefined {
    if (p.status === undefined && p.assignee === undefined) return undefined;
    const status = p.status ?? known?.status ?? 'new';
    return {
      provider: p.provider,
      id: p.ticketId,
      number: p.number ?? known?.number ?? p.ticketId,
      url: known?.url ?? this.ctx.system.urlOf(p.ticketId, p.number ?? ''),
      title: known?.title ?? p.number ?? '',
      status,
      statusLabel: p.statusLabel ?? (p.status ? statusLabels[p.status] : (known?.statusLabel ?? statusLabels[status])),
      assignee: p.assignee === undefined ? known?.assignee : (p.assignee ?? undefined),
      correlationId: p.correlationId ?? known?.correlationId,
      version: p.version,
      updatedAt: p.updatedAt ?? known?.updatedAt,
    };
  }

  private linkFromCallback(name: string, number: number, incident: Parameters<typeof syncedFrom>[0], p: TicketUpdatedPayload): TicketLink {
    const at = new Date().toISOString();
    return {
      incidentName: name,
      incidentNumber: number,
      provider: p.provider,
      state: 'requested',
      origin: 'itsm',
      requestedAt: at,
      outbox: [],
      noteIds: [],
      work: { owed: false, attempts: 0 },
      synced: syncedFrom(incident),
    };
  }
}

