import type { CardChange, StoredCardOutbox } from './card-outbox';
import { hasWork, type CardOutboxStore, type CardRecord, type CardWork, type NewCard } from './card-outbox-store';
import { CardWorkIndex } from './card-work-index';
import { ConversationDrain, type DrainOptions } from './conversation-drain';

export type { CardContent } from './conversation-drain';

export interface CardDeliveryOptions extends Omit<DrainOptions, 'cards' | 'stopped'> {
  /** The card rows; the worker is told of each change there. */
  outbox: StoredCardOutbox;
  /**
   * How often the index of cards with work is listed: the fallback for work this instance was not
   * told of (changes made by another instance, or before a restart), for change notes whose reply
   * interval has passed, and for a card deleted in Teams (posted anew).
   */
  pollIntervalMs?: number;
}

/** A conversation whose drain did not go through (another instance holds it, Teams or storage failed) is tried again this soon. */
const retryMs = 250;

/**
 * Drains card work conversation by conversation (ConversationDrain: one instance per conversation
 * at a time under a lease, paced by the rate limiter, people's notes first, storm summaries). A
 * change the outbox signals is drained at once: the worker reads the cards it names and the
 * conversation's other cards with work, found by the work index (so a storm is recognised as a
 * storm), never every card. Changes signalled while a conversation drains are drained right after.
 * A listing of the work index (every conversation) each `pollIntervalMs` is the fallback. After a
 * drain, the index entries of the cards it left without work are removed (with the etags read
 * before the drain, see CardWorkIndex).
 */
