import type { Logger } from '../logging/logger';
import { statusOf } from '../net/status';
import type { CardOutboxStore, CardRecord } from './card-outbox-store';
import { sendPeopleNotes, summarise } from './card-thread-replies';
import type { DeliveryLease, DeliveryLeases } from './delivery-lease';
import type { TeamsRateLimiter } from './rate-limiter';
import type { AdaptiveCard } from './registry';
import type { TeamsDelivery } from './teams-delivery';

/** What a subject's card shows now in a conversation (undefined: the subject is gone, nothing to send). */
export type CardContent = (subject: string, conversationId: string) => Promise<{ card: AdaptiveCard; summary?: string } | undefined>;

export interface DrainOptions {
  cards: CardOutboxStore;
  /** Renders a card from its subject's latest state, when it is sent. */
  content: CardContent;
  delivery: TeamsDelivery;
  leases: DeliveryLeases;
  limiter: TeamsRateLimiter;
  logger: Logger;
  /** At most one reply telling changes per card this often (changes in between are summarised); people's notes go at once. */
  replyIntervalMs?: number;
  /** Cards with untold changes in one conversation above which one storm summary replaces the replies. */
  stormThreshold?: number;
  /** At most one storm summary per conversation this often. */
  stormIntervalMs?: number;
  /** True once the worker stops: a drain then lets its lease go rather than renew it. */
  stopped: () => boolean;
  /**
   * How long a conversation's lease is kept after a drain (default 3 s): a conversation that gets
   * cards steadily is drained again under the lease it has, without taking and releasing it each
   * time. Another instance waits at most this long (its drains of the conversation are retried).
   */
  keepLeaseMs?: number;
}

/**
 * One conversation's card work, sent by the instance holding its lease, paced by the rate limiter:
 * people's notes first, then new cards, then updates of pending ones from the subject's latest
 * state, change notes in the card's thread at most once per reply interval per card — or, in a
 * storm, one summary message per conversation per storm interval.
 */
export class ConversationDrain {
  private readonly cards: CardOutboxStore;
  /** Leases kept after a drain, with the timer that lets each go. */
  private readonly kept = new Map<string, { lease: DeliveryLease; timer: NodeJS.Timeout }>();

  constructor(private readonly o: DrainOptions) {
    this.cards = o.cards;
  }

  /** Lets every kept lease go (the worker stops). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.kept.keys()].map((conversationId) => this.release(conversationId)));
  }

  /** The lease kept from the last drain, if it has time left; else the conversation's lease taken now. */
  private async take(conversationId: string): Promise<DeliveryLease | undefined> {
    const kept = this.kept.get(conversationId);
    if (kept) {
      clearTimeout(kept.timer);
      this.kept.delete(conversationId);
      if (kept.lease.until - Date.now() > 5_000) return kept.lease;
      if (await this.o.leases.renew(kept.lease, { recent: this.o.limiter.recent(conversationId) })) return kept.lease;
    }
    const lease = await this.o.leases.acquire(conversationId);
    if (lease) this.o.limiter.seed(conversationId, lease.recent);
    return lease;
  }

  /** Keeps the lease for the next drain a little while, then lets it go (at once when stopping). */
  private keep(lease: DeliveryLease): Promise<void> | void {
    const keepMs = this.o.keepLeaseMs ?? 3_000;
    if (this.o.stopped() || keepMs <= 0 || lease.until - Date.now() <= keepMs) return this.letGo(lease);
    const timer = setTimeout(() => void this.release(lease.conversationId), keepMs);
    timer.unref?.();
    this.kept.set(lease.conversationId, { lease, timer });
  }

  private async release(conversationId: string): Promise<void> {
    const kept = this.kept.get(conversationId);
    if (!kept) return;
    clearTimeout(kept.timer);
    this.kept.delete(conversationId);
    await this.letGo(kept.lease);
  }

  private async letGo(lease: DeliveryLease): Promise<void> {
    await this.o.leases.renew(lease, { recent: this.o.limiter.recent(lease.conversationId), release: true }).catch(() => false);
  }

