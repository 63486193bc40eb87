import type { CardNotice } from '../cards/views';
import type { CardPublisher } from '../incidents/card-publisher';
import { viewerOf } from '../incidents/incident-actions';
import type { CardActionDefinition, CardActionResult, RequestContext } from '../teams/registry';
import { changePhase, type PhaseDeps } from './phase-change';
import { isPhase, phaseTitles } from './phases';
import type { ResponseActor } from './response-ports';
import { completeStep, skipStep, type StepOutcome } from './step-actions';
import { runStep } from './step-runs';

type Ctx = RequestContext & { data: Record<string, unknown> };

export interface ResponseActionDeps {
  phase: PhaseDeps;
  publisher: Pick<CardPublisher, 'render'>;
  /** The incidents feature's close path (its inputs, its gate): incident.phase to closed goes through it. */
  closeIncident(ctx: Ctx, verb: string): Promise<CardActionResult>;
}

/** The Action.Execute verbs of the response lifecycle; the incident card sends these. */
export const responseVerbs = { phase: 'incident.phase', complete: 'step.complete', skip: 'step.skip', run: 'step.run' } as const;

const slug = /^[a-z0-9][a-z0-9-]{1,62}$/;
const evidenceIdPattern = /^[\w.:-]{1,64}$/;

function text(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined;
}

function badInput(message: string): CardActionResult {
  return { error: { status: 400, code: 'ARGUS_BAD_PAYLOAD', message } };
}

const notFound = (message: string): CardActionResult => ({ error: { status: 404, code: 'ARGUS_NOT_FOUND', message } });
const who = (ctx: Ctx): ResponseActor => ({ actor: ctx.actor, decision: ctx.decision, correlationId: ctx.correlationId });

/**
 * incident.phase, step.complete, step.skip and step.run, each for responders (the registry checks
 * that before; a step's own required role, the gates and the plan are checked here, on the server,
 * whatever the card offered). Each answers at once with the refreshed card and its notice.
 */
export function responseActions(deps: ResponseActionDeps): CardActionDefinition[] {
  async function card(ctx: Ctx, notice: CardNotice & { style: NonNullable<CardNotice['style']> }, asRole = true): Promise<CardActionResult> {
    const record = await deps.phase.incidents.get(String(ctx.data.incidentId));
    if (!record) return notFound('Argus does not know this incident.');
    const viewer = asRole ? viewerOf(ctx) : { ...viewerOf(ctx), role: undefined };
    return { card: await deps.publisher.render({ ...record, notice: { ...notice, at: new Date().toISOString() } }, viewer) };
  }

  const denied = async (ctx: Ctx, message: string) => {
    const r = await card(ctx, { text: `Access denied: ${message}`, style: 'attention' }, false);
    return 'card' in r ? r.card : undefined;
  };

  async function answer(ctx: Ctx, outcome: StepOutcome): Promise<CardActionResult> {
    if (outcome.ok) return card(ctx, { text: outcome.text, style: 'good' });
    if (outcome.missing) return notFound(outcome.reason);
    return card(ctx, { text: `Not done: ${outcome.reason}.`, style: 'attention' });
  }

  /** The step a step verb names, or why the invoke is malformed. */
  function stepInput(ctx: Ctx): { incidentId: string; planId: string; stepId: string } | CardActionResult {
    const planId = text(ctx.data.planId, 63);
    const stepId = text(ctx.data.stepId, 63);
    if (!planId || !slug.test(planId) || !stepId || !slug.test(stepId)) return badInput('The card action names no valid plan step.');
    return { incidentId: String(ctx.data.incidentId), planId, stepId };
  }

  const stepVerb = (verb: string, act: (ctx: Ctx, input: { incidentId: string; planId: string; stepId: string }) => Promise<StepOutcome | CardActionResult>): CardActionDefinition => ({
    verb,
    role: 'responder',
    needsIncident: true,
    denied,
    async handle(ctx) {
      const input = stepInput(ctx);
      if ('error' in input || 'card' in input) return input;
      const outcome = await act(ctx, input);
      return 'ok' in outcome ? answer(ctx, outcome) : outcome;
    },
  });

  return [
    {
      verb: responseVerbs.phase,
      role: 'responder',
      needsIncident: true,
      denied,
      async handle(ctx) {
        const to = ctx.data.phase;
        if (!isPhase(to)) return badInput(`Choose a phase: ${Object.keys(phaseTitles).join(', ')}.`);
        if (to === 'closed') return deps.closeIncident(ctx, responseVerbs.phase);
        const outcome = await changePhase(deps.phase, who(ctx), { incidentId: String(ctx.data.incidentId), to, reason: text(ctx.data.reason, 500) });
        if (outcome.kind === 'not-found') return notFound('Argus does not know this incident.');
        if (outcome.kind === 'refused') return card(ctx, { text: `Not moved to ${phaseTitles[to]}: ${outcome.reasons.join('; ')}.`, style: 'attention' });
        const started = outcome.started.length ? ` Started: ${outcome.started.join(', ')}.` : '';
        return card(ctx, { text: `Phase ${phaseTitles[outcome.from]} → ${phaseTitles[outcome.to]}.${started}`, style: 'good' });
      },
    },
    stepVerb(responseVerbs.complete, (ctx, input) => {
      const evidenceId = text(ctx.data.evidenceId, 64);
      if (evidenceId && !evidenceIdPattern.test(evidenceId)) return Promise.resolve(badInput('That is not an evidence id.'));
      return completeStep(deps.phase, who(ctx), { ...input, note: text(ctx.data.note, 500), evidenceId });
    }),
    // The card's Step… form has one text box for a note or a skip's reason.
    stepVerb(responseVerbs.skip, (ctx, input) => skipStep(deps.phase, who(ctx), { ...input, reason: text(ctx.data.reason, 500) ?? text(ctx.data.note, 500) })),
    stepVerb(responseVerbs.run, (ctx, input) => runStep(deps.phase, who(ctx), input)),
  ];
}
