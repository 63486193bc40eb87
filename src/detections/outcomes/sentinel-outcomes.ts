import type { EventHandler, EventsOf } from '../../events/router';
import type { Classification } from '../../incidents/incident';
import type { SigmaLevel } from '../sigma-rule';
import type { Verdict } from './outcome-model';
import type { DetectionOutcomeStore } from './outcome-store';

/**
 * Alerts that analytics rules deployed from Sigma rules raise in Sentinel, in the same outcome
 * history as the in-process engine's alerts (so `argus rules stats` counts both): each alert is
 * recorded `fired` once, and when its incident is closed with a classification, that is the
 * analyst's verdict on it.
 */

const verdicts: Partial<Record<Classification, Verdict>> = {
  TruePositive: 'true_positive',
  FalsePositive: 'false_positive',
  BenignPositive: 'benign',
};

const levels: Record<string, SigmaLevel> = { High: 'high', Medium: 'medium', Low: 'low', Informational: 'informational' };

/** Outcome history ids of Sentinel alerts are prefixed, so they never meet an in-process alert id. */
export function sentinelAlertId(systemAlertId: string): string {
  return `sentinel:${systemAlertId}`;
}

export function recordSentinelAlerts(outcomes: Pick<DetectionOutcomeStore, 'recordFired' | 'recordOutcome' | 'get'>): EventHandler<EventsOf<'sentinel.incident'>> {
  return async (event, ctx) => {
    const { incident, detectionAlerts } = event.payload;
    if (!detectionAlerts?.length) return;
    const verdict = incident.status === 'Closed' && incident.classification ? verdicts[incident.classification] : undefined;
    for (const a of detectionAlerts) {
      const alertId = sentinelAlertId(a.alertId);
      const detectedAt = incident.firstActivityTimeUtc ?? incident.createdTimeUtc ?? incident.lastModifiedTimeUtc;
      const { created } = await outcomes.recordFired({ id: alertId, ruleId: a.ruleId, title: a.title, level: levels[a.severity ?? ''] ?? 'medium', detectedAt });
      if (created) ctx.log.info({ ruleId: a.ruleId, alertId, incident: incident.name }, 'Sentinel alert of a deployed Sigma rule recorded');
      // A redelivered or later version of the close must not add the same verdict twice.
      if (!verdict || (await outcomes.get(a.ruleId, alertId))?.humanVerdict === verdict) continue;
      const note = [incident.classificationReason, incident.classificationComment].filter(Boolean).join(': ').slice(0, 1000);
      await outcomes.recordOutcome({
        ruleId: a.ruleId,
        alertId,
        outcome: 'human_override',
        verdict,
        actor: (incident.owner?.userPrincipalName ?? incident.owner?.email ?? 'sentinel').slice(0, 200),
        at: incident.lastModifiedTimeUtc,
        ...(note ? { note } : {}),
      });
    }
  };
}
