import { createHmac, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, startTestServer, type RecordedRequest, type TestServer } from './http-server';

/**
 * A local Jira Service Management site: POST /rest/servicedeskapi/request (+ /comment), the
 * platform API Argus uses (/rest/api/3/issue/{key}, …/transitions, …/assignee, /search/jql,
 * /user/search, /myself), basic auth with email + API token. Answers use Jira's shapes (JSM's
 * request with createdDate/currentStatus/_links; `{"errorMessages": [], "errors": {}}` errors;
 * 204 for transitions and edits). Workflow: Waiting for support (To Do) → In Progress → Resolved
 * (Done). It also plays Jira's webhooks: `webhook(…)` builds the native body and signs it.
 */
export interface JiraStatus {
  id: string;
  name: string;
  category: 'new' | 'indeterminate' | 'done';
}

export const jiraStatuses: Record<string, JiraStatus> = {
  waiting: { id: '10001', name: 'Waiting for support', category: 'new' },
  progress: { id: '3', name: 'In Progress', category: 'indeterminate' },
  resolved: { id: '10002', name: 'Resolved', category: 'done' },
};

const transitions = [
  { id: '11', name: 'Start work', to: 'progress' },
  { id: '21', name: 'Resolve this issue', to: 'resolved' },
  { id: '31', name: 'Reopen', to: 'waiting' },
] as const;

export interface JiraIssue {
  id: string;
  key: string;
  summary: string;
  description: string;
  status: JiraStatus;
  assignee?: JiraUser;
  labels: string[];
  priority: string;
  custom: Record<string, string>;
  created: number;
  updated: number;
  resolution?: string;
  comments: { id: string; body: string; public: boolean; author: string; created: number }[];
}

export interface JiraUser {
  accountId: string;
  displayName: string;
  emailAddress: string;
}

export interface FakeJira extends TestServer {
  baseUrl: string;
  issues: Map<string, JiraIssue>;
  users: JiraUser[];
  credentials: { email: string; token: string };
  serviceDesk: { id: string; requestTypeId: string; projectKey: string };
  failNext(n: number, status: number, retryAfterSeconds?: number): void;
  setDown(down: boolean): void;
  seed(fields: Partial<JiraIssue>): JiraIssue;
  addUser(displayName: string, email: string): JiraUser;
  /** Someone changes the issue in Jira: status and/or assignee. */
  humanChange(key: string, change: { status?: keyof typeof jiraStatuses; assignee?: JiraUser | null }): JiraIssue;
  humanComment(key: string, body: string, author: string): JiraIssue['comments'][number];
  /** Jira's webhook body for the issue now, and its X-Hub-Signature with `secret`. */
  webhook(key: string, event: 'jira:issue_created' | 'jira:issue_updated' | 'comment_created', secret: string, options?: { comment?: JiraIssue['comments'][number]; timestamp?: number }): { body: string; signature: string };
  apiRequests(): RecordedRequest[];
}

function jiraError(res: ServerResponse, status: number, messages: string[], errors: Record<string, string> = {}, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errorMessages: messages, errors }, headers);
}

/** Two statements on purpose: restify (loaded in the same process by Argus) patches writeHead to return nothing. */
function noContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

function jiraTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export async function startFakeJira(): Promise<FakeJira> {
  const issues = new Map<string, JiraIssue>();
  const users: JiraUser[] = [];
  const credentials = { email: 'argus@contoso.com', token: `tok-${randomUUID()}` };
  const serviceDesk = { id: '4', requestTypeId: '52', projectKey: 'SEC' };
  const argusUser: JiraUser = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Argus Integration', emailAddress: credentials.email };
  let failures = { left: 0, status: 0, retryAfter: undefined as number | undefined };
  let down = false;
  let nextId = 10040;
  let nextKey = 1;
  let nextComment = 20000;
  let clock = Date.now();
  const tick = () => (clock = Math.max(clock + 1, Date.now()));

  const byKey = (key: string) => [...issues.values()].find((i) => i.key === key.toUpperCase() || i.id === key);

  function fields(issue: JiraIssue, base: string): Record<string, unknown> {
    return {
      summary: issue.summary,
      description: issue.description,
      status: { self: `${base}/rest/api/3/status/${issue.status.id}`, name: issue.status.name, id: issue.status.id, statusCategory: { key: issue.status.category, name: { new: 'To Do', indeterminate: 'In Progress', done: 'Done' }[issue.status.category] } },
      assignee: issue.assignee ? { accountId: issue.assignee.accountId, displayName: issue.assignee.displayName, emailAddress: issue.assignee.emailAddress, active: true } : null,
      labels: issue.labels,
      priority: { self: `${base}/rest/api/3/priority/3`, iconUrl: `${base}/images/icons/priorities/medium.svg`, name: issue.priority, id: '3' },
      created: jiraTime(issue.created),
      updated: jiraTime(issue.updated),
      resolution: issue.resolution ? { name: issue.resolution } : null,
      ...issue.custom,
    };
  }

  function issueJson(issue: JiraIssue, base: string, only?: string[]): Record<string, unknown> {
    const all = fields(issue, base);
    const picked = only ? Object.fromEntries(only.filter((f) => f in all).map((f) => [f, all[f]])) : all;
    return { expand: 'renderedFields,names,schema,operations', id: issue.id, self: `${base}/rest/api/3/issue/${issue.id}`, key: issue.key, fields: picked };
  }

  /** The JQL Argus sends: clauses joined by AND, then ORDER BY. */
  function matches(issue: JiraIssue, jql: string): boolean {
    const where = jql.split(/\s+ORDER BY\s+/i)[0] ?? '';
    return where.split(/\s+AND\s+/i).every((clause) => {
      let m = /^labels\s*=\s*"([^"]+)"$/.exec(clause.trim());
      if (m) return issue.labels.includes(m[1]!);
      m = /^assignee\s*=\s*"([^"]+)"$/.exec(clause.trim());
      if (m) return issue.assignee?.accountId === m[1];
      m = /^statusCategory\s*!=\s*Done$/i.exec(clause.trim());
      if (m) return issue.status.category !== 'done';
      m = /^cf\[(\d+)\]\s*~\s*"\\"(.+)\\""$/.exec(clause.trim());
      if (m) return (issue.custom[`customfield_${m[1]}`] ?? '').includes(m[2]!);
      m = /^cf\[(\d+)\]\s+IS NOT EMPTY$/i.exec(clause.trim());
      if (m) return Boolean(issue.custom[`customfield_${m[1]}`]);
      throw new Error(`unsupported JQL clause: ${clause}`);
    });
  }

  function authorized(req: RecordedRequest): boolean {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Basic ')) return false;
    return Buffer.from(auth.slice(6), 'base64').toString('utf8') === `${credentials.email}:${credentials.token}`;
  }

  function create(values: Partial<JiraIssue>): JiraIssue {
    const at = tick();
    const issue: JiraIssue = {
      id: String(nextId++), key: `${serviceDesk.projectKey}-${nextKey++}`, summary: '', description: '', status: jiraStatuses.waiting!, labels: [], priority: 'Medium',
      custom: {}, created: at, updated: at, comments: [], ...values,
    };
    issues.set(issue.id, issue);
    return issue;
  }

  function comment(issue: JiraIssue, body: string, isPublic: boolean, author: string) {
    const c = { id: String(nextComment++), body, public: isPublic, author, created: tick() };
    issue.comments.push(c);
    issue.updated = c.created;
    return c;
  }

  const server = await startTestServer((req, res) => {
    const base = `http://127.0.0.1:${server.port}`;
    if (down) return jiraError(res, 503, ['Service Unavailable']);
    if (failures.left > 0) {
      failures.left -= 1;
      const headers: Record<string, string> = failures.retryAfter !== undefined ? { 'retry-after': String(failures.retryAfter) } : {};
      return jiraError(res, failures.status, [failures.status === 429 ? 'Rate limit exceeded.' : 'Internal server error'], {}, headers);
    }
    if (!authorized(req)) return jiraError(res, 401, ['Client must be authenticated to access this resource.']);
    const body = (req.json ?? {}) as Record<string, any>;
    if (req.method === 'GET' && req.path === '/rest/api/3/myself') return sendJson(res, 200, { ...argusUser, accountType: 'atlassian', active: true });
    if (req.method === 'POST' && req.path === '/rest/servicedeskapi/request') {
      if (String(body.serviceDeskId) !== serviceDesk.id || String(body.requestTypeId) !== serviceDesk.requestTypeId)
        return sendJson(res, 400, { errorMessage: 'The request type you are trying to use does not exist.', i18nErrorMessage: { i18nKey: 'sd.request.create.error.rt.not.found', parameters: [] } });
      const v = (body.requestFieldValues ?? {}) as Record<string, unknown>;
      if (typeof v.summary !== 'string' || !v.summary) return sendJson(res, 400, { errorMessage: 'Summary is required.', i18nErrorMessage: { i18nKey: 'sd.request.create.error', parameters: [] } });
      const custom = Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith('customfield_')).map(([k, x]) => [k, String(x)]));
      const issue = create({
        summary: v.summary,
        description: String(v.description ?? ''),
        labels: Array.isArray(v.labels) ? v.labels.map(String) : [],
        priority: (v.priority as { name?: string } | undefined)?.name ?? 'Medium',
        custom,
      });
      const created = { iso8601: jiraTime(issue.created), jira: jiraTime(issue.created), friendly: 'Today', epochMillis: issue.created };
      return sendJson(res, 201, {
        _expands: ['participant', 'status', 'sla', 'requestType', 'serviceDesk', 'attachment', 'action', 'comment'],
        issueId: issue.id,
        issueKey: issue.key,
        requestTypeId: serviceDesk.requestTypeId,
        serviceDeskId: serviceDesk.id,
        createdDate: created,
        reporter: { accountId: argusUser.accountId, emailAddress: argusUser.emailAddress, displayName: argusUser.displayName, active: true, timeZone: 'Etc/UTC', _links: {} },
        requestFieldValues: [{ fieldId: 'summary', label: 'What do you need?', value: issue.summary }],
        currentStatus: { status: issue.status.name, statusCategory: issue.status.category.toUpperCase(), statusDate: created },
        _links: { jiraRest: `${base}/rest/api/2/issue/${issue.id}`, web: `${base}/servicedesk/customer/portal/${serviceDesk.id}/${issue.key}`, self: `${base}/rest/servicedeskapi/request/${issue.id}` },
      });
    }
    let m = /^\/rest\/servicedeskapi\/request\/([^/]+)\/comment$/.exec(req.path);
    if (m && req.method === 'POST') {
      const issue = byKey(decodeURIComponent(m[1]!));
      if (!issue) return sendJson(res, 404, { errorMessage: 'Request does not exist or you do not have permission to see it.', i18nErrorMessage: { i18nKey: 'sd.request.error.not.found', parameters: [] } });
      const c = comment(issue, String(body.body ?? ''), body.public !== false, argusUser.displayName);
      return sendJson(res, 201, { id: c.id, body: c.body, public: c.public, author: { ...argusUser, active: true }, created: { iso8601: jiraTime(c.created), epochMillis: c.created }, _links: { self: `${base}/rest/servicedeskapi/request/${issue.id}/comment/${c.id}` } });
    }
    if (req.method === 'GET' && req.path === '/rest/api/3/search/jql') {
      const jql = req.query.get('jql') ?? '';
      let found: JiraIssue[];
      try {
        found = [...issues.values()].filter((i) => matches(i, jql));
      } catch (err) {
        return jiraError(res, 400, [String((err as Error).message)]);
      }
      if (/ORDER BY updated DESC/i.test(jql)) found.sort((a, b) => b.updated - a.updated);
      else found.sort((a, b) => a.created - b.created);
      const max = Number(req.query.get('maxResults') ?? 50);
      const only = req.query.get('fields')?.split(',');
      const page = found.slice(0, max);
      return sendJson(res, 200, { issues: page.map((i) => issueJson(i, base, only)), ...(found.length > max ? { nextPageToken: randomUUID(), isLast: false } : { isLast: true }) });
    }
    if (req.method === 'GET' && req.path === '/rest/api/3/user/search') {
      const q = (req.query.get('query') ?? '').toLowerCase();
      return sendJson(res, 200, users.filter((u) => u.emailAddress.toLowerCase() === q || u.displayName.toLowerCase().includes(q)).map((u) => ({ ...u, accountType: 'atlassian', active: true })));
    }
    m = /^\/rest\/api\/3\/issue\/([^/]+)(\/transitions|\/assignee)?$/.exec(req.path);
    if (m) {
      const issue = byKey(decodeURIComponent(m[1]!));
      if (!issue) return jiraError(res, 404, ['Issue does not exist or you do not have permission to see it.']);
      const sub = m[2];
      if (!sub && req.method === 'GET') return sendJson(res, 200, issueJson(issue, base, req.query.get('fields')?.split(',')));
      if (!sub && req.method === 'PUT') {
        const name = body.fields?.priority?.name;
        if (name) issue.priority = String(name);
        issue.updated = tick();
        noContent(res);
        return;
      }
      if (sub === '/assignee' && req.method === 'PUT') {
        const user = users.find((u) => u.accountId === body.accountId);
        if (body.accountId && !user) return jiraError(res, 400, [], { accountId: 'User does not exist.' });
        issue.assignee = user;
        issue.updated = tick();
        noContent(res);
        return;
      }
      if (sub === '/transitions' && req.method === 'GET') {
        const available = transitions.filter((t) => jiraStatuses[t.to] !== issue.status);
        return sendJson(res, 200, {
          expand: 'transitions',
          transitions: available.map((t) => {
            const to = jiraStatuses[t.to]!;
            return { id: t.id, name: t.name, to: { self: `${base}/rest/api/3/status/${to.id}`, name: to.name, id: to.id, statusCategory: { key: to.category } }, hasScreen: false, isGlobal: true, isInitial: false, isAvailable: true, isConditional: false, isLooped: false };
          }),
        });
      }
      if (sub === '/transitions' && req.method === 'POST') {
        const t = transitions.find((x) => x.id === String(body.transition?.id));
        if (!t || jiraStatuses[t.to] === issue.status) return jiraError(res, 400, [`Transition id '${String(body.transition?.id)}' is not valid for this issue.`]);
        issue.status = jiraStatuses[t.to]!;
        if (body.fields?.resolution?.name) issue.resolution = String(body.fields.resolution.name);
        issue.updated = tick();
        noContent(res);
        return;
      }
    }
    return jiraError(res, 404, [`No route for ${req.method} ${req.path}`]);
  });

  return {
    ...server,
    baseUrl: server.url,
    issues,
    users,
    credentials,
    serviceDesk,
    failNext(n, status, retryAfterSeconds) {
      failures = { left: n, status, retryAfter: retryAfterSeconds };
    },
    setDown(value) {
      down = value;
    },
    seed: (values) => create(values),
    addUser(displayName, email) {
      const u = { accountId: randomUUID().replace(/-/g, '').slice(0, 24), displayName, emailAddress: email };
      users.push(u);
      return u;
    },
    humanChange(key, change) {
      const issue = byKey(key);
      if (!issue) throw new Error(`no issue ${key}`);
      if (change.status) issue.status = jiraStatuses[change.status]!;
      if (change.assignee !== undefined) issue.assignee = change.assignee ?? undefined;
      issue.updated = tick();
      return issue;
    },
    humanComment(key, body, author) {
      const issue = byKey(key);
      if (!issue) throw new Error(`no issue ${key}`);
      return comment(issue, body, false, author);
    },
    webhook(key, event, secret, options = {}) {
      const issue = byKey(key);
      if (!issue) throw new Error(`no issue ${key}`);
      const base = `http://127.0.0.1:${server.port}`;
      const c = options.comment;
      const payload: Record<string, unknown> = {
        timestamp: options.timestamp ?? tick(),
        webhookEvent: event,
        ...(event === 'comment_created' ? {} : { issue_event_type_name: event === 'jira:issue_created' ? 'issue_created' : 'issue_generic' }),
        user: { self: `${base}/rest/api/2/user?accountId=${argusUser.accountId}`, accountId: 'someone', displayName: 'Service Desk Agent', active: true, accountType: 'atlassian' },
        issue: { id: issue.id, self: `${base}/rest/api/2/issue/${issue.id}`, key: issue.key, fields: fields(issue, base) },
        ...(c ? { comment: { self: `${base}/rest/api/2/issue/${issue.id}/comment/${c.id}`, id: c.id, author: { displayName: c.author, accountId: 'someone', active: true }, body: c.body, updateAuthor: { displayName: c.author }, created: jiraTime(c.created), updated: jiraTime(c.created), jsdPublic: c.public } } : {}),
      };
      const body = JSON.stringify(payload);
      return { body, signature: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` };
    },
    apiRequests: () => server.requests.filter((r) => r.path.startsWith('/rest/')),
  };
}
