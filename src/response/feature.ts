import type { FeatureParts } from '../app/feature';
import type { AuditLog } from '../audit/audit-log';
import type { EventHandler, EventsOf } from '../events/router';
import type { CardPublisher } from '../incidents/card-publisher';
import type { Logger } from '../logging/logger';
import { responseCardDecorator } from './card-section';
import type { EvidenceLookup } from './evidence-port';
import { followIncident, responseCloseGate, type PhaseDeps } from './phase-change';
import type { GatePolicy } from './phases';
import { loadPlanCatalog, type PlanCatalog } from './plan-catalog';
import { responseActions, type ResponseActionDeps } from './response-actions';
import type { CloseGate, IncidentStatePort, PlaybookRunPort } from './response-ports';
import type { PostMortemStatus, ResponseStore } from './response-store';
import { followRun } from './step-runs';

export interface ResponseDeps {
  /** The response plans folder, resolved against the config file's folder. */
  plansDir: string;
  gates: GatePolicy;
  store: ResponseStore;
  postMortems: PostMortemStatus;
  evidence: EvidenceLookup;
  incidents: IncidentStatePort;
  closeIncident: ResponseActionDeps['closeIncident'];
  /** The playbooks feature's run path, and what plans are checked against at start. */
  playbooks: PlaybookRunPort & { facts(playbookId: string): { approvalRequired: boolean } | undefined };
  publisher: Pick<CardPublisher, 'render' | 'publish'>;
  audit: AuditLog;
  logger: Logger;
  now?: () => number;
}

export interface ResponseFeature extends FeatureParts {
  plans: PlanCatalog;
  /** The gate `incident.close` passes; the incidents feature asks it. */
  closeGate: CloseGate;
  handlers: {
    /** A Sentinel version: the response state is made the first time (phase, plan); a close or reopen outside Argus moves the phase. */
    followIncident: EventHandler<EventsOf<'sentinel.incident'>>;
    /** A playbook run changed: the plan step that started it follows its result. */
    followRun: EventHandler<'playbook.run.changed'>;
  };
}

/**
 * The response lifecycle (ARCHITECTURE §9): phases with gates, response plans attached to
 * incidents, their steps (manual, automated, approved), the card section and its verbs. A plan
 * that does not validate stops the start, naming its file and key.
 */
export function createResponseFeature(d: ResponseDeps): ResponseFeature {
  const plans = loadPlanCatalog({ dir: d.plansDir, playbook: (id) => d.playbooks.facts(id), logger: d.logger });
  const deps: PhaseDeps = { ...d, plans };
  return {
    plans,
    closeGate: responseCloseGate(deps),
    handlers: {
      async followIncident(event, ctx) {
        const { incident } = event.payload;
        const done = await followIncident(deps, incident, { likelyNew: event.name === 'sentinel.incident.created' });
        if (done === 'created') ctx.log.debug({ incident: incident.name }, 'response state made');
        if (done === 'moved') {
          ctx.log.info({ incident: incident.name }, 'phase followed Sentinel');
          await d.publisher.publish(incident.name);
        }
      },
      followRun: (event) => followRun(deps, event.payload),
    },
    actions: responseActions({ phase: deps, publisher: d.publisher, closeIncident: d.closeIncident }),
    cardSections: [responseCardDecorator(deps)],
  };
}
