import type { TableClient } from '@azure/data-tables';
import { asEntityTable, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import type { FollowUpTicket } from './follow-up-port';

/**
 * The follow-up ticket of each post-mortem prevention action: row `pmticket-<nn>` of the
 * incident's partition in ArgusResponse. A row is first written `pending` (the claim: one ticket
 * per action even when two people click at once), then `created` with the ticket's number.
 */

export interface ActionTicket extends FollowUpTicket {
  /** The prevention action's text the ticket was opened with. */
  action: string;
  createdBy: string;
  createdAt: string;
}

export type ActionTicketRow =
  | { state: 'pending'; claimedAt: number; etag: string }
  | { state: 'created'; ticket: ActionTicket; etag: string };

export interface ActionTicketStore {
  get(incidentId: string, n: number): Promise<ActionTicketRow | undefined>;
  /** The created tickets by action number (pending claims left out). */
  list(incidentId: string): Promise<Map<number, ActionTicket>>;
  /** Claims action n: the claim's etag, or undefined when a row exists (or took it over: `staleEtag` given). */
  claim(incidentId: string, n: number, at: number, staleEtag?: string): Promise<string | undefined>;
  /** Stores the created ticket over the claim. */
  complete(incidentId: string, n: number, ticket: ActionTicket, etag: string): Promise<boolean>;
  /** Gives the claim back (the ITSM failed). */
  release(incidentId: string, n: number, etag: string): Promise<void>;
}

const prefix = 'pmticket-';
const rowKeyOf = (n: number) => `${prefix}${String(n).padStart(2, '0')}`;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

function rowOf(row: StoredEntity): ActionTicketRow {
  if (row.state === 'created')
    return {
      state: 'created',
      etag: row.etag,
      ticket: { id: str(row.ticketId), number: str(row.number), url: str(row.url), action: str(row.action), createdBy: str(row.createdBy), createdAt: str(row.createdAt) },
    };
  return { state: 'pending', claimedAt: typeof row.claimedAt === 'number' ? row.claimedAt : 0, etag: row.etag };
}

export function tableActionTickets(table: TableClient | EntityTable): ActionTicketStore {
  const t = asEntityTable(table);
  const keys = (incidentId: string, n: number) => ({ partitionKey: encodeKey(incidentId), rowKey: rowKeyOf(n) });
  return {
    async get(incidentId, n) {
      const k = keys(incidentId, n);
      const row = await t.get(k.partitionKey, k.rowKey);
      return row && rowOf(row);
    },
    async list(incidentId) {
      const rows = await t.list({ partitionKey: encodeKey(incidentId), rowKey: { prefix } }, 100);
      const out = new Map<number, ActionTicket>();
      for (const row of rows) {
        const r = rowOf(row);
        const n = Number(row.rowKey.slice(prefix.length));
        if (r.state === 'created' && Number.isInteger(n)) out.set(n, r.ticket);
      }
      return out;
    },
    async claim(incidentId, n, at, staleEtag) {
      const entity = { ...keys(incidentId, n), state: 'pending', claimedAt: at };
      if (staleEtag) return t.update(entity, { mode: 'replace', etag: staleEtag });
      const res = await t.create(entity);
      return res.created ? res.etag : undefined;
    },
    async complete(incidentId, n, ticket, etag) {
      const { id, ...rest } = ticket;
      const entity = { ...keys(incidentId, n), state: 'created', ticketId: id, ...rest };
      return (await t.update(entity, { mode: 'replace', etag })) !== undefined;
    },
    async release(incidentId, n, etag) {
      const k = keys(incidentId, n);
      await t.delete(k.partitionKey, k.rowKey, etag);
    },
  };
}
