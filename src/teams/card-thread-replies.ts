import type { Logger } from '../logging/logger';
import type { CardOutboxStore, CardRecord } from './card-outbox-store';
import type { TeamsDelivery } from './teams-delivery';

/** Several changes told as one message. */
export function summarise(notes: string[]): string {
  return notes.length === 1 ? notes[0]! : `${notes.length} changes: ${notes.join(' · ')}`.slice(0, 3000);
}

export interface PeopleNotesDeps {
  cards: Pick<CardOutboxStore, 'get' | 'dropReplies'>;
  delivery: Pick<TeamsDelivery, 'reply'>;
  logger: Logger;
}

/**
 * Sends a card's queued notes written by people, oldest first, each as its own reply, and removes
 * each once sent (a crash in between repeats one reply rather than losing it). A card not posted
 * yet keeps them until it is. A failed send leaves the rest queued for the next pass without
 * holding up the conversation's other cards (a deleted card is posted anew by its update).
 * Returns the card's fresh record.
 */
export async function sendPeopleNotes(deps: PeopleNotesDeps, listed: CardRecord): Promise<CardRecord> {
  // Read again: a scan that began before the last pass removed its notes must not send them twice.
  const card = await deps.cards.get(listed.incidentName, listed.conversationId);
  const parent = card?.activityId;
  if (!card || card.state !== 'posted' || !parent) return card ?? listed;
  let current = card;
  for (const reply of card.replies) {
    try {
      await deps.delivery.reply(card.conversationId, parent, { text: reply.text });
    } catch (err) {
      deps.logger.warn({ err, incident: card.incidentName, conversationId: card.conversationId }, 'a note for the card thread could not be sent; will retry');
      return current;
    }
    current = (await deps.cards.dropReplies(current, new Set([reply.id]))) ?? current;
  }
  return current;
}
