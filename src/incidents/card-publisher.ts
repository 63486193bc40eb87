import type { FileConfig } from '../config/file-schema';
import type { Logger } from '../logging/logger';
import type { TeamsDelivery } from '../teams/teams-delivery';
import { renderIncidentCard, type IncidentCardView } from '../cards';
import type { Role } from '../access/roles';
import type { CardRecord, CardStore } from './card-store';
import type { IncidentRecord, IncidentRepository } from './incident-repository';
import { routeIncident } from './routing';
import type { SubscriptionStore } from './subscription-store';

export interface CardPublisherOptions {
  cards: CardStore;
  incidents: IncidentRepository;
  subscriptions: SubscriptionStore;
  delivery: TeamsDelivery;
  routing: FileConfig['routing'];
  sentinelConnected: boolean;
  logger: Logger;
  /** A `posting` claim older than this is taken to be abandoned (a crash mid-post). */
  staleClaimMs?: number;
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

export function cardActivity(card: Record<string, unknown>, summary?: string) {
  return {
    type: 'message' as const,
    summary,
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
  };
}

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

  /**
   * Posts or updates the incident's cards from its latest stored state (never from a version a
   * slower event carried); `threadNote` goes as a reply under cards that already existed.
   */
  async publish(incidentName: string, threadNote?: string): Promise<void> {
    const record = await this.options.incidents.get(incidentName);
    if (!record) return;
    const { incident } = record;
    const existing = await this.options.cards.list(incident.name);
    const targets = new Set(routeIncident(incident, this.options.routing, await this.options.subscriptions.list()));
    for (const card of existing) targets.add(card.conversationId);
    const activity = cardActivity(await this.render(record), `Incident ${incident.number}: ${incident.title}`);
    const errors: unknown[] = [];
    for (const conversationId of targets) {
      try {
        const card = existing.find((c) => c.conversationId === conversationId);
        if (card?.state === 'posted' && card.activityId) {
          await this.options.delivery.update(conversationId, card.activityId, activity);
          if (threadNote) await this.options.delivery.reply(conversationId, card.activityId, { type: 'message', text: threadNote });
        } else {
          await this.postOnce(incident.name, conversationId, card, activity);
        }
      } catch (err) {
        errors.push(err);
        this.options.logger.error({ err, incident: incident.name, conversationId }, 'could not deliver incident card');
      }
    }
    if (errors.length) throw new AggregateError(errors, `incident card delivery failed for ${errors.length} conversation(s)`);
  }

  private async postOnce(
    incidentName: string,
    conversationId: string,
    existing: CardRecord | undefined,
    activity: ReturnType<typeof cardActivity>,
  ): Promise<void> {
    const staleMs = this.options.staleClaimMs ?? 60_000;
    let claim: CardRecord | undefined;
    if (!existing) claim = await this.options.cards.claim(incidentName, conversationId);
    else if (Date.now() - Date.parse(existing.claimedAt) > staleMs) claim = await this.options.cards.reclaim(existing);
    // Another worker holds a fresh claim and is posting, perhaps an older state: failing here makes
    // this event retry, and the retry updates the card once it is posted.
    if (!claim) throw new Error(`card for ${incidentName} in ${conversationId} is being posted by another worker`);
    let activityId: string;
    try {
      activityId = await this.options.delivery.post(conversationId, activity);
    } catch (err) {
      await this.options.cards.release(claim);
      throw err;
    }
    await this.options.cards.markPosted(claim, activityId);
  }
}
