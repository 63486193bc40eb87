import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type { FileConfig } from '../config/file-schema';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import type { Incident } from './incident';
import { applyIncidentChange, validateIncidentChange, type IncidentChange } from './sentinel-change';
import { parseSentinelIncidentResource } from './sentinel-mapping';
import { armErrorDetails, createArmRequester, type ArmResponse, type RetryOptions } from './sentinel-request';

export type { IncidentChange };
export type SentinelConfig = NonNullable<FileConfig['sentinel']>;

/** Sentinel's incident REST API (Microsoft.SecurityInsights/incidents), as Argus uses it. */
export interface SentinelClient {
  /** The incident, with its etag. */
  getIncident(name: string): Promise<Incident>;
  /** Newest first; `openOnly` leaves out closed incidents. */
  listIncidents(opts?: { openOnly?: boolean; top?: number }): Promise<Incident[]>;
  /** Applies the change with optimistic concurrency (re-reads and retries when someone else wrote first). */
  updateIncident(name: string, change: IncidentChange): Promise<Incident>;
  /**
   * Creates incident `name` (a GUID) as New, or answers the incident already under that name, so a
   * retried create makes no second one. `created` is false when it was there before.
   */
  createIncident(name: string, fields: NewIncidentFields): Promise<{ incident: Incident; created: boolean }>;
  /** `id` is the new comment's name (a GUID), `resourceId` its ARM id. */
  /** `id` (a GUID) makes the call idempotent: the same id writes the same comment, not a second one. */
  addComment(name: string, message: string, id?: string): Promise<{ id: string; resourceId?: string }>;
  runPlaybook(name: string, logicAppsResourceId: string, tenantId: string): Promise<void>;
}

/** What a new incident is created with (the PUT body's `properties`; Sentinel sets the number and times). */
export interface NewIncidentFields {
  title: string;
  description?: string;
  severity: Incident['severity'];
  labels: string[];
}

export interface SentinelClientOptions {
  config: SentinelConfig;
  /** DefaultAzureCredential in production (managed identity with Microsoft Sentinel Responder). */
  credential: TokenCredential;
  log?: Logger;
  retry?: Partial<RetryOptions>;
  timeoutMs?: number;
  /** PUT attempts when Sentinel reports a newer version of the incident (409/412). */
  conflictAttempts?: number;
}

/** The ARM audience, also when the endpoint is elsewhere (a local emulator, a proxy). */
export const defaultArmScope = 'https://management.azure.com/.default';
/** Sentinel's limit for one comment. */
export const maxCommentLength = 30_000;
const maxPages = 50;

const incidentNamePattern = /^[0-9A-Za-z][0-9A-Za-z_-]{0,127}$/;
const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const logicAppIdPattern = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Logic\/workflows\/[^/]+$/i;

function badRequest(path: string, message: string): ArgusError {
  return new ArgusError('ARGUS_BAD_REQUEST', message, { details: [{ path, message }] });
}

/** Names go into the URL path: only the characters Sentinel uses, so no path can be smuggled in. */
function checkName(name: string): string {
  if (!incidentNamePattern.test(name)) throw badRequest('name', 'not a Sentinel incident name');
  return name;
}

/** Bearer tokens go over TLS; plain http only to this machine (local emulators). */
export function checkEndpoint(endpoint: string): URL {
  const url = new URL(endpoint);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new ArgusError('ARGUS_CONFIG_INVALID', 'sentinel.armEndpoint must be https', {
      details: [{ path: 'sentinel.armEndpoint', message: 'must be https (http only for loopback)' }],
    });
  return url;
}

