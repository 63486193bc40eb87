import { z } from 'zod';
import type { FileConfig } from '../../config/file-schema';
import type { SecretProvider } from '../../config/secret-provider';
import type { Logger } from '../../logging/logger';
import { assertSecureBaseUrl, createItsmRequester, interactiveBudget, ItsmCallError, type ItsmCall } from '../itsm-http';
import { parseTicketNumber, type ItsmUser, type Ticket, type TicketDraft, type TicketPage, type TicketUpdate } from '../ticket';
import type { CallOptions, TicketSystem } from '../ticket-system';
import { createServiceNowAuth } from './servicenow-auth';
import { describeServiceNowError, encodedQueryValue, fieldOf, incidentFields, serviceNowUrl, severityToUrgency, StateMap, toTicket } from './servicenow-record';

export type ServiceNowConfig = NonNullable<FileConfig['itsm']['servicenow']>;

export interface ServiceNowOptions {
  config: ServiceNowConfig;
  secrets: SecretProvider;
  log?: Logger;
  timeoutMs?: number;
}

const table = '/api/now/table/incident';
const resultOne = z.object({ result: z.record(z.string(), z.unknown()) });
const resultList = z.object({ result: z.array(z.record(z.string(), z.unknown())) });
/** Encoded-query values must not carry the query's own operators. */
const safeQueryValue = /^[^\^=\s,]{1,254}$/;
/** An email or user name: `^` is legal in an address's local part and is escaped; the rest is kept out. */
const safeUserValue = /^[^=,\s\x00-\x1f\x7f]{1,254}$/;

function readParams(): Record<string, string> {
  return { sysparm_display_value: 'all', sysparm_exclude_reference_link: 'true', sysparm_fields: incidentFields.join(',') };
}

/**
 * TicketSystem over the ServiceNow Table API (incident table). Tickets carry the Sentinel
 * incident name in correlation_id and "Argus" in correlation_display.
 */
