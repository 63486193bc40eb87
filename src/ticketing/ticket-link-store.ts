import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { encodeKey, statusOf } from '../storage/keys';
import { packJson, unpackJson } from '../storage/packed-json';
import { isTicketOpen, type TicketProvider } from './ticket';
import type { StoredTicketLink, TicketLink } from './ticket-link';
import { listEntitiesWhere } from '../storage/list-entities';

const partition = 'link';
const maxSaveAttempts = 5;

function storageError(err: unknown): ArgusError {
  return new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Ticket links in table ArgusTickets (PartitionKey `link`, RowKey = incident name), written with
 * etag concurrency. Scalar columns (ticketId, number, state, ticketOpen, workOwed, retryAt) exist
 * for queries; the link itself is packed JSON.
 */
export class TicketLinkStore {
  constructor(private readonly table: TableClient) {}

  async get(incidentName: string): Promise<StoredTicketLink | undefined> {
    try {
      return this.fromEntity(await this.table.getEntity<Record<string, unknown>>(partition, encodeKey(incidentName)));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storageError(err);
    }
  }

  /** Creates (expectedEtag undefined) or replaces the link; undefined when another writer got there first. */
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
    try {
      const res = expectedEtag ? await this.table.updateEntity(entity, 'Replace', { etag: expectedEtag }) : await this.table.createEntity(entity);
      return res.etag;
    } catch (err) {
      const status = statusOf(err);
      if (status === 409 || status === 412) return undefined;
      throw storageError(err);
    }
  }

  /**
   * Read-modify-write with etag retries: `change` gets the stored link (or undefined) and answers
   * the new link, or undefined to leave it as it is.
   */
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
    return this.first(`PartitionKey eq '${partition}' and provider eq ${quote(provider)} and ticketId eq ${quote(ticketId)}`);
  }

  async findByNumber(number: string): Promise<StoredTicketLink | undefined> {
    return this.first(`PartitionKey eq '${partition}' and number eq ${quote(number.toUpperCase())}`);
  }

  /** Linked tickets that are still open, most recently updated first. */
  async listOpen(limit = 200): Promise<StoredTicketLink[]> {
    const out = await this.list(`PartitionKey eq '${partition}' and state eq 'linked' and ticketOpen eq true`, 5000);
    return out.sort((a, b) => (b.ticket?.updatedAt ?? b.requestedAt).localeCompare(a.ticket?.updatedAt ?? a.requestedAt)).slice(0, limit);
  }

  /** Links with work owed whose retry time has come (or that have none). */
  async listDue(now = new Date(), limit = 100): Promise<StoredTicketLink[]> {
    return this.list(`PartitionKey eq '${partition}' and workOwed eq true and retryAt le ${quote(now.toISOString())}`, limit);
  }

  private async first(filter: string): Promise<StoredTicketLink | undefined> {
    return (await this.list(filter, 1))[0];
  }

  private list(filter: string, limit: number): Promise<StoredTicketLink[]> {
    return listEntitiesWhere(this.table, filter, (e) => this.fromEntity(e), limit);
  }


  private fromEntity(e: Record<string, unknown> & { etag?: string }): StoredTicketLink {
    return { ...unpackJson<TicketLink>(e, 'data'), etag: String(e.etag) };
  }
}
