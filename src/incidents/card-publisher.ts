import type { FileConfig } from '../config/file-schema';
import type { Logger } from '../logging/logger';
import { renderIncidentCard, type IncidentCardView } from '../cards';
import type { Role } from '../access/roles';
import type { CardOutbox, ThreadNote } from '../teams/card-outbox';
import type { IncidentRecord, IncidentRepository } from './incident-repository';
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
}

/** Who is looking at a card (undefined: the shared card posted in a channel). */
export interface CardViewer {
  role?: Role;
  aadObjectId?: string;
  tenantId?: string;
}

/**
 * Adds a feature's part to the incident card (a ticket, playbooks…): returns the optional view
 * fields it owns. Registered once by the feature; called for every render.
 */
export type IncidentCardDecorator = (
  record: IncidentRecord,
  viewer: CardViewer | undefined,
) => Promise<Partial<Omit<IncidentCardView, 'incident' | 'sentinelConnected' | 'showActions' | 'notice'>>>;

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
   * The incident card for `viewer` (undefined: the shared card in the channel, which shows the
   * actions; the server checks every action anyway).
   */
  async render(record: IncidentRecord, viewer?: CardViewer): Promise<Record<string, unknown>> {
    const showActions = viewer === undefined || viewer.role === 'responder' || viewer.role === 'admin';
    let view: IncidentCardView = {
      incident: record.incident,
      sentinelConnected: this.options.sentinelConnected,
      showActions,
      notice: record.notice ? { text: record.notice.text, style: record.notice.style } : undefined,
    };
    for (const decorator of this.decorators) view = { ...view, ...(await decorator(record, viewer)) };
    return renderIncidentCard(view);
  }

  /** The shared card of the incident as it is stored now, with its notification summary. */
  async content(incidentName: string): Promise<{ card: Record<string, unknown>; summary: string } | undefined> {
    const record = await this.options.incidents.get(incidentName);
    if (!record) return undefined;
    return { card: await this.render(record), summary: `Incident ${record.incident.number}: ${record.incident.title}` };
  }

  /**
   * Brings the incident's cards up to date: new routing targets get a card row (posted by the
   * delivery worker), existing cards are marked for re-rendering from the latest stored state, and
   * `threadNote` is queued for their threads (a bare string: a change Argus tells, coalesced; see
   * ThreadNote for notes people wrote). Nothing here talks to Teams, so a storm of events costs one
   * small write per card, and the worker coalesces them into paced updates. `known`: the record as
   * the caller just stored it (saves reading it back; cards render from storage).
   */
  async publish(incidentName: string, threadNote?: string | ThreadNote, known?: IncidentRecord): Promise<void> {
    let note: ThreadNote | undefined = typeof threadNote === 'string' ? { kind: 'change', text: threadNote } : threadNote;
    if (note && !note.text) note = undefined;
    const record = known ?? (await this.options.incidents.get(incidentName));
    if (!record) return;
    const targets = routeIncident(record.incident, this.options.routing, await this.options.subscriptions.list());
    await this.options.outbox.changed(incidentName, targets, note);
  }
}
