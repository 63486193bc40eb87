import type { Incident } from './incident';
import type { IncidentCounter } from './incident-counter';
import { auditFailure, draftName, storeAndPublish, type CreatorDeps, type IncidentCreator } from './incident-creator';

export interface ArgusCreatorDeps extends CreatorDeps {
  counter: IncidentCounter;
  now?: () => Date;
}

/**
 * Incidents without Sentinel: named by a GUID, numbered from the counter in Table Storage, kept in
 * the incident repository and published like any other incident (routing rules choose the
 * channel). Creating a name that exists answers the incident there, without taking a number.
 */
export function argusIncidentCreator(deps: ArgusCreatorDeps): IncidentCreator {
  const now = deps.now ?? (() => new Date());
  return {
    source: 'argus',
    async create(draft) {
      const name = draftName(draft);
      const existing = await deps.incidents.get(name);
      if (existing) return storeAndPublish(deps, existing.incident, draft, false);
      let number: number;
      try {
        number = await deps.counter.next();
      } catch (err) {
        return auditFailure(deps, name, draft, err);
      }
      const at = now().toISOString();
      const incident: Incident = {
        name,
        number,
        title: draft.title,
        ...(draft.description ? { description: draft.description } : {}),
        severity: draft.severity,
        status: 'New',
        labels: draft.labels,
        tactics: [],
        techniques: [],
        alertCount: draft.alertCount ?? 0,
        alertProducts: draft.alertProducts ?? [],
        entities: draft.entities ?? [],
        createdTimeUtc: at,
        lastModifiedTimeUtc: at,
      };
      return storeAndPublish(deps, incident, draft, false);
    },
  };
}
