import { messageText } from '../cards/text';
import type { Logger } from '../logging/logger';
import type { TeamsDelivery } from '../teams/teams-delivery';
import type { CardRecord, CardStore } from './card-store';

/** Longest text of one thread message (Teams takes about 40 KB of UTF-16 per message). */
const maxMessageLength = 8_000;

/**
 * A text message for a card's thread. Its text carries words from outside Argus (ITSM notes,
 * comments, playbook results, names from Sentinel), so it goes as plain text: rendered as markdown,
 * `[Re-authenticate](https://…)` written by a ticket's reporter would be a link from the trusted bot.
 */
export function threadMessage(text: string) {
  return { type: 'message' as const, text: messageText(text, maxMessageLength), textFormat: 'plain' as const };
}

export interface PeopleNotesDeps {
  cards: Pick<CardStore, 'get' | 'dropReplies'>;
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
      await deps.delivery.reply(card.conversationId, parent, threadMessage(reply.text));
    } catch (err) {
      deps.logger.warn({ err, incident: card.incidentName, conversationId: card.conversationId }, 'a note for the card thread could not be sent; will retry');
      return current;
    }
    current = (await deps.cards.dropReplies(current, new Set([reply.id]))) ?? current;
  }
  return current;
}
