import { z } from 'zod';
import type { FileConfig } from '../../config/file-schema';
import { secretNames, type SecretProvider } from '../../config/secret-provider';
import type { Logger } from '../../logging/logger';
import { assertSecureBaseUrl, createItsmRequester, interactiveBudget, ItsmCallError, type ItsmCall } from '../itsm-http';
import { argusNoteTag, parseTicketNumber, type Ticket, type TicketPage, type TicketUpdate } from '../ticket';
import type { CallOptions, TicketSystem } from '../ticket-system';
import { argusLabel, correlationLabelPrefix, describeJiraError, issueToTicket, statusFromCategory, type JiraIssueJson } from './jira-issue';

export type JiraConfig = NonNullable<FileConfig['itsm']['jira']>;

export interface JiraOptions {
  config: JiraConfig;
  secrets: SecretProvider;
  log?: Logger;
  timeoutMs?: number;
}

const issueJson = z.object({ id: z.union([z.string(), z.number()]), key: z.string(), fields: z.record(z.string(), z.unknown()).optional() });
const searchJson = z.object({ issues: z.array(issueJson), isLast: z.boolean().optional(), nextPageToken: z.string().nullish() });
const createdJson = z.object({
  issueId: z.string(),
  issueKey: z.string(),
  createdDate: z.object({ epochMillis: z.number() }).partial().optional(),
  currentStatus: z.object({ status: z.string().optional(), statusCategory: z.string().optional() }).optional(),
});
const transitionsJson = z.object({
  transitions: z.array(z.object({ id: z.string(), name: z.string(), to: z.object({ statusCategory: z.object({ key: z.string() }).partial().optional() }).partial().optional() })),
});
const usersJson = z.array(z.object({ accountId: z.string(), displayName: z.string().optional(), accountType: z.string().optional(), active: z.boolean().optional() }));

/**
 * TicketSystem over Jira Service Management: requests are opened with the servicedeskapi (so the
 * request type, portal and SLAs apply), comments go through the request comment API (internal),
 * status through the issue's workflow transitions. API token auth (secret jira-api-token).
 */
