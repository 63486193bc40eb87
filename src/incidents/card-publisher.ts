import type { FileConfig } from '../config/file-schema';
import type { Logger } from '../logging/logger';
import { renderIncidentCard, type IncidentCardView } from '../cards';
import { roleAtLeast, type Role } from '../access/roles';
import type { CardOutbox, ThreadNote } from '../teams/card-outbox';
import type { CardViewers } from './card-viewers';
import type { IncidentRecord, IncidentRepository } from './incident-repository';
import { inReadScope } from '../storage/render-scope';
import { routeIncident } from './routing';
import type { SubscriptionStore } from './subscription-store';

export type { ThreadNote } from '../teams/card-outbox';

export interface CardPublisherOptions {
  /** Where card work goes (the delivery worker renders and sends it). */
  outbox: Pick<CardOutbox, 'changed'>;
  incidents: IncidentRepository;
  subscriptions: SubscriptionStore;
  routing: FileConfig['routing'];
  sentinelConnected: boolean;
  logger: Logger;
  /** Who gets per-user refreshes of the card in a conversation; absent: nobody (everyone presses Refresh). */
  viewers?: CardViewers;
}

/** Who is looking at a card. */
export interface CardViewer {
  role?: Role;
  aadObjectId?: string;
  tenantId?: string;
}

/**
 * Whom the shared card (posted in a channel, seen by everyone who gets no refresh) is drawn for:
 * a reader, so it shows what anyone may read and no button that acts, but Refresh.
 */
export const baseCardViewer: Readonly<CardViewer> = Object.freeze({ role: 'reader' });

/**
 * Adds a feature's part to the incident card (a ticket, playbooks…): returns the optional view
 * fields it owns, with the buttons `viewer` may use. Registered once by the feature; called for
 * every render (the shared card: `baseCardViewer`). Who gets per-user refreshes is decided by the
 * publisher alone (CardViewers), not by sections.
 */
export type IncidentCardDecorator = (
  record: IncidentRecord,
  viewer: CardViewer,
) => Promise<Partial<Omit<IncidentCardView, 'incident' | 'sentinelConnected' | 'showActions' | 'notice' | 'refreshUserIds'>>>;

/**
 * Keeps the one card per incident per conversation current: posts it the first time (after
 * claiming the create-once record), updates it in place afterwards, and replies in its thread
 * when something notable changed.
 */
export class CardPublisher {
  private readonly decorators: IncidentCardDecorator[] = [];

  constructor(private readonly options: CardPublisherOptions) {}

  decorate(decorator: IncidentCardDecorator): void {
    this.decorators.push(decorator);
  }

  /**
   * The incident card for `viewer`, with the buttons their role allows (undefined: the shared,
   * read-only card, whose `extra.refreshUserIds` get their own view). The server checks every
   * action anyway.
   */
  async render(record: IncidentRecord, viewer?: CardViewer, extra?: Pick<IncidentCardView, 'timeline' | 'refreshUserIds'>): Promise<Record<string, unknown>> {
    const shownTo = viewer ?? baseCardViewer;
    let view: IncidentCardView = {
      incident: record.incident,
      sentinelConnected: this.options.sentinelConnected,
      showActions: roleAtLeast(shownTo.role, 'responder'),
      notice: record.notice ? { text: record.notice.text, style: record.notice.style } : undefined,
    };
    // The sections read side by side (each sees only the record and the viewer), merged in their
    // order; one read scope: sections reading rows of the same partition read it once (see partitionReadsOnce).
    const sections = await inReadScope(() => Promise.all(this.decorators.map((decorator) => decorator(record, shownTo))));
    for (const section of sections) view = { ...view, ...section };
    // A view one viewer asked for (the timeline) comes with the request, not from a decorator.
    return renderIncidentCard(extra ? { ...view, ...extra } : view);
  }

  /**
   * The shared card of the incident as it is stored now, with its notification summary; in
   * `conversationId`, the members who may see more get a per-user refresh.
   */
  async content(incidentName: string, conversationId?: string): Promise<{ card: Record<string, unknown>; summary: string } | undefined> {
    const record = await this.options.incidents.get(incidentName);
    if (!record) return undefined;
    const { viewers } = this.options;
    const refreshUserIds = viewers && conversationId ? await viewers.refreshUserIds(conversationId, { ownerObjectId: record.incident.owner?.objectId }) : undefined;
    const card = await this.render(record, undefined, refreshUserIds?.length ? { refreshUserIds } : undefined);
    return { card, summary: `Incident ${record.incident.number}: ${record.incident.title}` };
  }

  /**
   * Brings the incident's cards up to date: new routing targets get a card row (posted by the
   * delivery worker), existing cards are marked for re-rendering from the latest stored state, and
   * `threadNote` is queued for their threads (a bare string: a change Argus tells, coalesced; see
   * ThreadNote for notes people wrote). Nothing here talks to Teams, so a storm of events costs one
   * small write per card, and the worker coalesces them into paced updates. `known`: the record as
   * the caller just stored it (saves reading it back; cards render from storage). `firstVersion`:
   * the caller has just created the incident's row, so it has no cards yet (none are looked for).
   */
  async publish(incidentName: string, threadNote?: string | ThreadNote, known?: IncidentRecord, options: { firstVersion?: boolean } = {}): Promise<void> {
    let note: ThreadNote | undefined = typeof threadNote === 'string' ? { kind: 'change', text: threadNote } : threadNote;
    if (note && !note.text) note = undefined;
    const record = known ?? (await this.options.incidents.get(incidentName));
    if (!record) return;
    const targets = routeIncident(record.incident, this.options.routing, await this.options.subscriptions.list());
    await this.options.outbox.changed(incidentName, targets, note, { noCardsYet: options.firstVersion });
  }
}
