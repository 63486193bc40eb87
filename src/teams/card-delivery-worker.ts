import type { Logger } from '../logging/logger';
import { statusOf } from '../net/status';
import type { StoredCardOutbox } from './card-outbox';
import type { CardOutboxStore, CardRecord } from './card-outbox-store';
import { sendPeopleNotes, summarise } from './card-thread-replies';
import type { DeliveryLease, DeliveryLeases } from './delivery-lease';
import type { TeamsRateLimiter } from './rate-limiter';
import type { AdaptiveCard } from './registry';
import type { TeamsDelivery } from './teams-delivery';

/** What a subject's card shows now (undefined: the subject is gone, nothing to send). */
export type CardContent = (subject: string) => Promise<{ card: AdaptiveCard; summary?: string } | undefined>;

export interface CardDeliveryOptions {
  /** The card rows; the worker wakes when work is queued there. */
  outbox: StoredCardOutbox;
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
  pollIntervalMs?: number;
  /**
   * Least time between two scans for pending cards, however often work is signalled: a storm
   * signals on every processed event, and each scan reads the pending cards of every conversation.
   */
  minScanIntervalMs?: number;
}

/**
 * Drains card work conversation by conversation, one instance per conversation at a time (lease),
 * paced by the rate limiter: posts new cards, updates pending ones from the incident's latest
 * state (so a storm of updates becomes one update), and tells changes in the card's thread at most
 * once a minute per card — or, in a storm, in one summary message per conversation per minute.
 * Notes people wrote skip that cadence: they go first, each as its own reply, paced only by Teams.
 */
export class CardDeliveryWorker {
  private readonly draining = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private wakeNow?: () => void;
  private loop?: Promise<void>;
  private readonly cards: CardOutboxStore;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: CardDeliveryOptions) {
    this.cards = o.outbox.store;
    this.unsubscribe = o.outbox.onChanged(() => this.nudge());
  }

  start(): void {
    this.loop = this.run();
  }

  nudge(): void {
    this.wakeNow?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    this.nudge(); // ends the wait at once
    await this.loop;
    await Promise.allSettled([...this.running]);
  }

  /** Resolves when no card has work left (tests and benchmarks). */
  async idle(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.running.size === 0 && (await this.cards.listPending(1)).every((c) => !c.pending && c.notes.length === 0 && c.replies.length === 0)) return;
      this.nudge();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`card delivery not idle after ${timeoutMs} ms`);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const scannedAt = Date.now();
      try {
        await this.tick();
      } catch (err) {
        this.o.logger.warn({ err }, 'card delivery scan failed (storage unavailable?)');
      }
      await new Promise<void>((resolve) => {
        this.timer = setTimeout(resolve, this.o.pollIntervalMs ?? 250);
        let woken = false;
        this.wakeNow = () => {
          if (this.stopped) {
            if (this.timer) clearTimeout(this.timer);
            return resolve();
          }
          if (woken) return;
          woken = true;
          if (this.timer) clearTimeout(this.timer);
          this.timer = setTimeout(resolve, Math.max(0, scannedAt + (this.o.minScanIntervalMs ?? 100) - Date.now()));
        };
      });
    }
  }

  private async tick(): Promise<void> {
    const pending = await this.cards.listPending();
    const byConversation = new Map<string, CardRecord[]>();
    for (const card of pending) byConversation.set(card.conversationId, [...(byConversation.get(card.conversationId) ?? []), card]);
    for (const [conversationId, cards] of byConversation) {
      if (this.draining.has(conversationId)) continue;
      this.draining.add(conversationId);
      const work = this.drain(conversationId, cards)
        .catch((err: unknown) => this.o.logger.warn({ err, conversationId }, 'card delivery to a conversation failed; will retry'))
        .finally(() => {
          this.draining.delete(conversationId);
          this.running.delete(work);
        });
      this.running.add(work);
    }
  }

  private async drain(conversationId: string, cards: CardRecord[]): Promise<void> {
    const lease = await this.o.leases.acquire(conversationId);
    if (!lease) return; // another instance sends to this conversation now
    this.o.limiter.seed(conversationId, lease.recent);
    try {
      const now = Date.now();
      const replyEvery = this.o.replyIntervalMs ?? 60_000;
      const untold = cards.filter((c) => c.notes.length > 0 && c.state === 'posted');
      const storm = untold.length > (this.o.stormThreshold ?? 5);
      const holdLease = async () =>
        !(this.stopped || lease.until - Date.now() < 5_000) || (await this.o.leases.renew(lease, { recent: this.o.limiter.recent(conversationId) }));
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
      if (!(await tellPeople(cards))) return;
      let peopleCheckedAt = Date.now();
      // New cards first: a channel should show every incident before polishing the ones it has.
      const ordered = [...cards].sort((a, b) => Number(a.state === 'posted') - Number(b.state === 'posted'));
      for (const listed of ordered) {
        if (!(await holdLease())) return;
        if (Date.now() - peopleCheckedAt >= 1_000) {
          if (!(await tellPeople(await this.cards.listReplies(conversationId)))) return;
          peopleCheckedAt = Date.now();
        }
        const card = latest.get(listed.incidentName) ?? listed;
        const tellNow = !storm && card.notes.length > 0 && now - Date.parse(card.lastReplyAt ?? '1970-01-01') >= replyEvery;
        if (!card.pending && !tellNow) continue;
        await this.deliver(card, tellNow);
      }
      if (storm && now - lease.lastStormAt >= (this.o.stormIntervalMs ?? 60_000)) await this.stormSummary(conversationId, untold, lease);
    } finally {
      await this.o.leases.renew(lease, { recent: this.o.limiter.recent(conversationId), release: true }).catch(() => false);
    }
  }

  private async deliver(card: CardRecord, tellNotes: boolean): Promise<void> {
    const message = await this.o.content(card.incidentName);
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
