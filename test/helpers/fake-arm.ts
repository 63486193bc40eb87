import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { decodeFakeToken, hasTokenFor } from './fake-managed-identity';
import { sendJson, startTestServer, type RecordedRequest, type TestServer } from './http-server';
import { fakeAlertRules, type FakeAlertRules } from './fake-arm-alert-rules';

/**
 * A local Azure Resource Manager speaking Sentinel's incident API (Microsoft.SecurityInsights):
 * list/get/put incidents, put comments, runPlaybook. Incidents live in memory; every PUT gives a
 * new etag and a PUT carrying a stale (or no) etag gets ARM's 409 Conflict. Errors use ARM's
 * `{"error": {"code", "message"}}` shape. Requests need a bearer token for the ARM audience.
 */

export const armAudience = 'https://management.azure.com';

export type ArmResource = { id: string; name: string; etag: string; type: string; properties: Record<string, unknown> };

export interface FakeArm extends TestServer {
  /** A `sentinel` config section pointing at this server. */
  config: { subscriptionId: string; resourceGroup: string; workspaceName: string; armEndpoint: string; apiVersion: string };
  /** Path of the incidents collection. */
  incidentsPath: string;
  /** Stored incidents by lower-cased name (ARM names are case-insensitive). */
  incidents: Map<string, ArmResource>;
  comments: ArmResource[];
  playbookRuns: { incident: string; body: unknown }[];
  /** Stores a copy of a REST incident (e.g. a fixture), re-homed into this workspace. */
  seed(resource: object, overrides?: { name?: string; properties?: Record<string, unknown> }): ArmResource;
  /** The next N requests fail with `status` and an ARM error body (Retry-After when given). */
  failNext(n: number, status: number, options?: { retryAfter?: string; code?: string; message?: string }): void;
  /** The next N requests lose their connection before any answer. */
  resetNext(n: number): void;
  /** Someone else writes the incident just before each of the next N PUTs (so those PUTs are stale). */
  modifyBeforeNextPut(n: number, mutate?: (properties: Record<string, unknown>) => void): void;
  /** Sentinel analytics rules (…/alertRules) in this workspace. */
  alertRules: FakeAlertRules;
  /** Largest page the list returns before a nextLink. */
  pageSize: number;
}

const readOnly = ['incidentNumber', 'createdTimeUtc', 'additionalData', 'incidentUrl', 'relatedAnalyticRuleIds'];
const severities = ['High', 'Medium', 'Low', 'Informational'];
const statuses = ['New', 'Active', 'Closed'];

function armError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''));
}

const newEtag = () => `"${randomUUID()}"`;

/** `properties/status ne 'Closed' and properties/severity eq 'High'` → a predicate; undefined if unsupported. */
function parseFilter(filter: string): ((r: ArmResource) => boolean) | undefined {
  const clauses = filter.split(/\s+and\s+/i).map((c) => /^properties\/(status|severity)\s+(eq|ne)\s+'([^']*)'$/i.exec(c.trim()));
  if (clauses.some((c) => !c)) return undefined;
  return (r) =>
    clauses.every((c) => {
      const [, field = '', op = '', value] = c ?? [];
      const equal = r.properties[field.toLowerCase()] === value;
      return op.toLowerCase() === 'eq' ? equal : !equal;
    });
}

