import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { and, asEntityTable, eq, le, saveEntity, type Condition, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import { packJson, unpackJson } from '../storage/packed-json';
import { isTicketOpen, type TicketProvider } from './ticket';
import type { StoredTicketLink, TicketLink } from './ticket-link';

const partition = 'link';
const maxSaveAttempts = 5;

/** The link of each incident to its ITSM ticket. */
export interface TicketLinkStore {
  get(incidentName: string): Promise<StoredTicketLink | undefined>;
  /** Creates (expectedEtag undefined) or replaces the link; undefined when another writer got there first. */
  save(link: TicketLink, expectedEtag: string | undefined): Promise<string | undefined>;
  /**
   * Read-modify-write with etag retries: `change` gets the stored link (or undefined) and answers
   * the new link, or undefined to leave it as it is.
   */
  mutate(incidentName: string, change: (current: StoredTicketLink | undefined) => TicketLink | undefined): Promise<StoredTicketLink | undefined>;
  findByTicketId(provider: TicketProvider, ticketId: string): Promise<StoredTicketLink | undefined>;
  findByNumber(number: string): Promise<StoredTicketLink | undefined>;
  /** Linked tickets that are still open, most recently updated first. */
  listOpen(limit?: number): Promise<StoredTicketLink[]>;
  /** Links with work owed whose retry time has come (or that have none). */
  listDue(now?: Date, limit?: number): Promise<StoredTicketLink[]>;
}

/**
 * Ticket links in table ArgusTickets (PartitionKey `link`, RowKey = incident name), written with
 * etag concurrency. Scalar columns (ticketId, number, state, ticketOpen, workOwed, retryAt) exist
 * for queries; the link itself is packed JSON.
 */
export class TableTicketLinkStore implements TicketLinkStore {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async get(incidentName: string): Promise<StoredTicketLink | undefined> {
    const e = await this.table.get(partition, encodeKey(incidentName));
    return e && this.fromEntity(e);
  }

  async save(link: TicketLink, expectedEtag: string | undefined): Promise<string | undefined> {
    const entity = {
      partitionKey: partition,
      rowKey: encodeKey(link.incidentName),
      provider: link.provider,
      state: link.state,
      ticketId: link.ticket?.id ?? '',
      number: link.ticket?.number.toUpperCase() ?? '',
      ticketOpen: link.ticket ? isTicketOpen(link.ticket.status) : false,
      workOwed: link.work.owed,
      retryAt: link.work.retryAt ?? '',
      ...packJson(link, 'data'),
    };
    return saveEntity(this.table, entity, expectedEtag);
  }

  async mutate(incidentName: string, change: (current: StoredTicketLink | undefined) => TicketLink | undefined): Promise<StoredTicketLink | undefined> {
    for (let attempt = 0; attempt < maxSaveAttempts; attempt += 1) {
      const current = await this.get(incidentName);
      const next = change(current);
      if (!next) return current;
      const etag = await this.save(next, current?.etag);
      if (etag) return { ...next, etag };
    }
    throw new ArgusError('ARGUS_CONFLICT', `ticket link of ${incidentName} kept changing while being stored`);
  }

  async findByTicketId(provider: TicketProvider, ticketId: string): Promise<StoredTicketLink | undefined> {
    return (await this.list(and(eq('provider', provider), eq('ticketId', ticketId)), 1))[0];
  }

  async findByNumber(number: string): Promise<StoredTicketLink | undefined> {
    return (await this.list(eq('number', number.toUpperCase()), 1))[0];
  }

  async listOpen(limit = 200): Promise<StoredTicketLink[]> {
    const out = await this.list(and(eq('state', 'linked'), eq('ticketOpen', true)), 5000);
    return out.sort((a, b) => (b.ticket?.updatedAt ?? b.requestedAt).localeCompare(a.ticket?.updatedAt ?? a.requestedAt)).slice(0, limit);
  }

  async listDue(now = new Date(), limit = 100): Promise<StoredTicketLink[]> {
    return this.list(and(eq('workOwed', true), le('retryAt', now.toISOString())), limit);
  }

  private async list(where: Condition, limit: number): Promise<StoredTicketLink[]> {
    return (await this.table.list({ partitionKey: partition, where }, limit)).map((e) => this.fromEntity(e));
  }

  private fromEntity(e: StoredEntity): StoredTicketLink {
    return { ...unpackJson<TicketLink>(e, 'data'), etag: String(e.etag) };
  }
}
