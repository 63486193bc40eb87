import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log';
import { ArgusError } from '../errors/catalog';
import type { CardPublisher } from './card-publisher';
import type { Incident, IncidentEntity, Severity } from './incident';
import type { IncidentRepository } from './incident-repository';

/** What a new incident starts with. */
export interface IncidentDraft {
  /**
   * The incident's name, a GUID the caller chose: creating the same name again answers the
   * incident already made, so a retried create makes no second one. Absent: a new GUID.
   */
  name?: string;
  title: string;
  description?: string;
  severity: Severity;
  labels: string[];
  /** Entities known from the start (kept by Argus; Sentinel's API takes none on a new incident). */
  entities?: IncidentEntity[];
  /** Alerts it starts with and the products they came from (an Argus incident's Alerts fact). */
  alertCount?: number;
  alertProducts?: string[];
  /** Who asked (an analyst); absent: Argus itself. */
  requestedBy?: { aadObjectId?: string; name?: string; tenantId?: string };
  /** What made it, for the audit row, e.g. `triage.escalate`. */
  reason: string;
  correlationId?: string;
}

/** The incident made (or found under the draft's name). */
export interface CreatedIncident {
  name: string;
  number: number;
}

/**
 * Makes incidents: in Sentinel through its REST API when `sentinel` is configured
 * (sentinel-incident-creator.ts), else in Argus alone (argus-incident-creator.ts). Either way the
 * incident is stored in the incident repository and its card published through the routing rules.
 */
export interface IncidentCreator {
  /** Where incidents are made: cards say "Microsoft Sentinel" or "Argus". */
  readonly source: 'sentinel' | 'argus';
  create(draft: IncidentDraft): Promise<CreatedIncident>;
}

export interface CreatorDeps {
  incidents: Pick<IncidentRepository, 'get' | 'save'>;
  publisher: Pick<CardPublisher, 'publish'>;
  audit: Pick<AuditLog, 'append'>;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The draft's name, checked, or a new GUID. */
export function draftName(draft: IncidentDraft): string {
  if (draft.name === undefined) return randomUUID();
  if (!guidPattern.test(draft.name)) throw new ArgusError('ARGUS_BAD_REQUEST', 'an incident name must be a GUID', { details: [{ path: 'name', message: 'not a GUID' }] });
  return draft.name.toLowerCase();
}

/** The audit row's actor: the person who asked, or Argus itself under `fallback`. */
export function auditActor(by: IncidentDraft['requestedBy'], fallback: string): { actorId?: string; actorName: string; actorTenantId?: string } {
  return { actorId: by?.aadObjectId, actorName: by?.name ?? fallback, actorTenantId: by?.tenantId };
}

/**
 * Stores a new incident unless a record is already there (a retry, or the Sentinel webhook got
 * there first), audits the creation when this call made it, and publishes its card.
 */
export async function storeAndPublish(deps: CreatorDeps, incident: Incident, draft: IncidentDraft, made: boolean): Promise<CreatedIncident> {
  const existing = await deps.incidents.get(incident.name);
  const stored = existing ? undefined : await deps.incidents.save({ incident }, undefined);
  if (made || stored) {
    await deps.audit.append({
      action: 'incident.create',
      outcome: 'succeeded',
      ...auditActor(draft.requestedBy, 'argus'),
      target: incident.name,
      correlationId: draft.correlationId,
      detail: { number: incident.number, title: incident.title.slice(0, 200), severity: incident.severity, reason: draft.reason },
    });
  }
  const record = existing ?? (await deps.incidents.get(incident.name));
  await deps.publisher.publish(incident.name, undefined, record);
  const number = record?.incident.number ?? incident.number;
  return { name: incident.name, number };
}

/** A failed creation, audited before the error goes on (the caller's event is retried). */
export async function auditFailure(deps: Pick<CreatorDeps, 'audit'>, name: string, draft: IncidentDraft, err: unknown): Promise<never> {
  await deps.audit.append({
    action: 'incident.create',
    outcome: 'failed',
    ...auditActor(draft.requestedBy, 'argus'),
    target: name,
    correlationId: draft.correlationId,
    detail: { reason: draft.reason, error: err instanceof Error ? err.message.slice(0, 300) : String(err), code: (err as { code?: unknown }).code ?? null },
  });
  throw err;
}