  /**
   * Sends a conversation's card work under its lease; `cards` are its cards with work, oldest
   * first. True when it went through; false when it could not hold the lease (another instance
   * sends to this conversation, or stopping): what is left waits for the next drain.
   */
  async drain(conversationId: string, cards: CardRecord[]): Promise<boolean> {
    const lease = await this.take(conversationId);
    if (!lease) return false; // another instance sends to this conversation now
    let lost = false;
    try {
      const now = Date.now();
      const replyEvery = this.o.replyIntervalMs ?? 60_000;
      const untold = cards.filter((c) => c.notes.length > 0 && c.state === 'posted');
      const storm = untold.length > (this.o.stormThreshold ?? 5);
      const holdLease = async () => {
        if (!(this.o.stopped() || lease.until - Date.now() < 5_000)) return true;
        lost = !(await this.o.leases.renew(lease, { recent: this.o.limiter.recent(conversationId) }));
        return !lost;
      };
      // People's notes before anything else, and looked for again while a long drain goes on.
      const latest = new Map<string, CardRecord>();
      const tellPeople = async (withReplies: CardRecord[]) => {
        for (const c of withReplies) {
          if (!c.replies.length) continue;
          if (!(await holdLease())) return false;
          latest.set(c.incidentName, await sendPeopleNotes({ cards: this.cards, delivery: this.o.delivery, logger: this.o.logger }, c));
        }
        return true;
      };
      if (!(await tellPeople(cards))) return false;
      let peopleCheckedAt = Date.now();
      // New cards first: a channel should show every incident before polishing the ones it has.
      const ordered = [...cards].sort((a, b) => Number(a.state === 'posted') - Number(b.state === 'posted'));
      for (const listed of ordered) {
        if (!(await holdLease())) return false;
        if (Date.now() - peopleCheckedAt >= 1_000) {
          if (!(await tellPeople(await this.cards.listReplies(conversationId)))) return false;
          peopleCheckedAt = Date.now();
        }
        const card = latest.get(listed.incidentName) ?? listed;
        const tellNow = !storm && card.notes.length > 0 && now - Date.parse(card.lastReplyAt ?? '1970-01-01') >= replyEvery;
        if (!card.pending && !tellNow) continue;
        await this.deliver(card, tellNow);
      }
      if (storm && now - lease.lastStormAt >= (this.o.stormIntervalMs ?? 60_000)) await this.stormSummary(conversationId, untold, lease);
      return true;
    } finally {
      // A lease lost to another instance is not ours to release or keep.
      if (!lost) await this.keep(lease);
    }
  }

  private async deliver(card: CardRecord, tellNotes: boolean): Promise<void> {
    const message = await this.o.content(card.incidentName, card.conversationId);
    if (!message) return;
    let current: CardRecord | undefined = card;
    if (card.pending && card.state !== 'posted') {
      // Claim, then post. A crash after Teams answered but before the id is stored may cost one
      // duplicate card (the Bot Connector has no idempotency key); at any other instant, none.
      current = await this.cards.save(card, { state: 'posting' });
      if (!current) return;
      const activityId = await this.o.delivery.post(card.conversationId, message);
      current = await this.cards.save(current, { state: 'posted', activityId, pending: false });
      if (!current) await this.recordActivityId(card, activityId);
      return;
    }
    if (card.pending && card.activityId) {
      try {
        await this.o.delivery.update(card.conversationId, card.activityId, message);
      } catch (err) {
        if (statusOf(err) === 404) {
          // The card was deleted in Teams: post a new one.
          current = await this.cards.save(card, { state: 'new' });
          return;
        }
        throw err;
      }
    }
    const notes = tellNotes ? card.notes : undefined;
    if (notes?.length && card.activityId)
      await this.o.delivery.reply(card.conversationId, card.activityId, { text: summarise(notes) });
    // Only clear what was delivered; a change that arrived meanwhile changed the etag and stays pending.
    await this.cards.save(card, { pending: false, ...(notes ? { notes: [], lastReplyAt: new Date().toISOString() } : {}) });
  }

  /** The post succeeded but the row changed meanwhile: store the id on the fresh row. */
  private async recordActivityId(card: CardRecord, activityId: string): Promise<void> {
    for (let i = 0; i < 5; i += 1) {
      const fresh = await this.cards.get(card.incidentName, card.conversationId);
      if (!fresh || (await this.cards.save(fresh, { state: 'posted', activityId }))) return;
    }
  }

  private async stormSummary(conversationId: string, cards: CardRecord[], lease: DeliveryLease): Promise<void> {
    const lines = cards.slice(0, 15).map((c) => `• ${c.incidentName.slice(0, 8)}…: ${summarise(c.notes)}`);
    const more = cards.length > 15 ? `\n…and ${cards.length - 15} more` : '';
    const text = `⚡ Incident storm: ${cards.length} incidents changed since the last summary.\n${lines.join('\n')}${more}`;
    await this.o.delivery.post(conversationId, { text });
    await this.o.leases.renew(lease, { lastStormAt: Date.now(), recent: this.o.limiter.recent(conversationId) });
    for (const c of cards) {
      const fresh = await this.cards.get(c.incidentName, c.conversationId);
      if (fresh) await this.cards.save(fresh, { notes: fresh.notes.slice(c.notes.length), lastReplyAt: new Date().toISOString() });
    }
  }
}