export class CardDeliveryWorker {
  /** Per conversation: subjects to look at (their cards are read when drained). */
  private readonly wanted = new Map<string, Set<string>>();
  /**
   * Per conversation: wanted subjects whose card this process just created and nothing changed
   * since (as far as this process was told): drained as written, without reading them again.
   */
  private readonly created = new Map<string, Map<string, NewCard>>();
  /** Per conversation draining now: subjects whose last work a save of this drain took away. */
  private readonly emptied = new Map<string, Set<string>>();
  private readonly draining = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private wakeNow?: () => void;
  private loop?: Promise<void>;
  private readonly cards: CardOutboxStore;
  private readonly drainer: ConversationDrain;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly o: CardDeliveryOptions) {
    this.cards = o.outbox.store;
    this.drainer = new ConversationDrain({ ...o, cards: this.cards, stopped: () => this.stopped });
    this.unsubscribe = [
      o.outbox.onChanged((change) => this.changed(change)),
      this.cards.onWorkDone((card) => this.emptied.get(card.conversationId)?.add(card.incidentName)),
    ];
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
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const t of this.retries) clearTimeout(t);
    this.nudge(); // ends the wait at once
    await this.loop;
    await Promise.allSettled([...this.running]);
    await this.drainer.releaseAll();
  }

  /** Resolves when no card has work left (tests and benchmarks). */
  async idle(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.running.size === 0 && !(await this.anyWork())) return;
      this.nudge();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`card delivery not idle after ${timeoutMs} ms`);
  }

  /** True when a card the work index names still has work (an entry may outlive its card's work). */
  private async anyWork(): Promise<boolean> {
    const cards = await Promise.all((await this.cards.listPending(100)).map((e) => this.cards.get(e.incidentName, e.conversationId)));
    return cards.some((c) => c !== undefined && hasWork(c));
  }

  private changed(change: CardChange): void {
    for (const conversationId of change.conversationIds) {
      this.want(conversationId).add(change.subject);
      const created = change.created.find((c) => c.card.conversationId === conversationId);
      if (created) {
        let cards = this.created.get(conversationId);
        if (!cards) this.created.set(conversationId, (cards = new Map()));
        cards.set(change.subject, created);
      } else this.created.get(conversationId)?.delete(change.subject); // changed since: read it afresh
      this.drain(conversationId);
    }
  }

  private want(conversationId: string): Set<string> {
    let subjects = this.wanted.get(conversationId);
    if (!subjects) this.wanted.set(conversationId, (subjects = new Set()));
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

  /** Every card the work index names, drained by conversation (its drain reads the cards). */
  private async scan(): Promise<void> {
    for (const entry of await this.cards.listPending()) this.want(entry.conversationId).add(entry.incidentName);
    for (const conversationId of [...this.wanted.keys()]) this.drain(conversationId);
  }

  /** Drains a conversation's wanted cards unless it drains already (then it comes right after). */
  private drain(conversationId: string): void {
    const wanted = this.wanted.get(conversationId);
    if (this.stopped || !wanted || this.draining.has(conversationId)) return;
    this.wanted.delete(conversationId);
    const created = this.created.get(conversationId) ?? new Map<string, NewCard>();
    this.created.delete(conversationId);
    this.draining.add(conversationId);
    const work = this.drainNow(conversationId, wanted, created)
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

  /**
   * The wanted cards and every other card of the conversation the work index names, oldest change
   * first; then the index entries of the cards the drain left without work go, each with the etag
   * read before the drain (an entry written since stays), while the next drain may start. An entry
   * whose card has no work and that is old (its writer stopped half-way) goes too: one written by a
   * writer still at work is young, whichever was read first.
   *
   * When every wanted card is one this process just created (`created`: a new incident's first
   * card, which people wait for), they are drained as written, with the index entries written for
   * them: neither the cards nor the index are read. The conversation's other work is found by
   * its own changes and by the index listing each `pollIntervalMs`; a card changed meanwhile by
   * another instance fails its claim (etag) and is sent by a later drain.
   */
  private async drainNow(conversationId: string, wanted: Set<string>, created: Map<string, NewCard>): Promise<void> {
    const readCards = (subjects: string[]) =>
      Promise.all(subjects.map((subject) => created.get(subject)?.card ?? this.cards.get(subject, conversationId)));
    const onlyNew = [...wanted].every((subject) => created.has(subject));
    const [listed, wantedCards] = await Promise.all([onlyNew ? [] : this.cards.listWork(conversationId), readCards([...wanted])]);
    const entries = new Map([...created].map(([subject, c]) => [subject, c.entry]));
    for (const e of listed) entries.set(e.incidentName, e);
    const others = [...entries.keys()].filter((subject) => !wanted.has(subject));
    const subjects = [...wanted, ...others];
    const read = [...wantedCards, ...(await readCards(others))];
    const stale = subjects.flatMap((s, i) => {
      const entry = entries.get(s);
      const card = read[i];
      return entry && !(card && hasWork(card)) && Date.now() - Date.parse(entry.at) > CardWorkIndex.staleAfterMs ? [entry] : [];
    });
    await this.removeEntries(stale);
    const cards = read.filter((c): c is CardRecord => c !== undefined && hasWork(c));
    if (cards.length === 0) return;
    cards.sort((a, b) => (a.pendingSince ?? '').localeCompare(b.pendingSince ?? ''));
    const emptied = new Set<string>();
    this.emptied.set(conversationId, emptied);
    try {
      if (!(await this.drainer.drain(conversationId, cards))) this.retryLater(conversationId, wanted);
    } finally {
      this.emptied.delete(conversationId);
      const removal = this.removeEntries([...emptied].flatMap((s) => entries.get(s) ?? [])).finally(() => this.running.delete(removal));
      this.running.add(removal);
    }
  }

  /** Removes index entries (one that changed since it was read stays): a failure leaves them to a later drain. */
  private async removeEntries(entries: CardWork[]): Promise<void> {
    await Promise.all(entries.map((e) => this.cards.removeWork(e))).catch((err: unknown) => this.o.logger.warn({ err }, 'could not remove card work index entries'));
  }

  /** Wants the same subjects again (read afresh) a little later, and drains the conversation then. */
  private retryLater(conversationId: string, wanted: Set<string>): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.retries.delete(t);
      const subjects = this.want(conversationId);
      for (const subject of wanted) subjects.add(subject);
      this.drain(conversationId);
    }, retryMs);
    this.retries.add(t);
  }
}
