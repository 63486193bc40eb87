import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { decodeKey, encodeKey, statusOf } from '../storage/keys';
import { listEntitiesWhere } from '../storage/list-entities';

/**
 * One card per incident per conversation (table ArgusCards, PartitionKey = incident). The row is
 * the card's outbox too: `pending` says the card must be re-rendered from the incident's latest
 * state (many changes coalesce into one update), `notes` hold changes still to be told in the
 * card's thread. The delivery worker is the only one that talks to Teams about cards.
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
  lastReplyAt?: string;
  etag: string;
}

const maxNotes = 20;

function storageError(err: unknown): ArgusError {
  return new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
}

export class CardStore {
  constructor(private readonly table: TableClient) {}

  async list(incidentName: string): Promise<CardRecord[]> {
    return this.query(`PartitionKey eq '${encodeKey(incidentName).replace(/'/g, "''")}'`);
  }

  /** Cards with work to do, oldest first. */
  async listPending(limit = 1000): Promise<CardRecord[]> {
    const rows = await this.query(`pending eq true or hasNotes eq true`, limit);
    return rows.sort((a, b) => (a.pendingSince ?? '').localeCompare(b.pendingSince ?? ''));
  }

  /** Creates the card's row (to be posted) unless it exists; the row is the create-once record. */
  async ensure(incidentName: string, conversationId: string, now = new Date()): Promise<boolean> {
    try {
      await this.table.createEntity({
        partitionKey: encodeKey(incidentName),
        rowKey: encodeKey(conversationId),
        state: 'new',
        pending: true,
        pendingSince: now.toISOString(),
        hasNotes: false,
        notes: '[]',
      });
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw storageError(err);
    }
  }

  /** Marks a card for re-rendering, adding a thread note when given. */
  async markPending(card: CardRecord, note?: string, now = new Date()): Promise<void> {
    let current: CardRecord | undefined = card;
    for (let attempt = 0; attempt < 8 && current; attempt += 1) {
      const notes = note && current.state === 'posted' ? [...current.notes, note].slice(-maxNotes) : current.notes;
      const changes = { pending: true, pendingSince: current.pending ? current.pendingSince : now.toISOString(), notes, hasNotes: notes.length > 0 };
      if (await this.save(current, changes)) return;
      current = await this.get(card.incidentName, card.conversationId);
    }
    if (current) throw new ArgusError('ARGUS_CONFLICT', `card ${card.incidentName} in ${card.conversationId} kept changing`);
  }

  async get(incidentName: string, conversationId: string): Promise<CardRecord | undefined> {
    try {
      return this.fromEntity(await this.table.getEntity<Record<string, unknown>>(encodeKey(incidentName), encodeKey(conversationId)));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storageError(err);
    }
  }

  /** Writes `changes` if nobody changed the row since it was read; the new record, or undefined. */
  async save(
    card: CardRecord,
    changes: Partial<Omit<CardRecord, 'incidentName' | 'conversationId' | 'etag' | 'notes'>> & { notes?: string[]; hasNotes?: boolean },
  ): Promise<CardRecord | undefined> {
    const { notes, ...rest } = changes;
    const entity: Record<string, unknown> = { partitionKey: encodeKey(card.incidentName), rowKey: encodeKey(card.conversationId), ...rest };
    if (notes) {
      entity.notes = JSON.stringify(notes);
      entity.hasNotes = notes.length > 0;
    }
    for (const [k, v] of Object.entries(entity)) if (v === undefined) delete entity[k];
    try {
      const res = await this.table.updateEntity(entity as { partitionKey: string; rowKey: string }, 'Merge', { etag: card.etag });
      return { ...card, ...rest, notes: notes ?? card.notes, etag: res.etag ?? '' };
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) return undefined;
      throw storageError(err);
    }
  }

  private query(filter: string, limit = 5000): Promise<CardRecord[]> {
    return listEntitiesWhere(this.table, filter, (e) => this.fromEntity(e), limit);
  }


  private fromEntity(e: Record<string, unknown> & { etag?: string }): CardRecord {
    let notes: string[] = [];
    try {
      notes = typeof e.notes === 'string' ? (JSON.parse(e.notes) as string[]) : [];
    } catch {
      notes = [];
    }
    return {
      incidentName: decodeKey(String(e.partitionKey)),
      conversationId: decodeKey(String(e.rowKey)),
      state: e.state === 'posted' ? 'posted' : e.state === 'posting' ? 'posting' : 'new',
      activityId: typeof e.activityId === 'string' ? e.activityId : undefined,
      pending: e.pending === true,
      pendingSince: typeof e.pendingSince === 'string' ? e.pendingSince : undefined,
      notes,
      lastReplyAt: typeof e.lastReplyAt === 'string' ? e.lastReplyAt : undefined,
      etag: String(e.etag ?? ''),
    };
  }
}
