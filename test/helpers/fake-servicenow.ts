import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, startTestServer, type RecordedRequest, type TestServer } from './http-server';
import { parseEncodedQuery } from './servicenow-encoded-query';

/**
 * A local ServiceNow instance speaking the Table API subset Argus uses: GET/POST/PATCH
 * /api/now/table/incident (encoded queries with ^, ^OR, ORDERBY/ORDERBYDESC, ^^ for a literal ^ in a value; sysparm_fields,
 * sysparm_display_value, sysparm_limit; X-Total-Count), GET /api/now/table/sys_user, and
 * /oauth_token.do (client credentials). Answers use ServiceNow's shapes: `{"result": …}`, errors as
 * `{"error": {"message", "detail"}, "status": "failure"}`; a resolve without close_code fails the
 * data policy (403) as on a real instance. It also plays the business rule: `callbackFor` builds
 * the body infra/itsm/servicenow/argus-callback.js sends.
 */
export interface SnRecord {
  sys_id: string;
  number: string;
  short_description: string;
  description: string;
  state: string;
  urgency: string;
  impact: string;
  /** Calculated from impact and urgency, as the instance's priority lookup rules do. */
  priority: string;
  assigned_to: string;
  assignment_group: string;
  caller_id: string;
  correlation_id: string;
  correlation_display: string;
  close_code: string;
  close_notes: string;
  sys_created_on: string;
  sys_updated_on: string;
  sys_mod_count: string;
  /** Work notes, newest last: the journal. */
  journal: { at: string; by: string; text: string }[];
}

export interface SnUser {
  sys_id: string;
  name: string;
  email: string;
  user_name: string;
}

export interface FakeServiceNow extends TestServer {
  instanceUrl: string;
  records: Map<string, SnRecord>;
  users: SnUser[];
  /** Credentials it accepts. */
  credentials: { username: string; password: string; clientId: string; clientSecret: string };
  tokensIssued: number;
  /** Every OAuth token issued so far stops working (as when it expires). */
  revokeTokens(): void;
  /** The next `n` API requests answer `status` (429 with Retry-After when given). */
  failNext(n: number, status: number, retryAfterSeconds?: number): void;
  /** While down, every request answers 503 (an instance under maintenance). */
  setDown(down: boolean): void;
  /** The next create is stored but its connection is dropped before any answer (a crash or timeout after create). */
  dropNextCreate(): void;
  seed(fields: Partial<SnRecord>): SnRecord;
  addUser(name: string, email: string): SnUser;
  /** Someone changes the record in ServiceNow (as the UI would): bumps sys_mod_count, adds a work note. */
  humanUpdate(sysId: string, change: { state?: string; assignedTo?: string; workNote?: string; by?: string }): SnRecord;
  /** The business rule's callback body for the record's current version. */
  callbackFor(sysId: string, options?: { workNote?: boolean }): Record<string, string>;
  apiRequests(): RecordedRequest[];
}

const table = '/api/now/table/incident';
const closedStates = new Set(['6', '7', '8']);
const refFields = new Set(['assigned_to', 'assignment_group', 'caller_id']);
const stateLabels: Record<string, string> = { '1': 'New', '2': 'In Progress', '3': 'On Hold', '6': 'Resolved', '7': 'Closed', '8': 'Canceled' };
const priorityLabels: Record<string, string> = { '1': '1 - Critical', '2': '2 - High', '3': '3 - Moderate', '4': '4 - Low', '5': '5 - Planning' };

/** The out-of-the-box priority lookup: impact 1 + urgency 1 → 1 - Critical … 3 + 3 → 5 - Planning. */
const priorityOf = (impact: string, urgency: string) => String(Math.min(5, Math.max(1, Number(impact) + Number(urgency) - 1 || 5)));

function snTime(d = new Date()): string {
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

function snError(res: ServerResponse, status: number, message: string, detail: string | null, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, detail }, status: 'failure' }, headers);
}

