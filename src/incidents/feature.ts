import type { FeatureParts } from '../app/feature';
import { secretNames } from '../config/secret-provider';
import { incidentActions, type IncidentActionDeps } from './incident-actions';
import { incidentCommands, type IncidentCommandDeps } from './incident-commands';
import { incidentHandlers, sentinelWebhookSpec, type IncidentHandlers } from './incident-handlers';
import type { IncidentStatePort } from './close-gate';
import type { Incident } from './incident';
import { IncidentService, type IncidentServiceOptions, type LocalMutation } from './incident-service';

export type IncidentsDeps = IncidentServiceOptions & Omit<IncidentActionDeps, 'service'> & IncidentCommandDeps;

export interface IncidentsFeature extends FeatureParts {
  handlers: IncidentHandlers;
  /** Other features' view of incident state, and their changes to it (the response phase's status). */
  state: IncidentStatePort;
  /** The close path with its inputs and gate, for verbs of other features that close (incident.phase). */
  closeIncident: ReturnType<typeof incidentActions>['closeIncident'];
}

/** Sentinel incidents: the webhook, their events, card verbs and commands. */
export function createIncidentsFeature(deps: IncidentsDeps): IncidentsFeature {
  const service = new IncidentService(deps);
  const { actions, closeIncident } = incidentActions({ ...deps, service });
  return {
    handlers: incidentHandlers(service),
    webhooks: [{ route: 'sentinel', spec: sentinelWebhookSpec(secretNames.sentinelWebhook) }],
    actions,
    commands: incidentCommands(deps),
    state: {
      get: (id) => service.get(id),
      async record(id, change, who) {
        const mutate = (i: Incident): LocalMutation => ({
          kind: 'change',
          incident: change.status ? { ...i, status: change.status } : i,
          summary: change.summary,
          writeback: change.status && change.status !== i.status ? { change: { status: change.status } } : undefined,
        });
        return (await service.changeLocally(id, change.verb, who.actor, who.correlationId, mutate, { threadNote: change.threadNote })).record;
      },
    },
    closeIncident,
  };
}
