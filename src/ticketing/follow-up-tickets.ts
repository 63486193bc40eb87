import type { FollowUpTicketPort } from '../response/follow-up-port';
import { providerLabels } from './ticket';
import type { TicketSystem } from './ticket-system';

/** The correlation value of an incident's n-th follow-up ticket. */
export function followUpCorrelation(incidentId: string, n: number): string {
  return `${incidentId}:pa:${n}`;
}

/** Whether a ticket's correlation value names a follow-up rather than an incident. */
export function isFollowUpCorrelation(value: string | undefined): boolean {
  return value !== undefined && /:pa:\d+$/.test(value);
}

/**
 * Follow-up tickets over the configured ITSM. The incident's own ticket is looked up by the exact
 * incident name (ServiceNow `correlation_id=`, Jira label `argus-<name>` or an exact field value),
 * which a follow-up's `<name>:pa:<n>` never equals.
 */
export function followUpTickets(system: TicketSystem): FollowUpTicketPort {
  return {
    providerLabel: providerLabels[system.provider],
    async find(incidentId, n) {
      const correlation = followUpCorrelation(incidentId, n);
      const found = await system.findByCorrelation(correlation);
      return found && found.correlationId === correlation ? { id: found.id, number: found.number, url: found.url } : undefined;
    },
    async create(r) {
      const t = await system.create({
        incidentName: r.incidentId,
        incidentNumber: r.incidentNumber,
        title: r.title,
        description: r.description,
        severity: r.severity,
        followUp: { correlationId: followUpCorrelation(r.incidentId, r.n) },
      });
      return { id: t.id, number: t.number, url: t.url };
    },
  };
}