export function createServiceNowTickets(options: ServiceNowOptions): TicketSystem {
  const { config } = options;
  const instanceUrl = assertSecureBaseUrl(config.instanceUrl, 'itsm.servicenow.instanceUrl').origin;
  const states = new StateMap(config.states ?? {});
  const describeError = describeServiceNowError;
  const tokenRequester = createItsmRequester({ baseUrl: instanceUrl, peer: 'servicenow', authorization: async () => '', describeError, timeoutMs: options.timeoutMs, log: options.log });
  const request = createItsmRequester({
    baseUrl: instanceUrl,
    peer: 'servicenow',
    authorization: createServiceNowAuth({ auth: config.auth, username: config.username, clientId: config.clientId, secrets: options.secrets, tokenRequester: () => tokenRequester }),
    describeError,
    timeoutMs: options.timeoutMs,
    log: options.log,
  });

  async function call<T>(schema: z.ZodType<T>, c: ItsmCall): Promise<{ data: T; headers: Record<string, unknown> }> {
    const res = await request(c);
    const parsed = schema.safeParse(res.data);
    if (!parsed.success) throw new ItsmCallError(`servicenow answered ${c.method} ${c.path} with an unexpected body`, { peer: 'servicenow', transient: false });
    return { data: parsed.data, headers: res.headers };
  }

  const ticketOf = (record: Record<string, unknown>): Ticket => toTicket(record, { instanceUrl, states });

  async function queryOne(query: string, opts: CallOptions = {}): Promise<Ticket | undefined> {
    const { data } = await call(resultList, {
      method: 'GET',
      path: table,
      query: { ...readParams(), sysparm_query: query, sysparm_limit: 1 },
      budget: opts.interactive ? interactiveBudget : undefined,
    });
    const first = data.result[0];
    return first ? ticketOf(first) : undefined;
  }

  function closeCode(update: TicketUpdate): string {
    const c = update.resolution?.classification;
    return (c && config.closeCodes?.[c]) || config.closeCode;
  }

  return {
    provider: 'servicenow',

    findByCorrelation(incidentName) {
      if (!safeQueryValue.test(incidentName)) return Promise.resolve(undefined);
      // The oldest first: if a duplicate ever slipped in, Argus keeps linking the original.
      return queryOne(`correlation_id=${incidentName}^ORDERBYsys_created_on`);
    },

    async create(draft: TicketDraft) {
      const urgency = severityToUrgency[draft.severity];
      const body: Record<string, string> = {
        short_description: (draft.followUp ? draft.title : `Sentinel incident ${draft.incidentNumber}: ${draft.title}`).slice(0, 160),
        description: draft.description,
        urgency,
        impact: urgency,
        correlation_id: draft.followUp?.correlationId ?? draft.incidentName,
        correlation_display: 'Argus',
      };
      if (config.assignmentGroup) body.assignment_group = config.assignmentGroup;
      if (config.callerId) body.caller_id = config.callerId;
      const { data } = await call(resultOne, { method: 'POST', path: table, query: readParams(), body, idempotent: false });
      return ticketOf(data.result);
    },

    get(text, opts) {
      // Only letters and digits reach the query: nothing typed in chat can add a term to it.
      const number = parseTicketNumber('servicenow', text);
      return number ? queryOne(`number=${number}`, opts) : Promise.resolve(undefined);
    },

    async update(ticket, update) {
      const body: Record<string, string> = {};
      if (update.status) {
        const value = states.valueOf(update.status);
        if (value) body.state = value;
        if (update.status === 'resolved') {
          body.close_code = closeCode(update);
          body.close_notes = update.resolution?.notes ?? 'Resolved by Argus';
        }
      }
      if (update.severity) body.urgency = body.impact = severityToUrgency[update.severity];
      if (update.assigneeId) body.assigned_to = update.assigneeId;
      if (update.note) body.work_notes = update.note;
      if (Object.keys(body).length === 0) return ticket;
      // A PATCH that only appends a work note is not safe to repeat blindly.
      const { data } = await call(resultOne, {
        method: 'PATCH',
        path: `${table}/${encodeURIComponent(ticket.id)}`,
        query: readParams(),
        body,
        idempotent: update.note === undefined,
      });
      return ticketOf(data.result);
    },

    async findUser(email, opts = {}) {
      if (!safeUserValue.test(email)) return undefined;
      const value = encodedQueryValue(email);
      const { data } = await call(resultList, {
        method: 'GET',
        path: '/api/now/table/sys_user',
        query: { sysparm_query: `active=true^email=${value}^ORuser_name=${value}`, sysparm_fields: 'sys_id,name,email,user_name', sysparm_limit: 5 },
        budget: opts.interactive ? interactiveBudget : undefined,
      });
      // Only an exact match counts: should an instance read the escaped value differently, a wider
      // answer still never stands in for this user.
      const wanted = email.toLowerCase();
      const user = data.result.find(
        (u) => fieldOf(u, 'email').value.toLowerCase() === wanted || fieldOf(u, 'user_name').value.toLowerCase() === wanted,
      );
      if (!user) return undefined;
      const id = fieldOf(user, 'sys_id').value;
      return id ? { id, name: fieldOf(user, 'name').display || email } : undefined;
    },

    async listAssignedTo(user: ItsmUser, limit: number, opts = {}): Promise<TicketPage> {
      if (!/^[0-9a-f]{32}$/i.test(user.id)) return { tickets: [], more: false, total: 0 };
      const { data, headers } = await call(resultList, {
        method: 'GET',
        path: table,
        query: {
          ...readParams(),
          sysparm_query: `active=true^assigned_to=${user.id}^correlation_display=Argus^ORDERBYDESCsys_updated_on`,
          sysparm_limit: limit,
        },
        budget: opts.interactive ? interactiveBudget : undefined,
      });
      const tickets = data.result.map(ticketOf);
      const total = Number(headers['x-total-count']);
      return { tickets, total: Number.isFinite(total) ? total : undefined, more: Number.isFinite(total) ? total > tickets.length : false };
    },

    urlOf: (ticketId) => serviceNowUrl(instanceUrl, ticketId),

    async ping() {
      await request({ method: 'GET', path: table, query: { sysparm_limit: 1, sysparm_fields: 'sys_id' }, budget: interactiveBudget });
    },
  };
}
