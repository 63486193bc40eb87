import type { FeatureParts } from '../app/feature';
import { secretNames } from '../config/secret-provider';
import { incidentActions, type IncidentActionDeps } from './incident-actions';
import { incidentCommands, type IncidentCommandDeps } from './incident-commands';
import { incidentHandlers, sentinelWebhookSpec, type IncidentHandlers } from './incident-handlers';
import { IncidentService, type IncidentServiceOptions } from './incident-service';

export type IncidentsDeps = IncidentServiceOptions & Omit<IncidentActionDeps, 'service'> & IncidentCommandDeps;

export interface IncidentsFeature extends FeatureParts {
  handlers: IncidentHandlers;
}

/** Sentinel incidents: the webhook, their events, card verbs and commands. */
export function createIncidentsFeature(deps: IncidentsDeps): IncidentsFeature {
  const service = new IncidentService(deps);
  return {
    handlers: incidentHandlers(service),
    webhooks: [{ route: 'sentinel', spec: sentinelWebhookSpec(secretNames.sentinelWebhook) }],
    actions: incidentActions({ ...deps, service }),
    commands: incidentCommands(deps),
  };
}
