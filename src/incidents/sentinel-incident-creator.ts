import { auditFailure, draftName, storeAndPublish, type CreatorDeps, type IncidentCreator } from './incident-creator';
import type { SentinelClient } from './sentinel-client';

export interface SentinelCreatorDeps extends CreatorDeps {
  sentinel: Pick<SentinelClient, 'createIncident'>;
}

/**
 * Incidents made in Sentinel (PUT …/Microsoft.SecurityInsights/incidents/{name}): Sentinel's answer
 * is stored in the incident repository and its card published at once, so the Sentinel webhook
 * that follows for the same incident finds the record and updates the same card.
 */
export function sentinelIncidentCreator(deps: SentinelCreatorDeps): IncidentCreator {
  return {
    source: 'sentinel',
    async create(draft) {
      const name = draftName(draft);
      const fields = { title: draft.title, ...(draft.description ? { description: draft.description } : {}), severity: draft.severity, labels: draft.labels };
      let answer: Awaited<ReturnType<SentinelCreatorDeps['sentinel']['createIncident']>>;
      try {
        answer = await deps.sentinel.createIncident(name, fields);
      } catch (err) {
        return auditFailure(deps, name, draft, err);
      }
      // Sentinel's incident carries no entities of a manual incident: keep the ones Argus knows.
      const incident = { ...answer.incident, entities: answer.incident.entities.length ? answer.incident.entities : (draft.entities ?? []) };
      return storeAndPublish(deps, incident, draft, answer.created);
    },
  };
}
