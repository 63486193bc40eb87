import { createHash } from 'node:crypto';
import type { Incident, IncidentEntity } from '../incidents/incident';
import { runsPerEntity, type Playbook, type RunEntity } from './playbook';

/** A button on the incident card: a playbook, and the entity it would act on. */
export interface PlaybookOffer {
  playbook: Playbook;
  /** Absent for per-incident (Sentinel) playbooks. */
  entity?: RunEntity;
  label: string;
}

export type Applicability = { ok: true } | { ok: false; reason: string };

const norm = (s: string) => s.replace(/[\s_-]/g, '').toLowerCase();

function overlaps(wanted: readonly string[] | undefined, have: readonly string[]): boolean {
  if (!wanted) return true;
  const set = new Set(have.map(norm));
  return wanted.some((w) => set.has(norm(w)));
}

/** Why `playbook` may or may not run on `incident` (the same rules decide buttons and requests). */
export function playbookApplies(playbook: Playbook, incident: Incident): Applicability {
  const d = playbook.definition;
  if (playbook.unavailable) return { ok: false, reason: `${d.title} cannot run here: ${playbook.unavailable}.` };
  if (incident.status === 'Closed') return { ok: false, reason: 'The incident is closed.' };
  if (!incident.entities.some((e) => e.kind === d.actsOn))
    return { ok: false, reason: `${d.title} acts on ${d.actsOn} entities; this incident has none.` };
  const a = d.appliesTo;
  if (a.severities && !a.severities.includes(incident.severity))
    return { ok: false, reason: `${d.title} applies to ${a.severities.join('/')} incidents; this one is ${incident.severity}.` };
  if (!overlaps(a.tactics, incident.tactics)) return { ok: false, reason: `${d.title} applies to incidents with tactics ${a.tactics?.join(', ')}.` };
  if (!overlaps(a.alertProducts, incident.alertProducts))
    return { ok: false, reason: `${d.title} applies to alerts from ${a.alertProducts?.join(', ')}.` };
  return { ok: true };
}

/** The entities of `kind` in the incident, each once. */
export function entitiesOfKind(incident: Incident, kind: string): IncidentEntity[] {
  const seen = new Set<string>();
  return incident.entities.filter((e) => e.kind === kind && !seen.has(e.id) && seen.add(e.id));
}

function prop(entity: IncidentEntity, key: string): string | undefined {
  const v = entity.properties[key];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** The name a button shows: the host name rather than its FQDN, the account name rather than its UPN. */
export function shortEntityName(entity: RunEntity & { properties?: Record<string, unknown> }): string {
  const full = entity as IncidentEntity;
  if (full.properties) {
    if (entity.kind === 'Host') return prop(full, 'hostName') ?? prop(full, 'netBiosName') ?? entity.displayName;
    if (entity.kind === 'Account') return prop(full, 'accountName') ?? entity.displayName;
  }
  return entity.displayName;
}

export function offerLabel(playbook: Playbook, entityName: string): string {
  const template = playbook.definition.label;
  return template ? template.replace(/\{entity\}/g, entityName) : `${playbook.definition.title} ${entityName}`;
}

/** One offer per entity acted on (HTTP targets), or one for the incident (Sentinel targets). */
export function offersFor(playbook: Playbook, incident: Incident): PlaybookOffer[] {
  if (!playbookApplies(playbook, incident).ok) return [];
  const entities = entitiesOfKind(incident, playbook.definition.actsOn);
  if (!runsPerEntity(playbook)) {
    const kind = playbook.definition.actsOn;
    const what = entities.length === 1 && entities[0] ? shortEntityName(entities[0]) : `${entities.length} ${kind} entities`;
    return [{ playbook, label: offerLabel(playbook, what) }];
  }
  return entities.map((e) => ({
    playbook,
    entity: { kind: e.kind, id: e.id, displayName: e.displayName },
    label: offerLabel(playbook, shortEntityName(e)),
  }));
}

/** Key of "this playbook on this entity of this incident": one run at a time per key. */
export function entityKey(entity: Pick<RunEntity, 'id'> | undefined): string {
  return entity ? createHash('sha256').update(entity.id).digest('hex').slice(0, 24) : 'incident';
}