/** The workspace's `…/providers/Microsoft.SecurityInsights` URL (incidents, alert rules, … hang below it). */
export function securityInsightsUrl(config: SentinelConfig): string {
  const endpoint = checkEndpoint(config.armEndpoint);
  return (
    `${endpoint.origin}${endpoint.pathname.replace(/\/$/, '')}/subscriptions/${encodeURIComponent(config.subscriptionId)}` +
    `/resourceGroups/${encodeURIComponent(config.resourceGroup)}/providers/Microsoft.OperationalInsights` +
    `/workspaces/${encodeURIComponent(config.workspaceName)}/providers/Microsoft.SecurityInsights`
  );
}

function failure(res: ArmResponse, what: string): ArgusError {
  const details = armErrorDetails(res.status, res.data, 'sentinel');
  if (res.status === 404) return new ArgusError('ARGUS_NOT_FOUND', `Sentinel has no ${what}`, { details });
  return new ArgusError('ARGUS_DEPENDENCY_FAILED', `Sentinel refused ${what} (${res.status})`, { details });
}

function toIncident(data: unknown): Incident {
  const parsed = parseSentinelIncidentResource(data);
  if (!parsed.ok)
    throw new ArgusError('ARGUS_DEPENDENCY_FAILED', 'Sentinel returned an incident Argus cannot read', { details: parsed.details });
  return parsed.value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function createSentinelClient(options: SentinelClientOptions): SentinelClient {
  const { config, log } = options;
  const endpoint = checkEndpoint(config.armEndpoint);
  const apiVersion = config.apiVersion;
  const conflictAttempts = options.conflictAttempts ?? 3;
  const base = `${securityInsightsUrl(config)}/incidents`;
  const request = createArmRequester({
    credential: options.credential,
    scope: config.armScope ?? defaultArmScope,
    peer: 'sentinel',
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(log ? { log } : {}),
  });
  const url = (path: string, query: Record<string, string> = {}) =>
    `${base}${path}?${new URLSearchParams({ 'api-version': apiVersion, ...query }).toString()}`;
  const incidentPath = (name: string) => `/${encodeURIComponent(checkName(name))}`;

  /** The incident exactly as Sentinel returned it: a PUT sends back what Argus does not change. */
  async function readRaw(name: string): Promise<{ raw: Record<string, unknown>; properties: Record<string, unknown> }> {
    const res = await request({ method: 'GET', url: url(incidentPath(name)) });
    if (res.status !== 200) throw failure(res, `incident ${name}`);
    toIncident(res.data); // validates the shape before anything is written back
    const raw = res.data as Record<string, unknown>;
    return { raw, properties: isRecord(raw.properties) ? raw.properties : {} };
  }

  return {
    async getIncident(name) {
      const res = await request({ method: 'GET', url: url(incidentPath(name)) });
      if (res.status !== 200) throw failure(res, `incident ${name}`);
      return toIncident(res.data);
    },

    async listIncidents(opts = {}) {
      const top = opts.top;
      if (top !== undefined && (!Number.isInteger(top) || top < 1 || top > 1000))
        throw badRequest('top', 'top must be an integer from 1 to 1000');
      const query: Record<string, string> = { $orderby: 'properties/createdTimeUtc desc' };
      if (opts.openOnly) query.$filter = "properties/status ne 'Closed'";
      if (top !== undefined) query.$top = String(top);
      const incidents: Incident[] = [];
      let next: string | undefined = url('', query);
      for (let page = 0; next && page < maxPages; page += 1) {
        const res = await request({ method: 'GET', url: next });
        if (res.status !== 200) throw failure(res, 'the incident list');
        const body = isRecord(res.data) ? res.data : {};
        for (const item of Array.isArray(body.value) ? body.value : []) {
          const parsed = parseSentinelIncidentResource(item);
          if (parsed.ok) incidents.push(parsed.value);
          else log?.warn({ details: parsed.details }, 'Sentinel listed an incident Argus cannot read; skipped');
        }
        if (top !== undefined && incidents.length >= top) return incidents.slice(0, top);
        next = typeof body.nextLink === 'string' ? body.nextLink : undefined;
        // The token goes wherever nextLink points: only ever to the configured ARM endpoint.
        if (next && new URL(next).origin !== endpoint.origin)
          throw new ArgusError('ARGUS_DEPENDENCY_FAILED', 'Sentinel sent a nextLink to another host', {
            details: [{ path: 'nextLink', message: `not on ${endpoint.origin}` }],
          });
      }
      return incidents;
    },

    async updateIncident(name, change) {
      const valid = validateIncidentChange(change);
      checkName(name);
      for (let attempt = 1; attempt <= conflictAttempts; attempt += 1) {
        const { raw, properties } = await readRaw(name);
        // Sentinel's optimistic concurrency: the etag travels in the body; a stale one is a 409.
        const body = { etag: raw.etag, properties: applyIncidentChange(properties, valid) };
        const res = await request({ method: 'PUT', url: url(incidentPath(name)), body });
        if (res.status === 200 || res.status === 201) return toIncident(res.data);
        if (res.status !== 409 && res.status !== 412) throw failure(res, `the update of incident ${name}`);
        log?.info({ incident: name, attempt, status: res.status }, 'Sentinel has a newer version of the incident; re-reading');
      }
      throw new ArgusError('ARGUS_CONFLICT', `Incident ${name} kept changing in Sentinel; try again`, {
        details: [{ path: 'etag', message: `newer version reported ${conflictAttempts} times` }],
      });
    },

    async createIncident(name, fields) {
      const path = incidentPath(name);
      const found = await request({ method: 'GET', url: url(path) });
      if (found.status === 200) return { incident: toIncident(found.data), created: false };
      if (found.status !== 404) throw failure(found, `incident ${name}`);
      const labels = fields.labels.map((labelName) => ({ labelName, labelType: 'User' }));
      const properties = { title: fields.title, ...(fields.description ? { description: fields.description } : {}), severity: fields.severity, status: 'New', labels };
      const res = await request({ method: 'PUT', url: url(path), body: { properties } });
      if (res.status === 200 || res.status === 201) return { incident: toIncident(res.data), created: true };
      // Another writer made it between the GET and the PUT (or a retried PUT landed twice): it is there now.
      if (res.status === 409 || res.status === 412) return { incident: toIncident((await readRaw(name)).raw), created: false };
      throw failure(res, `the creation of incident ${name}`);
    },

    async addComment(name, message, commentId) {
      if (typeof message !== 'string' || message.trim() === '') throw badRequest('message', 'the comment is empty');
      if (message.length > maxCommentLength) throw badRequest('message', `the comment is longer than ${maxCommentLength} characters`);
      // One id per comment, chosen once: a retried PUT lands on the same comment instead of adding a second.
      if (commentId !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(commentId))
        throw badRequest('id', 'a comment id must be a GUID');
      const id = commentId ?? randomUUID();
      const res = await request({
        method: 'PUT',
        url: url(`${incidentPath(name)}/comments/${id}`),
        body: { properties: { message } },
      });
      if (res.status !== 200 && res.status !== 201) throw failure(res, `a comment on incident ${name}`);
      const data = isRecord(res.data) ? res.data : {};
      const result: { id: string; resourceId?: string } = { id: typeof data.name === 'string' ? data.name : id };
      if (typeof data.id === 'string') result.resourceId = data.id;
      return result;
    },

    async runPlaybook(name, logicAppsResourceId, tenantId) {
      if (!logicAppIdPattern.test(logicAppsResourceId))
        throw badRequest('logicAppsResourceId', 'must be a Logic App resource id (/subscriptions/…/providers/Microsoft.Logic/workflows/…)');
      if (!guidPattern.test(tenantId)) throw badRequest('tenantId', 'must be a GUID');
      const res = await request({
        method: 'POST',
        url: url(`${incidentPath(name)}/runPlaybook`),
        body: { logicAppsResourceId, tenantId },
        idempotent: false,
      });
      if (res.status < 200 || res.status > 299) throw failure(res, `running a playbook on incident ${name}`);
    },
  };
}
