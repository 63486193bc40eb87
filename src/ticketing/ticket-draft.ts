import { groupEntities } from '../cards/entity-groups';
import { humanizeIdentifier } from '../cards/text';
import type { Incident } from '../incidents/incident';
import type { TicketDraft } from './ticket';
import type { LinkOrigin } from './ticket-link';

/** The ticket Argus opens for an incident: what a service-desk agent needs without opening Sentinel. */
export function draftFor(incident: Incident, options: { origin: LinkOrigin; requestedBy?: string }): TicketDraft {
  const lines: string[] = [];
  if (incident.description?.trim()) lines.push(incident.description.trim(), '');
  lines.push(`Severity: ${incident.severity}`, `Status in Sentinel: ${incident.status}`);
  if (incident.tactics.length) lines.push(`Tactics: ${incident.tactics.map(humanizeIdentifier).join(', ')}`);
  if (incident.techniques.length) lines.push(`Techniques: ${incident.techniques.join(', ')}`);
  const entities = groupEntities(incident.entities, { namesPerKind: 5, maxKinds: 6, nameLength: 120 });
  for (const group of entities) lines.push(`${group.title}: ${group.value}`);
  lines.push('');
  if (incident.portalUrl) lines.push(`Sentinel incident: ${incident.portalUrl}`);
  lines.push(`Sentinel incident id: ${incident.name}`);
  lines.push(
    options.origin === 'manual'
      ? `Opened by Argus at the request of ${options.requestedBy ?? 'an engineer'}.`
      : `Opened by Argus: ${incident.severity} incidents get a ticket automatically.`,
  );
  return {
    incidentName: incident.name,
    incidentNumber: incident.number,
    title: incident.title,
    description: lines.join('\n').slice(0, 30_000),
    severity: incident.severity,
  };
}
