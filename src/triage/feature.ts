import type { FeatureParts, ReadinessDetail } from '../app/feature';
import type { AuditLog } from '../audit/audit-log';
import { detectionAlertSchema } from '../detections/alert';
import type { EventHandler } from '../events/router';
import { deadlineSweeper } from '../playbooks/deadline-sweeper';
import { triageActions } from './triage-actions';
import { createTriageService, type TriageDeps, type TriageService } from './triage-service';
import { upkeepTasks, type TriageUpkeepOptions } from './upkeep';

export interface TriageFeatureDeps extends TriageDeps {
  audit: Pick<AuditLog, 'append'>;
  /** How often alerts waiting for lookups are tried again (default 5 s). */
  sweepIntervalMs?: number;
  /** Owed cards, the daily digest, the queue depth (src/triage/upkeep.ts). */
  upkeep?: TriageUpkeepOptions;
  /** For /readyz details (the intel sources' availability). */
  readiness?: ReadinessDetail[];
}

export interface TriageFeature extends FeatureParts {
  handlers: {
    /** Looks the alert's indicators up, scores and decides it, records the decision and posts its card. */
    decide: EventHandler<'alert.received'>;
  };
}

/**
 * Alert triage (ARCHITECTURE §8): every alert that arrives is scored from its indicators'
 * intel and decided by the triage policy — auto-closed (recorded only), sent to review (a triage
 * card with verdict buttons) or escalated (an escalation card). Decisions and people's verdicts go
 * to the detection outcome history, which `argus rules stats` reads.
 */
export function createTriageFeature(deps: TriageFeatureDeps): TriageFeature {
  const service = createTriageService(deps);
  return {
    handlers: {
      async decide(event, hctx) {
        await service.decide(detectionAlertSchema.parse(event.payload.alert), hctx.log);
      },
    },
    actions: triageActions({ service, store: deps.store, outcomes: deps.outcomes, audit: deps.audit, escalation: deps.escalation, now: deps.now }),
    // Only lookups wait: without enrichment no alert is ever pending.
    background: [
      ...(deps.enrichment ? [pendingSweeper(deps, service)] : []),
      ...upkeepTasks({ ...deps, service, conversationId: deps.triage.conversationId, now: deps.now ?? (() => new Date()) }),
    ],
    ...(deps.readiness ? { readiness: deps.readiness } : {}),
  };
}

/** Tries the alerts waiting for lookups again, every few seconds (never two sweeps at once). */
function pendingSweeper(deps: TriageFeatureDeps, service: TriageService) {
  const logger = deps.logger;
  const sweep = () => service.sweep().catch((err: unknown) => logger.warn({ err }, 'triage sweep of pending alerts failed; will try again'));
  return deadlineSweeper({ intervalMs: deps.sweepIntervalMs ?? 5_000, sweep, logger });
}