export async function startFakeServiceNow(options: { auth?: 'basic' | 'oauth' } = {}): Promise<FakeServiceNow> {
  const records = new Map<string, SnRecord>();
  const users: SnUser[] = [];
  const credentials = { username: 'argus.integration', password: `pw-${randomUUID()}`, clientId: 'argus-client', clientSecret: `cs-${randomUUID()}` };
  const tokens = new Map<string, number>();
  let failures = { left: 0, status: 0, retryAfter: undefined as number | undefined };
  let down = false;
  let dropCreate = false;
  let nextNumber = 10001;
  let tokensIssued = 0;

  const sysId = () => randomBytes(16).toString('hex');
  /** A record with the instance's defaults; priority follows impact and urgency unless given. */
  function newRecord(fields: Partial<SnRecord>): SnRecord {
    const now = snTime();
    const r: SnRecord = {
      sys_id: sysId(), number: `INC${String(nextNumber++).padStart(7, '0')}`, short_description: 'Seeded', description: '', state: '1', urgency: '3', impact: '3', priority: '',
      assigned_to: '', assignment_group: '', caller_id: '', correlation_id: '', correlation_display: '', close_code: '', close_notes: '',
      sys_created_on: now, sys_updated_on: now, sys_mod_count: '0', journal: [], ...fields,
    };
    r.priority ||= priorityOf(r.impact, r.urgency);
    return r;
  }
  const userName = (id: string) => users.find((u) => u.sys_id === id)?.name ?? '';

  function valueOf(r: SnRecord, field: string): string {
    if (field === 'active') return closedStates.has(r.state) ? 'false' : 'true';
    if (field.includes('.')) {
      const [ref, sub] = field.split('.');
      const u = users.find((x) => x.sys_id === (r as unknown as Record<string, string>)[ref!]);
      return u ? String((u as unknown as Record<string, string>)[sub!] ?? '') : '';
    }
    return String((r as unknown as Record<string, unknown>)[field] ?? '');
  }

  function render(r: SnRecord | SnUser, fields: string[] | undefined, display: string, excludeLinks: boolean, baseUrl: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const all = Object.keys(r).filter((k) => k !== 'journal');
    for (const f of fields ?? all) {
      const value = String((r as unknown as Record<string, unknown>)[f] ?? '');
      const shown = f === 'state' ? (stateLabels[value] ?? value) : f === 'priority' ? (priorityLabels[value] ?? value) : refFields.has(f) ? userName(value) : value;
      const link = refFields.has(f) && value && !excludeLinks ? { link: `${baseUrl}/api/now/table/sys_user/${value}` } : {};
      if (display === 'all') out[f] = refFields.has(f) ? { display_value: shown, value, ...link } : { display_value: shown, value };
      else if (display === 'true') out[f] = refFields.has(f) && !excludeLinks && value ? { display_value: shown, ...link } : shown;
      else out[f] = refFields.has(f) && !excludeLinks && value ? { value, ...link } : value;
    }
    return out;
  }

  function authorized(req: RecordedRequest): boolean {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Basic ')) {
      const [u, p] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      return options.auth !== 'oauth' && u === credentials.username && p === credentials.password;
    }
    if (auth.startsWith('Bearer ')) return (tokens.get(auth.slice(7)) ?? 0) > Date.now();
    return false;
  }

  function apply(r: SnRecord, body: Record<string, unknown>, by: string): string | undefined {
    const next = { ...r };
    for (const [k, v] of Object.entries(body)) {
      if (k === 'work_notes') continue;
      if (k in next && k !== 'sys_id' && k !== 'number' && k !== 'journal') (next as unknown as Record<string, string>)[k] = String(v);
    }
    next.priority = priorityOf(next.impact, next.urgency);
    if (next.state === '6' && r.state !== '6' && (!next.close_code || !next.close_notes))
      return `Data Policy Exception: \n ${!next.close_code ? 'Resolution code' : 'Resolution notes'} is mandatory\n`;
    Object.assign(r, next);
    if (typeof body.work_notes === 'string' && body.work_notes) r.journal.push({ at: snTime(), by, text: body.work_notes });
    r.sys_mod_count = String(Number(r.sys_mod_count) + 1);
    r.sys_updated_on = snTime();
    return undefined;
  }

  const server = await startTestServer((req, res) => {
    const base = `http://127.0.0.1:${server.port}`;
    if (down) return snError(res, 503, 'Service Unavailable', 'The instance is unavailable');
    if (req.method === 'POST' && req.path === '/oauth_token.do') {
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== credentials.clientId || form.get('client_secret') !== credentials.clientSecret)
        return sendJson(res, 401, { error_description: 'access_denied', error: 'server_error' });
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, Date.now() + 1799_000);
      tokensIssued += 1;
      return sendJson(res, 200, { access_token: token, scope: 'useraccount', token_type: 'Bearer', expires_in: 1799 });
    }
    if (failures.left > 0) {
      failures.left -= 1;
      const headers: Record<string, string> = failures.retryAfter !== undefined ? { 'retry-after': String(failures.retryAfter) } : {};
      return snError(res, failures.status, failures.status === 429 ? 'Rate limit exceeded' : 'Internal error', null, headers);
    }
    if (!authorized(req)) return snError(res, 401, 'User Not Authenticated', 'Required to provide Auth information');
    const display = req.query.get('sysparm_display_value') ?? 'false';
    const excludeLinks = req.query.get('sysparm_exclude_reference_link') === 'true';
    const fields = req.query.get('sysparm_fields')?.split(',').filter(Boolean);
    const m = /^\/api\/now\/table\/(incident|sys_user)(?:\/([0-9a-f]{32}))?$/.exec(req.path);
    if (!m) return snError(res, 400, 'Invalid table', `no such table path ${req.path}`);
    const [, tableName, id] = m;
    const collection: Array<SnRecord | SnUser> = tableName === 'incident' ? [...records.values()] : users;

    if (req.method === 'GET' && !id) {
      let parsed;
      try {
        parsed = parseEncodedQuery(req.query.get('sysparm_query') ?? '');
      } catch (err) {
        return snError(res, 400, 'Invalid query', String(err));
      }
      let rows = collection.filter((r) =>
        parsed.groups.every((g) =>
          g.some((c) => {
            const v = tableName === 'incident' ? valueOf(r as SnRecord, c.field) : String((r as unknown as Record<string, string>)[c.field] ?? (c.field === 'active' ? 'true' : ''));
            return c.op === '=' ? v === c.value : c.op === '!=' ? v !== c.value : v.includes(c.value);
          }),
        ),
      );
      if (parsed.order) {
        const { field, desc } = parsed.order;
        rows = [...rows].sort((a, b) => String((a as unknown as Record<string, string>)[field]).localeCompare(String((b as unknown as Record<string, string>)[field])) * (desc ? -1 : 1));
      }
      const offset = Number(req.query.get('sysparm_offset') ?? 0);
      const limit = Number(req.query.get('sysparm_limit') ?? 10_000);
      const page = rows.slice(offset, offset + limit);
      return sendJson(res, 200, { result: page.map((r) => render(r, fields, display, excludeLinks, base)) }, { 'x-total-count': String(rows.length) });
    }
    if (tableName !== 'incident') return snError(res, 405, 'Method not Supported', 'only GET on sys_user');
    if (req.method === 'GET' && id) {
      const r = records.get(id);
      return r ? sendJson(res, 200, { result: render(r, fields, display, excludeLinks, base) }) : snError(res, 404, 'No Record found', 'Record doesn\'t exist or ACL restricts the record retrieval');
    }
    const body = (req.json ?? {}) as Record<string, unknown>;
    if (req.method === 'POST' && !id) {
      const r = newRecord({ short_description: '' });
      for (const [k, v] of Object.entries(body)) if (k in r && k !== 'journal' && k !== 'sys_id' && k !== 'number') (r as unknown as Record<string, string>)[k] = String(v);
      r.priority = priorityOf(r.impact, r.urgency);
      records.set(r.sys_id, r);
      if (dropCreate) {
        dropCreate = false;
        res.socket?.destroy();
        return;
      }
      return sendJson(res, 201, { result: render(r, fields, display, excludeLinks, base) }, { location: `${base}${table}/${r.sys_id}` });
    }
    if (req.method === 'PATCH' && id) {
      const r = records.get(id);
      if (!r) return snError(res, 404, 'No Record found', 'Record doesn\'t exist or ACL restricts the record retrieval');
      const problem = apply(r, body, 'Argus Integration');
      if (problem) return snError(res, 403, 'Operation Failed', problem);
      return sendJson(res, 200, { result: render(r, fields, display, excludeLinks, base) });
    }
    return snError(res, 405, 'Method not Supported', `${req.method} is not supported here`);
  });

  return {
    ...server,
    instanceUrl: server.url,
    records,
    users,
    credentials,
    get tokensIssued() {
      return tokensIssued;
    },
    failNext(n, status, retryAfterSeconds) {
      failures = { left: n, status, retryAfter: retryAfterSeconds };
    },
    revokeTokens() {
      tokens.clear();
    },
    setDown(value) {
      down = value;
    },
    dropNextCreate() {
      dropCreate = true;
    },
    seed(fields) {
      const r = newRecord(fields);
      records.set(r.sys_id, r);
      return r;
    },
    addUser(name, email) {
      const u = { sys_id: sysId(), name, email, user_name: email.split('@')[0] ?? email };
      users.push(u);
      return u;
    },
    humanUpdate(id, change) {
      const r = records.get(id);
      if (!r) throw new Error(`no record ${id}`);
      const body: Record<string, unknown> = {};
      if (change.state) body.state = change.state;
      if (change.state === '6') Object.assign(body, { close_code: 'Solution provided', close_notes: 'Fixed by the service desk' });
      if (change.assignedTo !== undefined) body.assigned_to = change.assignedTo;
      if (change.workNote) body.work_notes = change.workNote;
      const problem = apply(r, body, change.by ?? 'Service Desk Agent');
      if (problem) throw new Error(problem);
      return r;
    },
    callbackFor(id, opts = {}) {
      const r = records.get(id);
      if (!r) throw new Error(`no record ${id}`);
      const last = r.journal[r.journal.length - 1];
      return {
        sys_id: r.sys_id,
        number: r.number,
        state: r.state,
        assigned_to: userName(r.assigned_to),
        work_notes: opts.workNote && last ? `${last.at} - ${last.by} (Work notes)\n${last.text}` : '',
        correlation_id: r.correlation_id,
        sys_updated_on: r.sys_updated_on,
        sys_mod_count: r.sys_mod_count,
      };
    },
    apiRequests: () => server.requests.filter((r) => r.path.startsWith('/api/now/')),
  };
}
