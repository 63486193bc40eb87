import type { AuditLog, AuditRecord } from '../audit/audit-log';
import type { Incident } from '../incidents/incident';
import type { EvidenceLookup } from './evidence-port';
import { phaseTitles, type Phase } from './phases';
import type { ResponseState } from './response-store';
import { attackChain, buildTimeline, type AttackColumn, type TimelineAlert, type TimelineEntry, type TimelineEvent, type TimelineKind } from './timeline';

/**
 * Where the timeline's entries come from: the incident itself (its alerts' times, tactics and
 * techniques, its entities), alerts escalated into it, the response state (phase history, plan
 * steps), the audit trail (every action whose target is the incident) and the evidence registry.
 */
export interface TimelinePorts {
  audit: Pick<AuditLog, 'query'>;
  evidence: Pick<EvidenceLookup, 'listFor'>;
  response: { load(incidentId: string): Promise<ResponseState> };
  /** Alerts escalated into the incident by triage (each with its own detection time). */
  alerts?: (incidentId: string) => Promise<TimelineAlert[]>;
}

export interface IncidentTimeline {
  entries: TimelineEntry[];
  chain: AttackColumn[];
}

/** Audit rows the timeline tells, and how; everything else in the trail (reads, denials, internals) is left out. */
interface AuditMapping {
  kind: Exclude<TimelineKind, 'alert'>;
  title(r: AuditRecord, stepTitle: (id: unknown) => string): string;
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const upper = (v: unknown) => str(v).toUpperCase();
const playbook = (verb: string): AuditMapping => ({ kind: 'playbook', title: (r) => `Playbook ${verb}: ${str(r.detail.playbookId)}` });
const ticket = (verb: string): AuditMapping => ({ kind: 'ticket', title: (r) => `Ticket ${verb}${r.detail.number ? `: ${str(r.detail.number)}` : ''}` });

export const timelineAudit: Readonly<Record<string, AuditMapping>> = {
  'card.incident.acknowledge': { kind: 'action', title: () => 'Acknowledged' },
  'card.incident.assign': { kind: 'action', title: () => 'Assigned' },
  'card.incident.severity': { kind: 'action', title: () => 'Severity changed' },
  'card.incident.close': { kind: 'action', title: () => 'Close requested' },
  'card.incident.comment': { kind: 'comment', title: () => 'Comment added' },
  'step.complete': { kind: 'action', title: (r, step) => `Step done: ${step(r.detail.stepId)}` },
  'step.skip': { kind: 'action', title: (r, step) => `Step skipped: ${step(r.detail.stepId)}` },
  'step.run': { kind: 'action', title: (r, step) => `Step run: ${step(r.detail.stepId)}` },
  'incident.impact': { kind: 'action', title: (r) => `Impact assessed: ${str(r.detail.level)}` },
  'playbook.run.requested': playbook('requested'),
  'playbook.approval.approved': playbook('approved'),
  'playbook.run.triggered': playbook('started'),
  'playbook.run.succeeded': playbook('succeeded'),
  'playbook.run.failed': playbook('failed'),
  'playbook.run.timed-out': playbook('timed out'),
  'playbook.approval.expired': playbook('approval expired'),
  'ticket.created': ticket('created'),
  'ticket.linked': ticket('linked'),
  'ticket.updated': ticket('updated'),
  'clock.started': { kind: 'clock', title: (r) => `Compliance clock started: ${upper(r.detail.regime)}` },
  'clock.done': { kind: 'clock', title: (r) => `Milestone made: ${upper(r.detail.regime)} ${str(r.detail.milestone)}` },
  'clock.reminder': { kind: 'clock', title: (r) => `Clock reminder: ${upper(r.detail.regime)} ${str(r.detail.milestone)}` },
};

/** At most this many audit rows are read for one incident (the newest matter less than a complete early story). */
export const maxAuditRows = 500;
const maxEntities = 20;

/** What the incident itself says: its alerts (first and last activity, products, tactics, techniques) and its entities. */
export function incidentFacts(incident: Incident, escalated: readonly TimelineAlert[]): { alerts: TimelineAlert[]; events: TimelineEvent[] } {
  const start = incident.firstActivityTimeUtc ?? incident.createdTimeUtc ?? incident.lastModifiedTimeUtc;
  const own: TimelineAlert = {
    id: incident.name,
    displayName: incident.title,
    productName: incident.alertProducts.join(', ') || undefined,
    firstSeen: start,
    lastSeen: incident.lastActivityTimeUtc,
    tactics: incident.tactics,
    techniques: incident.techniques,
  };
  const alerts = escalated.length ? [...escalated, ...(incident.techniques.length || incident.tactics.length ? [{ ...own, lastSeen: undefined }] : [])] : [own];
  const events: TimelineEvent[] = incident.entities.slice(0, maxEntities).map((e) => ({ at: start, kind: 'entity', title: `${e.kind}: ${e.displayName}` }));
  return { alerts, events };
}

/** Phase moves from the response state (who, when, why). */
function phaseEvents(state: ResponseState): TimelineEvent[] {
  return (state.phase?.history ?? []).map((h) => ({
    at: h.at,
    kind: 'phase',
    title: `Phase: ${phaseTitles[h.phase as Phase] ?? h.phase}${h.reason ? ` (${h.reason})` : ''}`,
    ...(h.by ? { actor: h.by } : {}),
  }));
}

/** The audit rows about the incident that the timeline tells; denials and refusals are left out. */
export function auditEvents(rows: readonly AuditRecord[], state: ResponseState): TimelineEvent[] {
  const titles = new Map(state.steps.map((s) => [s.id, s.title]));
  const stepTitle = (id: unknown) => titles.get(str(id)) ?? str(id);
  const out: TimelineEvent[] = [];
  for (const r of rows) {
    const mapping = timelineAudit[r.action];
    if (!mapping || r.outcome === 'denied' || r.outcome === 'rejected') continue;
    out.push({ at: r.at, kind: mapping.kind, title: mapping.title(r, stepTitle), ...(r.actorName ? { actor: r.actorName } : {}) });
  }
  return out;
}

/** The incident's timeline and ATT&CK chain, from every source Argus holds. */
export async function incidentTimeline(ports: TimelinePorts, incident: Incident): Promise<IncidentTimeline> {
  // Rows about the incident come after it was made; an hour's margin covers clocks that differ.
  const made = Date.parse(incident.createdTimeUtc ?? incident.firstActivityTimeUtc ?? '');
  const from = Number.isNaN(made) ? undefined : new Date(made - 3_600_000).toISOString();
  const [state, rows, evidence, escalated] = await Promise.all([
    ports.response.load(incident.name),
    ports.audit.query({ target: incident.name, ...(from ? { from } : {}), limit: maxAuditRows }),
    ports.evidence.listFor(incident.name),
    ports.alerts ? ports.alerts(incident.name) : Promise.resolve([]),
  ]);
  const facts = incidentFacts(incident, escalated);
  const events: TimelineEvent[] = [
    ...facts.events,
    ...phaseEvents(state),
    ...auditEvents(rows, state),
    ...evidence.map((e): TimelineEvent => ({ at: e.registeredAt, kind: 'evidence', title: `Evidence registered: ${e.filename}`, actor: e.registeredBy })),
  ];
  return { entries: buildTimeline(facts.alerts, events), chain: attackChain(facts.alerts) };
}
