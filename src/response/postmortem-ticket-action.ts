import type { AuditLog } from '../audit/audit-log';
import type { CardPublisher } from '../incidents/card-publisher';
import { viewerOf } from '../incidents/incident-actions';
import type { CardActionDefinition, CardActionResult, RequestContext } from '../teams/registry';
import type { FollowUpTicketPort } from './follow-up-port';
import { displayName } from './plan-assignment';
import type { PostMortemStore } from './postmortem';
import type { ActionTicket, ActionTicketStore } from './postmortem-tickets';
import { auditResponse } from './response-audit';
import type { IncidentStatePort, ResponseActor } from './response-ports';

export const postMortemTicketVerb = 'postmortem.ticket';

export interface PostMortemTicketDeps {
  postMortems: Pick<PostMortemStore, 'get'>;
  tickets: ActionTicketStore;
  /** Absent without an ITSM: the verb says so. */
  followUps: FollowUpTicketPort | undefined;
  incidents: IncidentStatePort;
  publisher: Pick<CardPublisher, 'render'>;
  audit: AuditLog;
  now?: () => number;
}

type Ctx = RequestContext & { data: Record<string, unknown> };
/** A claim older than this was left by an instance that died mid-call: taken over. */
const staleClaimMs = 60_000;

/**
 * postmortem.ticket {incidentId, index} (responders; audited): opens a follow-up ticket in the
 * ITSM for prevention action `index` (1-based) of the completed post-mortem, titled with the
 * action's stored text. Idempotent: once created, a click answers the same ticket.
 */
export function postMortemTicketAction(deps: PostMortemTicketDeps): CardActionDefinition {
  const now = deps.now ?? Date.now;

  async function handle(ctx: Ctx): Promise<CardActionResult> {
    const incidentId = String(ctx.data.incidentId);
    const who: ResponseActor = { actor: ctx.actor, decision: ctx.decision, correlationId: ctx.correlationId };
    const found = await deps.incidents.get(incidentId);
    if (!found) return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
    const { incident } = found;
    const n = Number(ctx.data.index);
    const audit = (outcome: 'succeeded' | 'rejected' | 'failed', detail: Record<string, unknown>) =>
      auditResponse(deps.audit, who, { action: postMortemTicketVerb, outcome, incident, detail: { index: Number.isInteger(n) ? n : String(ctx.data.index), ...detail } });
    const answer = async (text: string, ok: boolean, thread = false): Promise<CardActionResult> => {
      const record = thread ? await deps.incidents.record(incidentId, { verb: postMortemTicketVerb, summary: text, threadNote: text }, who) : found;
      return { card: await deps.publisher.render({ ...(record ?? found), notice: { text, style: ok ? 'good' : 'attention', at: new Date(now()).toISOString() } }, viewerOf(ctx)) };
    };
    const reject = async (reason: string) => {
      await audit('rejected', { reason });
      return answer(`No ticket created: ${reason}.`, false);
    };

    if (!deps.followUps) return reject('no ITSM is configured');
    const pm = (await deps.postMortems.get(incidentId))?.postMortem;
    if (pm?.status !== 'completed') return reject('the post-mortem is not completed');
    if (!Number.isInteger(n) || n < 1 || n > pm.preventionActions.length) return reject(`the post-mortem has no prevention action ${String(ctx.data.index).slice(0, 10)}`);
    const action = pm.preventionActions[n - 1]!;
    const port = deps.followUps;

    const row = await deps.tickets.get(incidentId, n);
    if (row?.state === 'created') {
      await audit('succeeded', { number: row.ticket.number, existing: true });
      return answer(`Prevention action ${n} already has ticket ${row.ticket.number}.`, true);
    }
    const stale = row && now() - row.claimedAt > staleClaimMs ? row.etag : undefined;
    const claim = row && !stale ? undefined : await deps.tickets.claim(incidentId, n, now(), stale);
    if (!claim) return reject(`the ticket for prevention action ${n} is being created; try again in a minute`);
    let ticket: ActionTicket;
    try {
      // A ticket opened by a call whose answer was lost is found by its correlation value.
      const opened =
        (await port.find(incidentId, n)) ??
        (await port.create({
          incidentId,
          incidentNumber: incident.number,
          n,
          title: action,
          description: `Prevention action ${n} of the post-mortem of Sentinel incident ${incident.number} (${incident.title}):\n\n${action}`,
          severity: incident.severity,
        }));
      ticket = { ...opened, action, createdBy: displayName(ctx.actor), createdAt: new Date(now()).toISOString() };
    } catch (err) {
      await deps.tickets.release(incidentId, n, claim).catch(() => undefined);
      await audit('failed', { error: err instanceof Error ? err.message : String(err) });
      return answer(`No ticket created: ${port.providerLabel} did not answer; try again later.`, false);
    }
    await deps.tickets.complete(incidentId, n, ticket, claim);
    await audit('succeeded', { number: ticket.number, provider: port.providerLabel });
    return answer(`Ticket ${ticket.number} opened in ${port.providerLabel} for prevention action ${n} by ${ticket.createdBy}.`, true, true);
  }

  return { verb: postMortemTicketVerb, role: 'responder', needsIncident: true, handle };
}
