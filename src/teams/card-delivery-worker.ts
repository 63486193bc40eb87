import type { CardChange, StoredCardOutbox } from './card-outbox';
import type { CardOutboxStore, CardRecord } from './card-outbox-store';
import { ConversationDrain, type DrainOptions } from './conversation-drain';

export type { CardContent } from './conversation-drain';

export interface CardDeliveryOptions extends Omit<DrainOptions, 'cards' | 'stopped'> {
  /** The card rows; the worker is told of each change there. */
  outbox: StoredCardOutbox;
  /**
   * How often every pending card is listed: the fallback for work this instance was not told of
   * (changes made by another instance, or before a restart), for change notes whose reply interval
   * has passed, and for a card deleted in Teams (posted anew).
   */
  pollIntervalMs?: number;
}

/** A conversation whose drain did not go through (another instance holds it, Teams or storage failed) is tried again this soon. */
const retryMs = 250;

const hasWork = (c: CardRecord) => c.pending || c.notes.length > 0 || c.replies.length > 0;

/**
 * Drains card work conversation by conversation (ConversationDrain: one instance per conversation
 * at a time under a lease, paced by the rate limiter, people's notes first, storm summaries). A
 * change the outbox signals is drained at once: the worker reads the cards it names, plus the
 * conversation's cards last seen with untold change notes (so a storm is recognised as a storm),
 * never every pending card. Changes signalled while a conversation drains are drained right after.
 * A slow scan of all pending cards is the fallback.
 */
export class CardDeliveryWorker {
  /** Per conversation: subjects to look at, with their card when a scan just read it (else it is read). */
  private readonly wanted = new Map<string, Map<string, CardRecord | undefined>>();
  /** Per conversation: subjects whose card held untold change notes when last read. */
  private readonly untold = new Map<string, Set<string>>();
  private readonly draining = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private wakeNow?: () => void;
  private loop?: Promise<void>;
  private readonly cards: CardOutboxStore;
  private readonly drainer: ConversationDrain;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: CardDeliveryOptions) {
    this.cards = o.outbox.store;
    this.drainer = new ConversationDrain({ ...o, cards: this.cards, stopped: () => this.stopped });
    this.unsubscribe = o.outbox.onChanged((change) => this.changed(change));
  }

  start(): void {
    this.loop = this.run();
  }

  /** Scans for pending cards now. */
  nudge(): void {
    this.wakeNow?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.retries) clearTimeout(t);
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

  private changed(change: CardChange): void {
    for (const conversationId of change.conversationIds) {
      this.want(conversationId).set(change.subject, undefined); // read when drained: it changed
      this.drain(conversationId);
    }
  }

  private want(conversationId: string): Map<string, CardRecord | undefined> {
    let subjects = this.wanted.get(conversationId);
    if (!subjects) this.wanted.set(conversationId, (subjects = new Map()));
    return subjects;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.scan();
      } catch (err) {
        this.o.logger.warn({ err }, 'card delivery scan failed (storage unavailable?)');
      }
      await new Promise<void>((resolve) => {
        this.timer = setTimeout(resolve, this.o.pollIntervalMs ?? 1_000);
        this.wakeNow = () => {
          clearTimeout(this.timer);
          resolve();
        };
      });
    }
  }

  /**
   * Every pending card, as one listing: drained with what the listing read, or read again when its
   * conversation is draining now (the record would be stale by its turn).
   */
  private async scan(): Promise<void> {
    for (const card of await this.cards.listPending()) {
      const subjects = this.want(card.conversationId);
      if (!subjects.has(card.incidentName)) subjects.set(card.incidentName, this.draining.has(card.conversationId) ? undefined : card);
    }
    for (const conversationId of [...this.wanted.keys()]) this.drain(conversationId);
  }

  /** Drains a conversation's wanted cards unless it drains already (then it comes right after). */
  private drain(conversationId: string): void {
    const wanted = this.wanted.get(conversationId);
    if (this.stopped || !wanted || this.draining.has(conversationId)) return;
    this.wanted.delete(conversationId);
    this.draining.add(conversationId);
    const work = this.drainNow(conversationId, wanted)
      .catch((err: unknown) => {
        this.o.logger.warn({ err, conversationId }, 'card delivery to a conversation failed; will retry');
        this.retryLater(conversationId, wanted);
      })
      .finally(() => {
        this.draining.delete(conversationId);
        this.running.delete(work);
        this.drain(conversationId);
      });
    this.running.add(work);
  }

  private async drainNow(conversationId: string, wanted: Map<string, CardRecord | undefined>): Promise<void> {
    const subjects = new Map(wanted);
    for (const subject of this.untold.get(conversationId) ?? []) if (!subjects.has(subject)) subjects.set(subject, undefined);
    const read = await Promise.all([...subjects].map(([subject, card]) => card ?? this.cards.get(subject, conversationId)));
    const cards = read.filter((c): c is CardRecord => c !== undefined && hasWork(c));
    cards.sort((a, b) => (a.pendingSince ?? '').localeCompare(b.pendingSince ?? ''));
    const withNotes = cards.filter((c) => c.notes.length > 0 && c.state === 'posted').map((c) => c.incidentName);
    if (withNotes.length > 0) this.untold.set(conversationId, new Set(withNotes));
    else this.untold.delete(conversationId);
    if (cards.length > 0 && !(await this.drainer.drain(conversationId, cards))) this.retryLater(conversationId, wanted);
  }

  /** Wants the same subjects again (read afresh) a little later, and drains the conversation then. */
  private retryLater(conversationId: string, wanted: Map<string, CardRecord | undefined>): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.retries.delete(t);
      const subjects = this.want(conversationId);
      for (const subject of wanted.keys()) if (!subjects.has(subject)) subjects.set(subject, undefined);
      this.drain(conversationId);
    }, retryMs);
    this.retries.add(t);
  }
}
