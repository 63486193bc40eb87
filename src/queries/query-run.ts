import { createHash } from 'node:crypto';
import type { Role } from '../access/roles';
import type { Incident, IncidentEntity } from '../incidents/incident';
import type { QueryCatalog, InvestigationQuery } from './catalog';
import { BindingError, bindParameters, composeQuery, type BoundParameters } from './kql-binding';

/**
 * A query to run and answer in Teams: from a card's Investigate menu (a catalog query bound to an
 * entity) or from `kql` (an admin's own text). The query text is final when the request is made:
 * the catalog's KQL with the entity's values bound as `let` statements, checked by the server.
 */
export interface QueryRunPayload {
  source: 'catalog' | 'adhoc';
  /** The catalog query (source catalog). */
  queryId?: string;
  /** What the answer card says it is. */
  title: string;
  incidentName?: string;
  incidentNumber?: number;
  entity?: { id: string; kind: string; name: string };
  /** The bound values, for the audit row. */
  parameters: Record<string, string>;
  /** Exactly what is sent to Log Analytics. */
  query: string;
  /** ISO-8601 duration sent as the API's `timespan`. */
  timespan: string;
  maxRows: number;
  actor: { aadObjectId?: string; name?: string; tenantId?: string };
  role?: Role;
  /** Where the answer goes: the thread of the incident card (or of the `kql` message), or the chat. */
  replyTo: { conversationId: string; parentActivityId?: string };
}

/**
 * What a card button carries as `entityId`: the entity's id, or a short digest of it when the id is
 * long (Sentinel's are ARM ids of ~250 characters; the card has a size limit). The server finds
 * the entity on the stored incident by either.
 */
export function entityRef(entity: Pick<IncidentEntity, 'id'>): string {
  return entity.id.length <= 64 ? entity.id : `h:${createHash('sha256').update(entity.id).digest('hex').slice(0, 24)}`;
}

export function findEntity(incident: Pick<Incident, 'entities'>, ref: string): IncidentEntity | undefined {
  return incident.entities.find((e) => e.id === ref) ?? incident.entities.find((e) => entityRef(e) === ref);
}

/** "24 h", "7 days", "30 min": how a timespan reads on a button. */
export function describeTimespan(ms: number): string {
  const day = 86_400_000;
  if (ms % day === 0 && ms > day) return `${ms / day} days`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

const kindNouns: Record<string, string> = { Host: 'host', Account: 'account', Ip: 'address', Url: 'URL', FileHash: 'file' };

/** The query's title for one entity with its time range: "Process events on FIN-WS-042, last 24 h". */
export function queryLabel(query: InvestigationQuery, entityName: string): string {
  return `${query.definition.title.replace(/\{entity\}/g, entityName)}, last ${describeTimespan(query.timespanMs)}`;
}

/** The button in an entity's Investigate menu, where the entity goes without saying: "Process events on this host, last 24 h". */
export function menuLabel(query: InvestigationQuery): string {
  const kind = query.definition.appliesTo;
  return queryLabel(query, `this ${kindNouns[kind] ?? kind.toLowerCase()}`);
}

/** The query bound to one entity, or why it cannot be. */
export function bindQuery(query: InvestigationQuery, entity: IncidentEntity, incident: Incident, maxRows: number): { text: string; bound: BoundParameters } | { reason: string } {
  if (query.definition.appliesTo !== entity.kind) return { reason: `${query.definition.title} applies to ${query.definition.appliesTo} entities, not ${entity.kind}` };
  try {
    const bound = bindParameters(query.definition, entity, incident);
    return { text: composeQuery(bound.lets, query.definition.kql, maxRows), bound };
  } catch (err) {
    if (err instanceof BindingError) return { reason: err.message };
    throw err;
  }
}

/** Per entity of the incident, the catalog queries that fit it (kind, bindable values) and that `canRun` lets through. */
export function investigateMenus(catalog: QueryCatalog, incident: Incident, canRun: (query: InvestigationQuery) => boolean): Array<{ entity: IncidentEntity; queries: InvestigationQuery[] }> {
  return incident.entities.flatMap((entity) => {
    const queries = catalog.forKind(entity.kind).filter((q) => canRun(q) && 'text' in bindQuery(q, entity, incident, 1));
    return queries.length ? [{ entity, queries }] : [];
  });
}