export async function startFakeArm(options: { subscriptionId?: string; resourceGroup?: string; workspaceName?: string } = {}): Promise<FakeArm> {
  const subscriptionId = options.subscriptionId ?? 'd0cfe6b2-9ac0-4464-9919-dccaee2e48c0';
  const resourceGroup = options.resourceGroup ?? 'myRg';
  const workspaceName = options.workspaceName ?? 'myWorkspace';
  const incidentsPath =
    `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.OperationalInsights` +
    `/workspaces/${workspaceName}/providers/Microsoft.SecurityInsights/incidents`;
  const incidents = new Map<string, ArmResource>();
  const comments: ArmResource[] = [];
  const playbookRuns: { incident: string; body: unknown }[] = [];
  const alertRules = fakeAlertRules(incidentsPath.replace(/\/incidents$/, ''));
  let failures: { left: number; status: number; retryAfter?: string; code?: string; message?: string } = { left: 0, status: 0 };
  let resets = 0;
  let concurrent: { left: number; mutate: (p: Record<string, unknown>) => void } = { left: 0, mutate: () => {} };
  let nextNumber = 1;
  let baseUrl = '';

  function list(req: RecordedRequest, res: ServerResponse): void {
    const filter = req.query.get('$filter');
    const predicate = filter ? parseFilter(filter) : () => true;
    if (!predicate) return armError(res, 400, 'BadRequest', `Invalid $filter: ${filter}`);
    const orderby = /^properties\/(\w+)(?:\s+(asc|desc))?$/i.exec(req.query.get('$orderby') ?? 'properties/createdTimeUtc asc');
    if (!orderby) return armError(res, 400, 'BadRequest', 'Invalid $orderby');
    const [, key = '', dir] = orderby;
    const sign = dir?.toLowerCase() === 'desc' ? -1 : 1;
    let all = [...incidents.values()].filter(predicate);
    all.sort((a, b) => sign * compare(a.properties[key], b.properties[key]));
    const top = Number(req.query.get('$top') ?? all.length);
    all = all.slice(0, top);
    const skip = Number(req.query.get('$skipToken') ?? 0);
    const page = all.slice(skip, skip + fake.pageSize);
    const body: { value: ArmResource[]; nextLink?: string } = { value: page };
    if (skip + fake.pageSize < all.length) {
      const next = new URLSearchParams(req.query);
      next.set('$skipToken', String(skip + fake.pageSize));
      body.nextLink = `${baseUrl}${req.path}?${next.toString()}`;
    }
    sendJson(res, 200, body);
  }

  function put(req: RecordedRequest, res: ServerResponse, name: string): void {
    const body = req.json as { etag?: string; properties?: Record<string, unknown> } | undefined;
    const props = body?.properties;
    if (!props || typeof props !== 'object') return armError(res, 400, 'BadRequest', 'The request body must contain properties');
    let current = incidents.get(name.toLowerCase());
    if (current && concurrent.left > 0) {
      concurrent.left -= 1;
      concurrent.mutate(current.properties);
      current.properties.lastModifiedTimeUtc = new Date().toISOString();
      current.etag = newEtag();
    }
    if (current && body.etag !== current.etag)
      return armError(res, 409, 'Conflict', `Newer version of resource '${name}' exists. Data was not saved`);
    if (typeof props.title !== 'string' || !props.title) return armError(res, 400, 'BadRequest', "The 'title' property is required");
    if (!severities.includes(props.severity as string)) return armError(res, 400, 'BadRequest', `Invalid severity '${String(props.severity)}'`);
    if (!statuses.includes(props.status as string)) return armError(res, 400, 'BadRequest', `Invalid status '${String(props.status)}'`);
    if (props.status === 'Closed' && !props.classification)
      return armError(res, 400, 'BadRequest', 'Classification is required when closing an incident');
    const now = new Date().toISOString();
    const kept = Object.fromEntries(readOnly.filter((k) => current?.properties[k] !== undefined).map((k) => [k, current?.properties[k]]));
    const properties = { ...props, ...kept, lastModifiedTimeUtc: now };
    if (props.labels !== undefined && !(Array.isArray(props.labels) && props.labels.every((l) => typeof (l as { labelName?: unknown })?.labelName === 'string')))
      return armError(res, 400, 'BadRequest', "Each label needs a 'labelName'");
    // A new incident as Sentinel answers it: numbered, with empty counts and its portal link.
    if (!current)
      Object.assign(properties, {
        createdTimeUtc: now,
        additionalData: { alertsCount: 0, bookmarksCount: 0, commentsCount: 0, alertProductNames: [], tactics: [], techniques: [] },
        relatedAnalyticRuleIds: [],
        incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${incidentsPath}/${name}`,
        ...(props.labels === undefined ? { labels: [] } : {}),
        incidentNumber: nextNumber++,
      });
    const resource: ArmResource = {
      id: `${incidentsPath}/${current?.name ?? name}`,
      name: current?.name ?? name,
      etag: newEtag(),
      type: 'Microsoft.SecurityInsights/Incidents',
      properties,
    };
    incidents.set(name.toLowerCase(), resource);
    sendJson(res, current ? 200 : 201, resource);
  }

  function putComment(req: RecordedRequest, res: ServerResponse, incident: ArmResource, commentId: string): void {
    const message = (req.json as { properties?: { message?: unknown } } | undefined)?.properties?.message;
    if (typeof message !== 'string' || !message) return armError(res, 400, 'BadRequest', "The 'message' property is required");
    const existing = comments.find((c) => c.name === commentId);
    const now = new Date().toISOString();
    const comment: ArmResource = {
      id: `${incident.id}/comments/${commentId}`,
      name: commentId,
      etag: newEtag(),
      type: 'Microsoft.SecurityInsights/Incidents/Comments',
      properties: {
        message,
        createdTimeUtc: existing?.properties.createdTimeUtc ?? now,
        lastModifiedTimeUtc: now,
        author: { objectId: decodeFakeToken(req.headers.authorization)?.oid ?? null, email: null, name: null, userPrincipalName: null },
      },
    };
    if (existing) comments.splice(comments.indexOf(existing), 1, comment);
    else comments.push(comment);
    sendJson(res, existing ? 200 : 201, comment);
  }

  const routes = new RegExp(`^${incidentsPath.replace(/\./g, '\\.')}(?:/([^/]+)(?:/(runPlaybook|comments/([^/]+)))?)?/?$`, 'i');

  const server = await startTestServer((req, res) => {
    if (resets > 0) {
      resets -= 1;
      res.socket?.destroy();
      return;
    }
    const auth = req.headers.authorization;
    if (!auth) return armError(res, 401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    if (!hasTokenFor(auth, armAudience))
      return armError(res, 401, 'InvalidAuthenticationTokenAudience', `The access token has been obtained for wrong audience or resource. It should exactly match ${armAudience}/.`);
    if (!req.query.get('api-version'))
      return armError(res, 400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    if (failures.left > 0) {
      failures.left -= 1;
      const headers: Record<string, string> = failures.retryAfter ? { 'retry-after': failures.retryAfter } : {};
      const code = failures.code ?? (failures.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable');
      return armError(res, failures.status, code, failures.message ?? 'Injected failure', headers);
    }
    if (alertRules.handle(req, res)) return;
    const match = routes.exec(req.path);
    if (!match) return armError(res, 404, 'NotFound', `No route for ${req.method} ${req.path}`);
    const [, rawName, action, rawCommentId] = match;
    if (!rawName) return req.method === 'GET' ? list(req, res) : armError(res, 405, 'MethodNotAllowed', req.method);
    const name = decodeURIComponent(rawName);
    if (!action && req.method === 'PUT') return put(req, res, name);
    const incident = incidents.get(name.toLowerCase());
    if (!incident) return armError(res, 404, 'NotFound', `Incident '${name}' was not found`);
    if (!action && req.method === 'GET') return sendJson(res, 200, incident);
    if (action?.toLowerCase() === 'runplaybook' && req.method === 'POST') {
      const body = req.json as { logicAppsResourceId?: unknown; tenantId?: unknown } | undefined;
      if (typeof body?.logicAppsResourceId !== 'string' || typeof body.tenantId !== 'string')
        return armError(res, 400, 'BadRequest', 'logicAppsResourceId and tenantId are required');
      playbookRuns.push({ incident: incident.name, body });
      res.writeHead(204);
      res.end();
      return;
    }
    if (rawCommentId && req.method === 'PUT') return putComment(req, res, incident, decodeURIComponent(rawCommentId));
    return armError(res, 405, 'MethodNotAllowed', `${req.method} is not supported here`);
  });
  baseUrl = server.url;

  const fake: FakeArm = {
    ...server,
    config: { subscriptionId, resourceGroup, workspaceName, armEndpoint: server.url, apiVersion: '2024-09-01' },
    incidentsPath,
    incidents,
    comments,
    playbookRuns,
    alertRules,
    pageSize: 50,
    seed(resource, overrides = {}) {
      const copy = structuredClone(resource) as ArmResource;
      const name = overrides.name ?? copy.name;
      const stored: ArmResource = {
        ...copy,
        id: `${incidentsPath}/${name}`,
        name,
        etag: copy.etag ?? newEtag(),
        properties: { ...copy.properties, ...overrides.properties },
      };
      incidents.set(name.toLowerCase(), stored);
      return stored;
    },
    failNext(n, status, opts = {}) {
      failures = { left: n, status, ...opts };
    },
    resetNext(n) {
      resets = n;
    },
    modifyBeforeNextPut(n, mutate = (p) => (p.labels = [...(Array.isArray(p.labels) ? p.labels : []), { labelName: 'changed-elsewhere', labelType: 'User' }])) {
      concurrent = { left: n, mutate };
    },
  };
  return fake;
}
