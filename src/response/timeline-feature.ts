import { roleAtLeast } from '../access/roles';
import type { AuditLog } from '../audit/audit-log';
import type { FeatureParts } from '../app/feature';
import type { CardNotice } from '../cards/views';
import type { CardPublisher } from '../incidents/card-publisher';
import type { IncidentCardDecorator } from '../incidents/card-publisher';
import { viewerOf } from '../incidents/incident-actions';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import type { CardActionDefinition, CardActionResult, RequestContext } from '../teams/registry';
import { assessImpact, impactInputSchema } from './impact';
import type { ImpactStore } from './impact-store';
import { incidentTimeline, type TimelinePorts } from './timeline-sources';

type Ctx = RequestContext & { data: Record<string, unknown> };

export const timelineVerbs = { timeline: 'incident.timeline', impact: 'incident.impact' } as const;

/** Regimes Argus keeps compliance clocks for (PCI DSS has no reporting clock). */
const clockRegimes = new Set(['gdpr', 'nis2', 'dora', 'sec', 'hipaa']);

export interface TimelineFeatureDeps {
  timeline: TimelinePorts;
  impacts: ImpactStore;
  /** Whether the incident's clock for the regime is started already (then no button is offered). */
  clockStarted(incidentId: string, regime: string): Promise<boolean>;
  incidents: Pick<IncidentRepository, 'get'>;
  publisher: Pick<CardPublisher, 'render' | 'publish'>;
  audit: AuditLog;
  logger: Logger;
  now?: () => number;
}

/**
 * The incident timeline (`incident.timeline`, reader: the card answered to that viewer shows the
 * ATT&CK chain and the latest entries) and the impact assessment (`incident.impact`, responder:
 * validated here, audited, stored as row `impact`, shown on every card with the rule that decided
 * the level and a button per chosen regime to start its compliance clock).
 */
export function createTimelineFeature(d: TimelineFeatureDeps): FeatureParts {
  const now = d.now ?? Date.now;

  async function card(ctx: Ctx, notice?: CardNotice & { style: NonNullable<CardNotice['style']> }, withTimeline = false): Promise<CardActionResult> {
    const record = await d.incidents.get(String(ctx.data.incidentId));
    if (!record) return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
    const shown = notice ? { ...record, notice: { ...notice, at: new Date(now()).toISOString() } } : record;
    if (!withTimeline) return { card: await d.publisher.render(shown, viewerOf(ctx)) };
    const { entries, chain } = await incidentTimeline(d.timeline, record.incident);
    return { card: await d.publisher.render(shown, viewerOf(ctx), { timeline: { entries, chain, incidentNumber: record.incident.number } }) };
  }

  async function audit(ctx: Ctx, outcome: 'succeeded' | 'rejected', incident: { name: string; number: number }, detail: Record<string, unknown>) {
    await d.audit.append({
      action: timelineVerbs.impact,
      outcome,
      actorId: ctx.actor.aadObjectId,
      actorName: ctx.actor.name,
      actorTenantId: ctx.actor.tenantId,
      roles: ctx.decision.roles,
      target: incident.name,
      correlationId: ctx.correlationId,
      detail: { incidentNumber: incident.number, ...detail },
    });
  }

  const timeline: CardActionDefinition = {
    verb: timelineVerbs.timeline,
    role: 'reader',
    needsIncident: true,
    handle: (ctx) => card(ctx, undefined, true),
  };

  const impact: CardActionDefinition = {
    verb: timelineVerbs.impact,
    role: 'responder',
    needsIncident: true,
    async handle(ctx) {
      const record = await d.incidents.get(String(ctx.data.incidentId));
      if (!record) return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
      const { incident } = record;
      const parsed = impactInputSchema.safeParse(ctx.data);
      if (!parsed.success) {
        const problems = parsed.error.issues.slice(0, 7).map((i) => `${i.path.join('.') || 'form'}: ${i.message}`);
        await audit(ctx, 'rejected', incident, { problems });
        return card(ctx, { text: `Impact not saved: ${problems.join('; ')}.`, style: 'attention' });
      }
      const assessment = assessImpact(parsed.data);
      const by = ctx.actor.name ?? ctx.actor.aadObjectId ?? 'someone';
      await d.impacts.save(incident.name, { ...assessment, assessedAt: new Date(now()).toISOString(), assessedBy: by });
      await audit(ctx, 'succeeded', incident, { ...parsed.data, level: assessment.level, suggestedSeverity: assessment.suggestedSeverity });
      // Everyone's card shows the impact: the posted cards are refreshed too.
      void d.publisher.publish(incident.name).catch((err: unknown) => d.logger.warn({ err, incident: incident.name }, 'card refresh after an impact assessment failed'));
      const severity = assessment.suggestedSeverity === incident.severity ? `matches severity ${incident.severity}` : `suggests severity ${assessment.suggestedSeverity} (now ${incident.severity})`;
      return card(ctx, { text: `Impact ${assessment.level}: ${severity}.`, style: 'good' });
    },
  };

  const section: IncidentCardDecorator = async (record, viewer) => {
    const name = record.incident.name;
    const found = await d.impacts.get(name);
    const canAssess = record.incident.status !== 'Closed' && roleAtLeast(viewer.role, 'responder');
    const wanted = (found?.input.regimes ?? []).filter((r) => clockRegimes.has(r));
    const started = await Promise.all(wanted.map((r) => d.clockStarted(name, r)));
    return {
      impact: {
        ...(found ? { assessment: { level: found.level, suggestedSeverity: found.suggestedSeverity, rule: found.rule, input: found.input, assessedBy: found.assessedBy } } : {}),
        clockRegimes: wanted.filter((_, i) => !started[i]),
        canAssess,
      },
    };
  };

  return { actions: [timeline, impact], cardSections: [section] };
}
