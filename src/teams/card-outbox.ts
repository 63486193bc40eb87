import type { CardOutboxStore, NewCard, ThreadNote } from './card-outbox-store';

export type { ThreadNote } from './card-outbox-store';

/** A card Teams has: where it is and its activity id (to reply in its thread). */
export interface PostedCard {
  conversationId: string;
  activityId: string;
}

/**
 * Port: how a domain gets its cards to Teams. A card is named by its subject (an incident); what
 * it shows is rendered by the delivery worker when it sends (see CardContent), so a storm of
 * changes costs one small write per card and becomes one paced update.
 */
export interface CardOutbox {
  /**
   * The subject changed: its existing cards are to be re-rendered (with `note` queued for their
   * threads), and `conversationIds` that have no card yet get one. `noCardsYet`: the caller knows
   * the subject is new (its row was just created), so no existing cards are looked for.
   */
  changed(subject: string, conversationIds: Iterable<string>, note?: ThreadNote, options?: { noCardsYet?: boolean }): Promise<void>;
  /** The subject's cards Teams has, in storage order. */
  cardsOf(subject: string): Promise<PostedCard[]>;
}

/**
 * Card work just queued: the subject's cards in these conversations have something to send.
 * `created`: the cards among them this change created, as written (nobody else knows of them yet).
 */
export interface CardChange {
  subject: string;
  conversationIds: string[];
  created: NewCard[];
}

/** The outbox over the card rows (table ArgusCards); tells its listeners what card work was queued. */
export class StoredCardOutbox implements CardOutbox {
  private readonly listeners = new Set<(change: CardChange) => void>();

  constructor(readonly store: CardOutboxStore) {}

  async changed(subject: string, conversationIds: Iterable<string>, note?: ThreadNote, options: { noCardsYet?: boolean } = {}): Promise<void> {
    const existing = options.noCardsYet ? [] : await this.store.list(subject);
    const targets = new Set(conversationIds);
    for (const card of existing) {
      targets.delete(card.conversationId);
      await this.store.markPending(card, note);
    }
    const created: NewCard[] = [];
    for (const conversationId of targets) {
      const card = await this.store.ensure(subject, conversationId);
      if (card) created.push(card);
    }
    const change = { subject, conversationIds: [...existing.map((c) => c.conversationId), ...targets], created };
    for (const listener of this.listeners) listener(change);
  }

  async cardsOf(subject: string): Promise<PostedCard[]> {
    const out: PostedCard[] = [];
    for (const card of await this.store.list(subject))
      if (card.state === 'posted' && card.activityId) out.push({ conversationId: card.conversationId, activityId: card.activityId });
    return out;
  }

  /** Calls `listener` with each change once its card work is queued; returns what stops that. */
  onChanged(listener: (change: CardChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
