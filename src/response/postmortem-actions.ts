import type { CardPublisher } from '../incidents/card-publisher';
import { viewerOf } from '../incidents/incident-actions';
import type { AuditLog } from '../audit/audit-log';
import type { CardActionDefinition, CardActionResult, RequestContext } from '../teams/registry';
import { displayName } from './plan-assignment';
import { phaseTitles } from './phases';
import { detectionGapOf, missingForCompletion, postMortemInputSchema, type PostMortem, type PostMortemStore } from './postmortem';
import { auditResponse } from './response-audit';
import type { IncidentStatePort, ResponseActor } from './response-ports';
import type { ResponseStore } from './response-store';

export const postMortemVerbs = { save: 'postmortem.save', complete: 'postmortem.complete' } as const;

export interface PostMortemDeps {
  store: PostMortemStore;
  response: Pick<ResponseStore, 'load'>;
  incidents: IncidentStatePort;
  publisher: Pick<CardPublisher, 'render'>;
  audit: AuditLog;
  now?: () => number;
}

type Ctx = RequestContext & { data: Record<string, unknown> };
const maxAttempts = 5;

/**
 * postmortem.save and postmortem.complete (responders; audited succeeded or rejected). Saving keeps
 * a draft; completing needs the post-incident phase, a summary, a root cause and a prevention
 * action, and satisfies the closing gate of the severities that need one. A completed post-mortem
 * is not changed any more.
 */
export function postMortemActions(deps: PostMortemDeps): CardActionDefinition[] {
  const now = () => new Date((deps.now ?? Date.now)()).toISOString();

  async function answer(ctx: Ctx, text: string, ok: boolean, recordVerb?: string): Promise<CardActionResult> {
    const incidentId = String(ctx.data.incidentId);
    const who = { actor: ctx.actor, decision: ctx.decision, correlationId: ctx.correlationId };
    const record = recordVerb
      ? await deps.incidents.record(incidentId, { verb: recordVerb, summary: text, threadNote: text }, who)
      : await deps.incidents.get(incidentId);
    if (!record) return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
    return { card: await deps.publisher.render({ ...record, notice: { text, style: ok ? 'good' : 'attention', at: now() } }, viewerOf(ctx)) };
  }

  async function act(ctx: Ctx, complete: boolean): Promise<CardActionResult> {
    const verb = complete ? postMortemVerbs.complete : postMortemVerbs.save;
    const incidentId = String(ctx.data.incidentId);
    const who: ResponseActor = { actor: ctx.actor, decision: ctx.decision, correlationId: ctx.correlationId };
    const parsed = postMortemInputSchema.safeParse(ctx.data);
    if (!parsed.success) return { error: { status: 400, code: 'ARGUS_BAD_PAYLOAD', message: `The post-mortem form is not valid: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}.` } };
    const input = parsed.data;
    const found = await deps.incidents.get(incidentId);
    if (!found) return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
    const { incident } = found;
    const reject = async (reason: string) => {
      await auditResponse(deps.audit, who, { action: verb, outcome: 'rejected', incident, detail: { reason } });
      return answer(ctx, `Post-mortem not ${complete ? 'completed' : 'saved'}: ${reason}.`, false);
    };
    if (complete) {
      const phase = (await deps.response.load(incidentId)).phase?.phase;
      if (phase !== 'post-incident') return reject(`it is completed in ${phaseTitles['post-incident']} (the incident is in ${phaseTitles[phase ?? 'detection']})`);
      const missing = missingForCompletion(input);
      if (missing.length) return reject(`it needs ${missing.join(', ')}`);
    }
    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      const stored = await deps.store.get(incidentId);
      if (stored?.postMortem.status === 'completed') return reject('it is already completed');
      const at = now();
      const by = displayName(who.actor);
      const pm: PostMortem = {
        ...input,
        detectionGaps: input.detectionGaps.map(detectionGapOf),
        status: complete ? 'completed' : 'draft',
        savedAt: at,
        savedBy: by,
        ...(complete ? { completedAt: at, completedBy: by } : {}),
      };
      if (!(await deps.store.save(incidentId, pm, stored?.etag))) continue;
      const sigma = pm.detectionGaps.filter((g) => g.sigmaRule).map((g) => g.sigmaRule);
      await auditResponse(deps.audit, who, {
        action: verb,
        outcome: 'succeeded',
        incident,
        detail: { status: pm.status, preventionActions: pm.preventionActions.length, detectionGaps: pm.detectionGaps.length, sigmaRules: sigma },
      });
      return answer(ctx, complete ? `Post-mortem completed by ${by}.` : `Post-mortem draft saved by ${by}.`, true, verb);
    }
    return { error: { status: 409, code: 'ARGUS_CONFLICT', message: 'The post-mortem kept changing; try again.' } };
  }

  return [
    { verb: postMortemVerbs.save, role: 'responder', needsIncident: true, handle: (ctx) => act(ctx, false) },
    { verb: postMortemVerbs.complete, role: 'responder', needsIncident: true, handle: (ctx) => act(ctx, true) },
  ];
}
