import type { AuditLog } from '../audit/audit-log';
import { renderTriageCard } from '../cards/triage-card';
import type { Verdict } from '../detections/outcomes/outcome-model';
import type { DetectionOutcomeStore } from '../detections/outcomes/outcome-store';
import type { Logger } from '../logging/logger';
import type { CardActionDefinition, CardActionResult, RequestContext } from '../teams/registry';
import type { EscalationPort } from './escalation';
import type { TriageRecord } from './triage-record';
import type { TriageService } from './triage-service';
import type { TriageStore } from './triage-store';

export interface TriageActionDeps {
  service: Pick<TriageService, 'update' | 'postCard'>;
  store: Pick<TriageStore, 'get'>;
  outcomes: Pick<DetectionOutcomeStore, 'recordOutcome'>;
  audit: Pick<AuditLog, 'append'>;
  /** Escalate makes (or joins) an incident through it; absent: it posts an escalation card. */
  escalation?: Pick<EscalationPort, 'request'>;
  now?: () => Date;
}

type Ctx = RequestContext & { data: Record<string, unknown> };

/** The triage card's verbs and the verdict each gives (ARCHITECTURE §8). Escalating confirms the alert. */
export const triageVerbs = {
  'alert.confirm': { verdict: 'true_positive', note: undefined },
  'alert.false-positive': { verdict: 'false_positive', note: undefined },
  'alert.benign': { verdict: 'benign', note: undefined },
  'alert.escalate': { verdict: 'true_positive', note: 'escalated from the triage card' },
} as const satisfies Record<string, { verdict: Verdict; note: string | undefined }>;
export type TriageVerb = keyof typeof triageVerbs;

const alertIdPattern = /^[0-9a-f]{32}$/;
const fail = (status: number, code: 'ARGUS_BAD_PAYLOAD' | 'ARGUS_NOT_FOUND' | 'ARGUS_CONFLICT', message: string): CardActionResult => ({ error: { status, code, message } });

/**
 * A person's verdict on a triaged alert: recorded on the decision record as its override, written
 * to the outcome history as `human_override` (so `argus rules stats` counts it), audited, and
 * answered with the refreshed card. Pressing the verdict already given changes nothing.
 */
export function triageActions(deps: TriageActionDeps): CardActionDefinition[] {
  const now = deps.now ?? (() => new Date());

  async function override(ctx: Ctx, verb: TriageVerb): Promise<CardActionResult> {
    const alertId = ctx.data.alertId;
    if (typeof alertId !== 'string' || !alertIdPattern.test(alertId)) return fail(400, 'ARGUS_BAD_PAYLOAD', 'The card action has no valid alertId.');
    const stored = await deps.store.get(alertId);
    if (!stored) return fail(404, 'ARGUS_NOT_FOUND', 'Argus has no triage record of this alert.');
    if (stored.record.status !== 'decided') return fail(409, 'ARGUS_CONFLICT', 'This alert is still waiting for intel lookups; try again when it is decided.');
    const { verdict, note } = triageVerbs[verb];
    // Asked durably before anything else: pressing Escalate again after a failure asks again (the same request).
    if (verb === 'alert.escalate' && deps.escalation && !stored.record.incident) await deps.escalation.request(alertId, ctx.actor, ctx.correlationId);
    const previous = stored.record.override;
    if (previous && previous.verdict === verdict && (previous.note ?? undefined) === note) return { card: renderTriageCard({ record: stored.record, showActions: true }) };

    const by = ctx.actor.name ?? ctx.actor.aadObjectId ?? 'someone';
    const at = now().toISOString();
    const given = { verdict, by, at, ...(note ? { note } : {}) };
    const r = stored.record;
    await deps.outcomes.recordOutcome({ ruleId: r.ruleId, alertId, outcome: 'human_override', verdict, actor: ctx.actor.aadObjectId ?? by, at, ...(note ? { note } : {}) });
    const updated = await deps.service.update(alertId, (cur) => ({ ...cur, override: given }));
    await deps.audit.append({
      action: 'alert.override',
      outcome: 'succeeded',
      actorId: ctx.actor.aadObjectId,
      actorName: ctx.actor.name,
      actorTenantId: ctx.actor.tenantId,
      roles: ctx.decision.roles,
      target: alertId,
      correlationId: ctx.correlationId,
      detail: { verb, verdict, ruleId: r.ruleId, decision: r.decision ?? null, score: r.score, previous: previous?.verdict ?? null },
    });
    if (verb === 'alert.escalate' && r.decision !== 'escalate' && !deps.escalation) void escalate(updated, ctx.log);
    return { card: renderTriageCard({ record: updated, showActions: true }) };
  }

  /** An analyst's escalation posts the escalation card; the invoke is answered without waiting for it. */
  async function escalate(record: TriageRecord, log: Logger): Promise<void> {
    try {
      await deps.service.postCard({ ...record, decision: 'escalate' });
    } catch (err) {
      log.warn({ alertId: record.alertId, err }, 'posting the escalation card failed');
    }
  }

  return (Object.keys(triageVerbs) as TriageVerb[]).map((verb) => ({
    verb,
    role: 'responder',
    needsIncident: false,
    handle: (ctx) => override(ctx, verb),
  }));
}