export function createJiraTickets(options: JiraOptions): TicketSystem {
  const { config } = options;
  const baseUrl = assertSecureBaseUrl(config.baseUrl, 'itsm.jira.baseUrl').origin;
  const cf = config.correlationField;
  const fields = ['summary', 'status', 'assignee', 'priority', 'updated', 'labels', ...(cf === 'labels' ? [] : [cf])].join(',');
  const request = createItsmRequester({
    baseUrl,
    peer: 'jira',
    async authorization({ refresh }) {
      if (refresh) options.secrets.invalidate(secretNames.jiraApiToken);
      const token = await options.secrets.require(secretNames.jiraApiToken);
      return `Basic ${Buffer.from(`${config.email}:${token}`, 'utf8').toString('base64')}`;
    },
    describeError: describeJiraError,
    timeoutMs: options.timeoutMs,
    log: options.log,
  });

  async function call<T>(schema: z.ZodType<T>, c: ItsmCall): Promise<T> {
    const res = await request(c);
    const parsed = schema.safeParse(res.data);
    if (!parsed.success) throw new ItsmCallError(`jira answered ${c.method} ${c.path} with an unexpected body`, { peer: 'jira', transient: false });
    return parsed.data;
  }

  const toTicket = (issue: JiraIssueJson): Ticket => issueToTicket(issue, { baseUrl, correlationField: cf });
  const budgetOf = (o: CallOptions = {}) => (o.interactive ? interactiveBudget : undefined);

  async function search(jql: string, limit: number, o?: CallOptions): Promise<z.output<typeof searchJson>> {
    return call(searchJson, { method: 'GET', path: '/rest/api/3/search/jql', query: { jql, fields, maxResults: limit }, budget: budgetOf(o) });
  }

  async function getIssue(key: string, o?: CallOptions): Promise<Ticket | undefined> {
    try {
      return toTicket(await call(issueJson, { method: 'GET', path: `/rest/api/3/issue/${encodeURIComponent(key)}`, query: { fields }, budget: budgetOf(o) }));
    } catch (err) {
      if (err instanceof ItsmCallError && err.peerStatus === 404) return undefined;
      throw err;
    }
  }

  /** Moves the issue into the target category unless it is there already (a retried call may have done it). */
  async function transition(key: string, target: 'in_progress' | 'resolved', notes?: string): Promise<void> {
    const current = await getIssue(key);
    if (!current || current.status === target) return;
    const { transitions } = await call(transitionsJson, { method: 'GET', path: `/rest/api/3/issue/${encodeURIComponent(key)}/transitions` });
    const wantedName = target === 'resolved' ? config.resolveTransition : config.startTransition;
    const chosen = wantedName
      ? transitions.find((t) => t.name.toLowerCase() === wantedName.toLowerCase())
      : transitions.find((t) => statusFromCategory(t.to?.statusCategory?.key) === target);
    if (!chosen)
      throw new ItsmCallError(`jira offers no transition of ${key} to ${wantedName ?? (target === 'resolved' ? 'Done' : 'In Progress')}`, { peer: 'jira', transient: false });
    const body: Record<string, unknown> = { transition: { id: chosen.id } };
    if (target === 'resolved' && config.resolution) body.fields = { resolution: { name: config.resolution } };
    await request({ method: 'POST', path: `/rest/api/3/issue/${encodeURIComponent(key)}/transitions`, body, idempotent: false });
    // Jira has no close notes: they go as an internal comment, only when this call moved the issue.
    if (notes) await addComment(key, `${argusNoteTag} ${notes}`);
  }

  async function addComment(key: string, body: string): Promise<void> {
    await request({ method: 'POST', path: `/rest/servicedeskapi/request/${encodeURIComponent(key)}/comment`, body: { body, public: false }, idempotent: false });
  }

  const scope = cf === 'labels' ? `labels = "${argusLabel}"` : `cf[${cf.slice('customfield_'.length)}] IS NOT EMPTY`;

  return {
    provider: 'jira',

    async findByCorrelation(incidentName) {
      if (!/^[\w.:-]{1,128}$/.test(incidentName)) return undefined;
      const clause = cf === 'labels' ? `labels = "${correlationLabelPrefix}${incidentName}"` : `cf[${cf.slice('customfield_'.length)}] ~ "\\"${incidentName}\\""`;
      // A text field matches words (an incident's follow-ups `<name>:pa:<n>` too, up to 30 of
      // them), so only an exact value counts, looked for among enough of the oldest.
      const page = await search(`${clause} ORDER BY created ASC`, cf === 'labels' ? 5 : 50);
      const found = page.issues.map(toTicket).find((t) => t.correlationId === incidentName);
      return found;
    },

    async create(draft) {
      const values: Record<string, unknown> = {
        summary: (draft.followUp ? draft.title : `Sentinel incident ${draft.incidentNumber}: ${draft.title}`).slice(0, 250),
        description: draft.description,
      };
      const correlation = draft.followUp?.correlationId ?? draft.incidentName;
      values[cf] = cf === 'labels' ? [argusLabel, `${correlationLabelPrefix}${correlation}`] : correlation;
      if (config.priorities) values.priority = { name: config.priorities[draft.severity] };
      const created = await call(createdJson, {
        method: 'POST',
        path: '/rest/servicedeskapi/request',
        body: { serviceDeskId: config.serviceDeskId, requestTypeId: config.requestTypeId, requestFieldValues: values },
        idempotent: false,
      });
      const category = created.currentStatus?.statusCategory;
      const status = statusFromCategory(category === 'UNDEFINED' ? 'new' : category);
      return {
        provider: 'jira',
        id: created.issueId,
        number: created.issueKey,
        url: `${baseUrl}/browse/${encodeURIComponent(created.issueKey)}`,
        title: String(values.summary),
        status,
        statusLabel: created.currentStatus?.status ?? 'Open',
        priority: config.priorities?.[draft.severity],
        correlationId: correlation,
        version: created.createdDate?.epochMillis ?? 0,
        updatedAt: created.createdDate?.epochMillis ? new Date(created.createdDate.epochMillis).toISOString() : undefined,
      };
    },

    get(number, o) {
      const key = parseTicketNumber('jira', number);
      return key ? getIssue(key, o) : Promise.resolve(undefined);
    },

    async update(ticket, update: TicketUpdate) {
      const key = encodeURIComponent(ticket.number);
      if (update.status) await transition(ticket.number, update.status, update.resolution?.notes);
      if (update.severity && config.priorities)
        await request({ method: 'PUT', path: `/rest/api/3/issue/${key}`, body: { fields: { priority: { name: config.priorities[update.severity] } } } });
      if (update.assigneeId) await request({ method: 'PUT', path: `/rest/api/3/issue/${key}/assignee`, body: { accountId: update.assigneeId } });
      if (update.note) await addComment(ticket.number, update.note);
      // Transitions and comments answer without the issue: read it back for the new state and version.
      return (await getIssue(ticket.number)) ?? ticket;
    },

    async findUser(email, o) {
      const users = await call(usersJson, { method: 'GET', path: '/rest/api/3/user/search', query: { query: email, maxResults: 5 }, budget: budgetOf(o) });
      const user = users.find((u) => u.active !== false && (u.accountType ?? 'atlassian') === 'atlassian');
      return user ? { id: user.accountId, name: user.displayName ?? email } : undefined;
    },

    async listAssignedTo(user, limit, o): Promise<TicketPage> {
      if (!/^[\w:-]{1,128}$/.test(user.id)) return { tickets: [], more: false, total: 0 };
      const page = await search(`assignee = "${user.id}" AND ${scope} AND statusCategory != Done ORDER BY updated DESC`, limit, o);
      return { tickets: page.issues.map(toTicket), more: page.isLast === false || Boolean(page.nextPageToken) };
    },

    urlOf: (_ticketId, number) => `${baseUrl}/browse/${encodeURIComponent(number)}`,

    async ping() {
      await request({ method: 'GET', path: '/rest/api/3/myself', budget: interactiveBudget });
    },
  };
}

