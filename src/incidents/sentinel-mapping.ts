import type { z } from 'zod';
import { formatIssuePath } from '../config/load-config';
import type { ErrorDetail } from '../errors/catalog';
import type { Incident, IncidentOwner } from './incident';
import { summarizeAlert, type SentinelAlertSummary } from './sentinel-alerts';
import { toIncidentEntity } from './sentinel-entities';
import {
  sentinelIncidentResourceSchema,
  sentinelTriggerEnvelopeSchema,
  type SentinelIncidentResource,
  type SentinelTriggerEnvelope,
} from './sentinel-schema';

export type { SentinelAlertSummary };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; details: ErrorDetail[] };

export type SentinelEventType = 'created' | 'updated';

/** What changed in an update, from the trigger's `incidentUpdates`, with field names in camelCase. */
export interface SentinelIncidentUpdates {
  /** Every field Sentinel said changed, e.g. `['status', 'owner']`. */
  fields: string[];
  severity?: boolean;
  status?: boolean;
  owner?: boolean;
  alerts?: boolean;
  labels?: boolean;
  tactics?: boolean;
  comments?: boolean;
  title?: boolean;
  description?: boolean;
  classification?: boolean;
  updatedTime?: string;
  updatedBy?: { source?: string; name?: string };
}

export interface SentinelWorkspace {
  subscriptionId?: string;
  resourceGroup?: string;
  workspaceName?: string;
  workspaceId?: string;
}

export interface SentinelWebhook {
  incident: Incident;
  eventType: SentinelEventType;
  eventUniqueId?: string;
  updates?: SentinelIncidentUpdates;
  workspace?: SentinelWorkspace;
  /** The incident's alerts when the payload lists them (the trigger body does, the REST GET does not). */
  alerts: SentinelAlertSummary[];
}

/** At most this many schema problems are reported: enough to fix a payload, small enough to log. */
const maxDetails = 20;

function toDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.slice(0, maxDetails).map((issue) => {
    const path = formatIssuePath(issue.path);
    return path ? { path, message: issue.message } : { message: issue.message };
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const notAnIncident: ErrorDetail = {
  message: 'expected a JSON object: a Sentinel incident trigger body (with `object`) or an incident resource',
};

function unique(values: Iterable<string | null | undefined>): string[] {
  const seen = new Set<string>();
  for (const v of values) if (v) seen.add(v);
  return [...seen];
}

function toOwner(owner: SentinelIncidentResource['properties']['owner']): IncidentOwner | undefined {
  if (!owner) return undefined;
  const result: IncidentOwner = {};
  if (owner.objectId) result.objectId = owner.objectId;
  if (owner.email) result.email = owner.email;
  if (owner.assignedTo) result.assignedTo = owner.assignedTo;
  if (owner.userPrincipalName) result.userPrincipalName = owner.userPrincipalName;
  return Object.keys(result).length > 0 ? result : undefined;
}

function alertsOf(resource: SentinelIncidentResource): SentinelAlertSummary[] {
  const { Alerts, alerts } = resource.properties;
  const list = Alerts && Alerts.length > 0 ? Alerts : (alerts ?? Alerts ?? []);
  return list.map(summarizeAlert);
}

/** Maps a validated incident resource into the Argus incident model. */
export function incidentFromResource(resource: SentinelIncidentResource, alerts = alertsOf(resource)): Incident {
  const p = resource.properties;
  const extra = p.additionalData ?? {};
  const incident: Incident = {
    name: resource.name,
    number: p.incidentNumber,
    title: p.title,
    severity: p.severity,
    status: p.status,
    labels: unique((p.labels ?? []).map((l) => (typeof l === 'string' ? l : l.labelName))),
    tactics: unique([...(extra.tactics ?? []), ...alerts.flatMap((a) => a.tactics)]),
    techniques: unique([...(extra.techniques ?? []), ...alerts.flatMap((a) => a.techniques)]),
    // The list can be empty or cut short (Defender XDR incidents) while the count is right.
    alertCount: Math.max(extra.alertsCount ?? 0, alerts.length),
    alertProducts: unique([...(extra.alertProductNames ?? []), ...alerts.map((a) => a.productName)]),
    entities: (p.relatedEntities ?? []).map(toIncidentEntity),
    lastModifiedTimeUtc: p.lastModifiedTimeUtc,
  };
  if (resource.id) incident.resourceId = resource.id;
  if (p.description) incident.description = p.description;
  if (p.classification) incident.classification = p.classification;
  if (p.classificationReason) incident.classificationReason = p.classificationReason;
  if (p.classificationComment) incident.classificationComment = p.classificationComment;
  const owner = toOwner(p.owner);
  if (owner) incident.owner = owner;
  if (p.incidentUrl) incident.portalUrl = p.incidentUrl;
  if (p.createdTimeUtc) incident.createdTimeUtc = p.createdTimeUtc;
  if (p.firstActivityTimeUtc) incident.firstActivityTimeUtc = p.firstActivityTimeUtc;
  if (p.lastActivityTimeUtc) incident.lastActivityTimeUtc = p.lastActivityTimeUtc;
  if (resource.etag) incident.etag = resource.etag;
  return incident;
}

/** Parses a REST GET/PUT response body into an incident. */
export function parseSentinelIncidentResource(json: unknown): ParseResult<Incident> {
  if (!isPlainObject(json)) return { ok: false, details: [notAnIncident] };
  const parsed = sentinelIncidentResourceSchema.safeParse(json);
  if (!parsed.success) return { ok: false, details: toDetails(parsed.error.issues) };
  return { ok: true, value: incidentFromResource(parsed.data) };
}

const workspaceInId = /\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)/i;

function workspaceOf(envelope: Partial<SentinelTriggerEnvelope>, resourceId?: string | null): SentinelWorkspace | undefined {
  const info = envelope.workspaceInfo;
  const fromId = resourceId ? workspaceInId.exec(resourceId) : null;
  const workspace: SentinelWorkspace = {};
  const subscriptionId = info?.SubscriptionId || fromId?.[1];
  const resourceGroup = info?.ResourceGroupName || fromId?.[2];
  const workspaceName = info?.WorkspaceName || fromId?.[3];
  const workspaceId = envelope.workspaceId || info?.WorkspaceId;
  if (subscriptionId) workspace.subscriptionId = subscriptionId;
  if (resourceGroup) workspace.resourceGroup = resourceGroup;
  if (workspaceName) workspace.workspaceName = workspaceName;
  if (workspaceId) workspace.workspaceId = workspaceId;
  return Object.keys(workspace).length > 0 ? workspace : undefined;
}

const flaggedFields = [
  'severity', 'status', 'owner', 'alerts', 'labels', 'tactics', 'comments', 'title', 'description', 'classification',
] as const;

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function updatesOf(raw: SentinelTriggerEnvelope['incidentUpdates']): SentinelIncidentUpdates | undefined {
  if (!raw) return undefined;
  const changed = new Map<string, boolean>();
  for (const field of raw.updatedFields ?? []) changed.set(camel(field), true);
  // The flag form: `statusUpdated: true`, `ownerUpdated: false`, …
  for (const [key, value] of Object.entries(raw)) {
    const match = /^(.+)Updated$/.exec(key);
    if (match?.[1] && typeof value === 'boolean') changed.set(camel(match[1]), value);
  }
  const updates: SentinelIncidentUpdates = { fields: [...changed].filter(([, v]) => v).map(([k]) => k) };
  for (const field of flaggedFields) {
    const value = changed.get(field);
    if (value !== undefined) updates[field] = value;
  }
  if (raw.updatedTime) updates.updatedTime = raw.updatedTime;
  if (raw.updatedBy) {
    const by: { source?: string; name?: string } = {};
    if (raw.updatedBy.source) by.source = raw.updatedBy.source;
    if (raw.updatedBy.name) by.name = raw.updatedBy.name;
    updates.updatedBy = by;
  }
  return updates;
}

function eventTypeOf(objectEventType: string | null | undefined, incident: Incident): SentinelEventType {
  if (objectEventType) return /^create$/i.test(objectEventType) ? 'created' : 'updated';
  // A bare resource says nothing about the event: only a never-modified incident is new.
  return incident.createdTimeUtc === incident.lastModifiedTimeUtc ? 'created' : 'updated';
}

/**
 * Validates and maps a `POST /api/webhooks/sentinel` body: the Logic App trigger envelope (the
 * incident under `object`) or a bare incident resource. Failing paths are named in `details`.
 */
export function parseSentinelWebhook(body: unknown): ParseResult<SentinelWebhook> {
  if (!isPlainObject(body)) return { ok: false, details: [notAnIncident] };
  if (!('object' in body)) {
    const parsed = sentinelIncidentResourceSchema.safeParse(body);
    if (!parsed.success) return { ok: false, details: toDetails(parsed.error.issues) };
    const alerts = alertsOf(parsed.data);
    const incident = incidentFromResource(parsed.data, alerts);
    const value: SentinelWebhook = { incident, eventType: eventTypeOf(undefined, incident), alerts };
    const workspace = workspaceOf({}, parsed.data.id);
    if (workspace) value.workspace = workspace;
    return { ok: true, value };
  }
  const parsed = sentinelTriggerEnvelopeSchema.safeParse(body);
  if (!parsed.success) return { ok: false, details: toDetails(parsed.error.issues) };
  const envelope = parsed.data;
  const alerts = alertsOf(envelope.object);
  const incident = incidentFromResource(envelope.object, alerts);
  const value: SentinelWebhook = { incident, eventType: eventTypeOf(envelope.objectEventType, incident), alerts };
  if (envelope.eventUniqueId) value.eventUniqueId = envelope.eventUniqueId;
  const updates = updatesOf(envelope.incidentUpdates);
  if (updates) value.updates = updates;
  const workspace = workspaceOf(envelope, envelope.object.id);
  if (workspace) value.workspace = workspace;
  return { ok: true, value };
}
