import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { asEntityTable, type Entity, type EntityQuery, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { decodeKey, encodeKey } from '../storage/keys';
import { CardWorkIndex, type CardWork } from './card-work-index';

export type { CardWork } from './card-work-index';

/**
 * A message for the card's thread. `change`: Argus telling what changed (status, owner, severity,
 * a ticket or a playbook run moving on); several coalesce into one reply, at most one a minute per
 * card. `person`: words a person wrote (an ITSM work note or comment, a comment from the card);
 * each goes as its own reply at once, paced only by Teams' limits — during an incident that is
 * the update people wait for.
 */
export interface ThreadNote {
  kind: 'change' | 'person';
  text: string;
}

/** A person's note waiting to be sent; the id tells it apart from notes queued meanwhile. */
export interface QueuedReply {
  id: string;
  text: string;
}

/**
 * One card per incident per conversation (table ArgusCards, PartitionKey = incident). The row is
 * the card's outbox too: `pending` says the card must be re-rendered from the incident's latest
 * state (many changes coalesce into one update), `notes` hold changes still to be told in the
 * card's thread, `replies` the notes people wrote, still to be sent. The delivery worker is the
 * only one that talks to Teams about cards.
 */
export interface CardRecord {
  incidentName: string;
  conversationId: string;
  /** new: not posted yet; posting: a post may be under way (or was cut short); posted: activityId known. */
  state: 'new' | 'posting' | 'posted';
  activityId?: string;
  pending: boolean;
  pendingSince?: string;
  notes: string[];
  replies: QueuedReply[];
  lastReplyAt?: string;
  etag: string;
}

const maxNotes = 20;
/** Each reply is cut to this; the queue keeps the newest that fit one 64 KiB string property. */
const maxReplyLength = 3_000;
const maxQueuedJson = 30_000;

function fitReplies(replies: QueuedReply[]): QueuedReply[] {
  let size = 0;
  let from = replies.length;
  while (from > 0) {
    size += JSON.stringify(replies[from - 1]).length + 1;
    if (size > maxQueuedJson && from < replies.length) break;
    from -= 1;
  }
  return replies.slice(from);
}

/** True while the card has something to send: an update, change notes or people's notes. */
export const hasWork = (c: Pick<CardRecord, 'pending' | 'notes' | 'replies'>): boolean => c.pending || c.notes.length > 0 || c.replies.length > 0;

/** A card row just created, with the work index entry written for it (both as written: etags included). */
export interface NewCard {
  card: CardRecord;
  entry: CardWork;
}

/** What a save may change on a card. */
export type CardChanges = Partial<Omit<CardRecord, 'incidentName' | 'conversationId' | 'etag' | 'notes' | 'replies'>> & {
  notes?: string[];
  hasNotes?: boolean;
  replies?: QueuedReply[];
};

/** The card rows, as the outbox and the delivery worker use them. */
export interface CardOutboxStore {
  /** The cards of an incident. */
  list(incidentName: string): Promise<CardRecord[]>;
  /** Cards with work to do, by conversation (entries of the work index, see CardWorkIndex). */
  listPending(limit?: number): Promise<CardWork[]>;
  /** The cards of `conversationId` with work to do (entries of the work index). */
  listWork(conversationId: string): Promise<CardWork[]>;
  /** Removes a card's entry from the work index, unless it was written since it was read (see CardWorkIndex). */
  removeWork(entry: CardWork): Promise<boolean>;
  /** Calls `listener` after each save of this process that took a card's last work away; returns what stops that. */
  onWorkDone(listener: (card: CardRecord) => void): () => void;
  /** Cards in `conversationId` with people's notes to send. */
  listReplies(conversationId: string): Promise<CardRecord[]>;
  /** Creates the card's row (to be posted) unless it exists; the new card and its work index entry, when it was created. */
  ensure(incidentName: string, conversationId: string, now?: Date): Promise<NewCard | undefined>;
  /** Marks a card for re-rendering, queueing a thread note when given. */
  markPending(card: CardRecord, note?: ThreadNote, now?: Date): Promise<void>;
  get(incidentName: string, conversationId: string): Promise<CardRecord | undefined>;
  /** Removes sent replies (by id: more may have been queued meanwhile); the fresh record. */
  dropReplies(card: CardRecord, sent: ReadonlySet<string>): Promise<CardRecord | undefined>;
  /** Writes `changes` if nobody changed the row since it was read; the new record, or undefined (see TableCardOutboxStore). */
  save(card: CardRecord, changes: CardChanges): Promise<CardRecord | undefined>;
}

/**
 * Card rows in table ArgusCards (see CardRecord), written with etag concurrency, and the index of
 * the cards with work beside them (see CardWorkIndex): an entry is written before a card gets work
 * it had not, so the delivery worker finds work by the index, never by reading every card.
 */
export class TableCardOutboxStore implements CardOutboxStore {
  private readonly table: EntityTable;
  private readonly index: CardWorkIndex;
  private readonly done = new Set<(card: CardRecord) => void>();

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
    this.index = new CardWorkIndex(this.table);
  }

  async list(incidentName: string): Promise<CardRecord[]> {
    return this.query({ partitionKey: encodeKey(incidentName) });
  }

  listPending(limit = 1000): Promise<CardWork[]> {
    return this.index.list(limit);
  }

  listWork(conversationId: string): Promise<CardWork[]> {
    return this.index.listConversation(conversationId);
  }

  removeWork(entry: CardWork): Promise<boolean> {
    return this.index.remove(entry);
  }

  onWorkDone(listener: (card: CardRecord) => void): () => void {
    this.done.add(listener);
    return () => this.done.delete(listener);
  }

  /** Cards in `conversationId` with people's notes to send (those the index says got some). */
  async listReplies(conversationId: string): Promise<CardRecord[]> {
    const entries = (await this.index.listConversation(conversationId)).filter((e) => e.replies);
    const cards = await Promise.all(entries.map((e) => this.get(e.incidentName, e.conversationId)));
    return cards.filter((c): c is CardRecord => c !== undefined && c.replies.length > 0);
  }

  /** Creates the card's row (to be posted) unless it exists; the row is the create-once record. */
  async ensure(incidentName: string, conversationId: string, now = new Date()): Promise<NewCard | undefined> {
    const entry = await this.index.add(incidentName, conversationId, false, now);
    const pendingSince = now.toISOString();
    const res = await this.table.create({
      partitionKey: encodeKey(incidentName),
      rowKey: encodeKey(conversationId),
      state: 'new',
      pending: true,
      pendingSince,
      hasNotes: false,
      notes: '[]',
      hasReplies: false,
      replies: '[]',
    });
    if (!res.created) return undefined;
    const card: CardRecord = { incidentName, conversationId, state: 'new', pending: true, pendingSince, notes: [], replies: [], etag: res.etag };
    return { card, entry };
  }

  /**
   * Marks a card for re-rendering, queueing a thread note when given. A change note is dropped
   * while the card is not posted (the card it posts shows the change); a person's note waits for it.
   */
  async markPending(card: CardRecord, note?: ThreadNote, now = new Date()): Promise<void> {
    const reply = note?.kind === 'person' ? { id: randomUUID(), text: note.text.slice(0, maxReplyLength) } : undefined;
    let current: CardRecord | undefined = card;
    for (let attempt = 0; attempt < 8 && current; attempt += 1) {
      const notes = note?.kind === 'change' && current.state === 'posted' ? [...current.notes, note.text].slice(-maxNotes) : current.notes;
      const replies = reply ? fitReplies([...current.replies, reply]) : current.replies;
      const changes = { pending: true, pendingSince: current.pending ? current.pendingSince : now.toISOString(), notes, replies };
      if (await this.save(current, changes, now)) return;
      current = await this.get(card.incidentName, card.conversationId);
    }
    if (current) throw new ArgusError('ARGUS_CONFLICT', `card ${card.incidentName} in ${card.conversationId} kept changing`);
  }

  async get(incidentName: string, conversationId: string): Promise<CardRecord | undefined> {
    const e = await this.table.get(encodeKey(incidentName), encodeKey(conversationId));
    return e && this.fromEntity(e);
  }

  /** Removes sent replies (by id: more may have been queued meanwhile); the fresh record. */
  async dropReplies(card: CardRecord, sent: ReadonlySet<string>): Promise<CardRecord | undefined> {
    let current: CardRecord | undefined = card;
    for (let attempt = 0; attempt < 8 && current; attempt += 1) {
      const saved = await this.save(current, { replies: current.replies.filter((r) => !sent.has(r.id)) });
      if (saved) return saved;
      current = await this.get(card.incidentName, card.conversationId);
    }
    if (current) throw new ArgusError('ARGUS_CONFLICT', `card ${card.incidentName} in ${card.conversationId} kept changing`);
    return undefined;
  }

  /**
   * Writes `changes` if nobody changed the row since it was read; the new record, or undefined. A
   * card about to get work it had not, or people's notes, gets its index entry first; a card with
   * work has it already (see CardWorkIndex).
   */
  async save(card: CardRecord, changes: CardChanges, now = new Date()): Promise<CardRecord | undefined> {
    const { notes, replies, ...rest } = changes;
    const next: CardRecord = { ...card, ...rest, notes: notes ?? card.notes, replies: replies ?? card.replies };
    const newReplies = next.replies.some((r) => !card.replies.some((c) => c.id === r.id));
    if (newReplies || (hasWork(next) && !hasWork(card))) await this.index.add(card.incidentName, card.conversationId, newReplies, now);
    const entity: Entity = { partitionKey: encodeKey(card.incidentName), rowKey: encodeKey(card.conversationId), ...rest };
    if (notes) {
      entity.notes = JSON.stringify(notes);
      entity.hasNotes = notes.length > 0;
    }
    if (replies) {
      entity.replies = JSON.stringify(replies);
      entity.hasReplies = replies.length > 0;
    }
    for (const [k, v] of Object.entries(entity)) if (v === undefined) delete entity[k];
    const etag = await this.table.update(entity, { mode: 'merge', etag: card.etag });
    if (etag === undefined) return undefined;
    const saved: CardRecord = { ...next, etag };
    if (hasWork(card) && !hasWork(saved)) for (const listener of this.done) listener(saved);
    return saved;
  }

  private async query(query: EntityQuery, limit = 5000): Promise<CardRecord[]> {
    return (await this.table.list(query, limit)).map((e) => this.fromEntity(e));
  }

  private fromEntity(e: StoredEntity): CardRecord {
    const notes = parseList<string>(e.notes).filter((n) => typeof n === 'string');
    const replies = parseList<QueuedReply>(e.replies).filter((r) => typeof r?.id === 'string' && typeof r.text === 'string');
    return {
      incidentName: decodeKey(String(e.partitionKey)),
      conversationId: decodeKey(String(e.rowKey)),
      state: e.state === 'posted' ? 'posted' : e.state === 'posting' ? 'posting' : 'new',
      activityId: typeof e.activityId === 'string' ? e.activityId : undefined,
      pending: e.pending === true,
      pendingSince: typeof e.pendingSince === 'string' ? e.pendingSince : undefined,
      notes,
      replies,
      lastReplyAt: typeof e.lastReplyAt === 'string' ? e.lastReplyAt : undefined,
      etag: String(e.etag ?? ''),
    };
  }
}

/** A JSON array property; rows written before the property existed have none. */
function parseList<T>(value: unknown): T[] {
  if (typeof value !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}
