import { renderApprovalCard, type CardNotice } from '../cards';
import { cardDateTime } from '../cards/text';
import type { CardPublisher } from '../incidents/card-publisher';
import { viewerOf } from '../incidents/incident-actions';
import type { IncidentRecord } from '../incidents/incident-repository';
import type { CardActionResult, RequestContext, CardActionDefinition } from '../teams/registry';
import type { PlaybookCatalog } from './catalog';
import { statusLabels } from './playbook';
import type { RunDeps } from './run-context';
import { decideApproval, requestRun, type Requester } from './run-requests';
import { approvalView, runTitle } from './run-views';

export interface PlaybookActionDeps {
  run: RunDeps;
  catalog: PlaybookCatalog;
  publisher: Pick<CardPublisher, 'render'>;
}

type Ctx = RequestContext & { data: Record<string, unknown> };

/** The Action.Execute verbs of playbooks; the cards send these. */
export const playbookVerbs = { run: 'playbook.run', approve: 'playbook.approve', reject: 'playbook.reject' } as const;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function str(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.trim() && v.length <= max ? v.trim() : undefined;
}

function fail(status: number, code: 'ARGUS_BAD_PAYLOAD' | 'ARGUS_NOT_FOUND', message: string): CardActionResult {
  return { error: { status, code, message } };
}

const who = (ctx: Ctx): Requester => ({ actor: ctx.actor, decision: ctx.decision, correlationId: ctx.correlationId });

/**
 * playbook.run (a playbook button), playbook.approve and playbook.reject (the approval card). The
 * registry lets any Argus role through; the playbook's own role, the approver rules and everything
 * else are decided (and audited) by the run requests. Each answers at once with the refreshed
 * card; starting the run happens in the background.
 */
export function playbookActions(deps: PlaybookActionDeps): CardActionDefinition[] {
  const actions: CardActionDefinition[] = [];
  async function incidentCard(ctx: Ctx, notice: CardNotice & { style: NonNullable<CardNotice['style']> }): Promise<CardActionResult> {
    const record: IncidentRecord | undefined = await deps.run.incidents.get(String(ctx.data.incidentId));
    if (!record) return fail(404, 'ARGUS_NOT_FOUND', 'Argus does not know this incident.');
    return { card: await deps.publisher.render({ ...record, notice: { ...notice, at: new Date().toISOString() } }, viewerOf(ctx)) };
  }

  actions.push({
    verb: playbookVerbs.run,
    role: 'reader',
    needsIncident: true,
    async handle(ctx) {
      const playbookId = str(ctx.data.playbookId, 80);
      if (!playbookId) return fail(400, 'ARGUS_BAD_PAYLOAD', 'The card action names no playbook.');
      const entityId = str(ctx.data.entityId, 1000);
      const outcome = await requestRun(deps.run, who(ctx), { incidentName: String(ctx.data.incidentId), playbookId, entityId });
      switch (outcome.kind) {
        case 'incident-not-found':
          return fail(404, 'ARGUS_NOT_FOUND', 'Argus does not know this incident.');
        case 'denied':
          return incidentCard(ctx, { text: `Not run: ${outcome.reason}`, style: 'attention' });
        case 'in-progress': {
          const r = outcome.run;
          const text = r
            ? `${runTitle(r)} is already in progress (${statusLabels[r.status]}, requested by ${r.requestedBy.name ?? 'someone'}). Nothing new was started.`
            : 'This playbook is being started already. Nothing new was started.';
          return incidentCard(ctx, { text, style: 'accent' });
        }
        case 'started': {
          const r = outcome.run;
          const text = r.approval
            ? `${runTitle(r)} awaits approval by an ${r.approval.approverRole} other than you, until ${cardDateTime(r.approval.expiresAt)}.`
            : `${runTitle(r)} requested; Argus is starting it (correlation id ${r.correlationId}).`;
          return incidentCard(ctx, { text, style: r.approval ? 'warning' : 'good' });
        }
      }
    },
  });

  for (const approve of [true, false]) {
    actions.push({
      verb: approve ? playbookVerbs.approve : playbookVerbs.reject,
      role: 'reader',
      needsIncident: true,
      async handle(ctx) {
        const runId = str(ctx.data.runId, 36);
        if (!runId || !uuid.test(runId)) return fail(400, 'ARGUS_BAD_PAYLOAD', 'The card action names no valid run.');
        const outcome = await decideApproval(deps.run, who(ctx), { incidentName: String(ctx.data.incidentId), runId, approve });
        if (outcome.kind === 'not-found') return fail(404, 'ARGUS_NOT_FOUND', 'Argus has no such playbook run on this incident.');
        const playbook = deps.catalog.get(outcome.run.playbookId);
        const notice: CardNotice | undefined =
          outcome.kind === 'denied'
            ? { text: `Not allowed: ${outcome.reason}`, style: 'attention' }
            : outcome.kind === 'not-pending'
              ? { text: `This request is no longer pending (${statusLabels[outcome.run.status]}).`, style: 'accent' }
              : undefined;
        return { card: renderApprovalCard(approvalView(outcome.run, playbook, notice)) };
      },
    });
  }
  return actions;
}
