import type { CardPublisher } from '../incidents/card-publisher';
import { viewerOf } from '../incidents/incident-actions';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { CardActionDefinition, CardActionResult, RequestContext } from '../teams/registry';
import type { ClockOutcome, ClockService } from './clock-service';

export const clockVerbs = { regulation: 'incident.regulation', done: 'clock.done' } as const;

/**
 * Input ids of the card's clock forms. Input ids must be unique in a whole card, and `reason` or
 * `reference` are words other forms may want, so the card submits these; the verbs accept both
 * these and the plain names of the contract (`regime`, `awareAt`, `reason`, `reference`).
 */
export const clockInputs = { regime: 'clockRegime', awareAt: 'clockAwareAt', reason: 'clockReason', reference: 'clockReference' } as const;

type Ctx = RequestContext & { data: Record<string, unknown> };

function text(data: Record<string, unknown>, name: keyof typeof clockInputs): string | undefined {
  const value = data[name] ?? data[clockInputs[name]];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export interface ClockActionDeps {
  service: ClockService;
  incidents: Pick<IncidentRepository, 'get'>;
  publisher: Pick<CardPublisher, 'render'>;
}

/** incident.regulation and clock.done (responder): the answer is the refreshed card with what happened. */
export function clockActions(deps: ClockActionDeps): CardActionDefinition[] {
  async function answer(ctx: Ctx, outcome: ClockOutcome): Promise<CardActionResult> {
    const record = await deps.incidents.get(String(ctx.data.incidentId));
    if (!record) return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
    const style = outcome.kind === 'rejected' ? 'attention' : outcome.kind === 'changed' ? 'good' : 'accent';
    return { card: await deps.publisher.render({ ...record, notice: { text: outcome.text, style, at: new Date().toISOString() } }, viewerOf(ctx)) };
  }
  const by = (ctx: Ctx) => ({ actor: ctx.actor, correlationId: ctx.correlationId });
  return [
    {
      verb: clockVerbs.regulation,
      role: 'responder',
      needsIncident: true,
      handle: async (ctx) =>
        answer(
          ctx,
          await deps.service.start(String(ctx.data.incidentId), { regime: text(ctx.data, 'regime'), awareAt: text(ctx.data, 'awareAt'), reason: text(ctx.data, 'reason') }, by(ctx)),
        ),
    },
    {
      verb: clockVerbs.done,
      role: 'responder',
      needsIncident: true,
      handle: async (ctx) =>
        answer(ctx, await deps.service.done(String(ctx.data.incidentId), { regime: ctx.data.regime, milestone: ctx.data.milestone, reference: text(ctx.data, 'reference') }, by(ctx))),
    },
  ];
}
