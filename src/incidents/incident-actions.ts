import type { AuditLog } from '../audit/audit-log';
import type { CardActionResult, RequestContext, CardActionDefinition } from '../teams/registry';
import type { CardPublisher, CardViewer, ThreadNote } from './card-publisher';
import type { CloseGate } from './close-gate';
import {
  classificationReasons,
  classifications,
  severities,
  type Classification,
  type ClassificationReason,
  type Incident,
} from './incident';
import type { IncidentService, LocalMutation } from './incident-service';

export interface IncidentActionDeps {
  service: IncidentService;
  publisher: CardPublisher;
  audit: AuditLog;
  tenantId: string;
  /** The response lifecycle's closing gate (a classification, a completed post-mortem…); absent: none. */
  closeGate?: CloseGate;
}

type Ctx = RequestContext & { data: Record<string, unknown> };

/** Sentinel accepts each classification only with these reasons; the first is the default. */
const reasonsFor: Record<Classification, readonly ClassificationReason[]> = {
  TruePositive: ['SuspiciousActivity'],
  BenignPositive: ['SuspiciousButExpected'],
  FalsePositive: ['IncorrectAlertLogic', 'InaccurateData'],
  Undetermined: [],
};

const upnPattern = /^[^\s@<>"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$/;

function who(ctx: Ctx): string {
  return ctx.actor.name ?? ctx.actor.aadObjectId ?? 'someone';
}

function stamp(): string {
  return `${new Date().toISOString().slice(11, 16)} UTC`;
}

export function viewerOf(ctx: RequestContext): CardViewer {
  return { role: ctx.decision.role, aadObjectId: ctx.actor.aadObjectId, tenantId: ctx.actor.tenantId };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function badInput(message: string): CardActionResult {
  return { error: { status: 400, code: 'ARGUS_BAD_PAYLOAD', message } };
}

/**
 * The incident card's verbs: acknowledge, assign, severity, close, comment, refresh, view; and the
 * close path itself, which `incident.phase` to closed also takes (same inputs, same gate).
 */
export function incidentActions(deps: IncidentActionDeps): { actions: CardActionDefinition[]; closeIncident(ctx: Ctx, verb: string): Promise<CardActionResult> } {
  const actions: CardActionDefinition[] = [];
  const { service, publisher } = deps;

  async function cardFor(ctx: Ctx, notice?: { text: string; style: 'attention' | 'warning' | 'good' }): Promise<CardActionResult> {
    const record = await service.get(String(ctx.data.incidentId));
    if (!record) return { error: { status: 404, code: 'ARGUS_NOT_FOUND', message: 'Argus does not know this incident.' } };
    const shown = notice ? { ...record, notice: { ...notice, at: new Date().toISOString() } } : record;
    return { card: await publisher.render(shown, viewerOf(ctx)) };
  }

  async function change(
    ctx: Ctx,
    verb: string,
    mutate: (i: Incident) => LocalMutation | CardActionResult,
    threadNote?: ThreadNote,
  ): Promise<CardActionResult> {
    let invalid: CardActionResult | undefined;
    const result = await service.changeLocally(String(ctx.data.incidentId), verb, ctx.actor, ctx.correlationId, (incident) => {
      const m = mutate(incident);
      if ('kind' in m) return m;
      invalid = m;
      return { kind: 'noop', reason: 'invalid' };
    }, { threadNote });
    if (invalid) return invalid;
    if (result.noop) {
      const shown = { ...result.record, notice: { text: result.noop, style: 'accent' as const, at: new Date().toISOString() } };
      return { card: await publisher.render(shown, viewerOf(ctx)) };
    }
    return { card: await publisher.render(result.record, viewerOf(ctx)) };
  }

  const ownerOf = (ctx: Ctx): Incident['owner'] => {
    const home = ctx.actor.tenantId === deps.tenantId;
    return { objectId: home ? ctx.actor.aadObjectId : undefined, assignedTo: ctx.actor.name };
  };

  const denied = async (ctx: Ctx, message: string) => {
    const r = await cardFor({ ...ctx, decision: { ...ctx.decision, role: undefined } }, { text: `Access denied: ${message}`, style: 'attention' });
    return 'card' in r && ctx.decision.role ? r.card : undefined;
  };

  /** A responder's change to the incident: `mutate` says what changes (or why nothing does). */
  const responderChange = (verb: string, mutate: (i: Incident, ctx: Ctx) => LocalMutation | CardActionResult): CardActionDefinition => ({
    verb,
    role: 'responder',
    needsIncident: true,
    denied,
    handle: (ctx) => change(ctx, verb, (i) => mutate(i, ctx)),
  });

  actions.push(
    responderChange('incident.acknowledge', (i, ctx) => {
      if (i.status === 'Closed') return { kind: 'noop', reason: 'This incident is closed.' };
      if (i.status === 'Active' && i.owner?.objectId && i.owner.objectId === ctx.actor.aadObjectId)
        return { kind: 'noop', reason: `Already acknowledged by ${who(ctx)}.` };
      const owner = ownerOf(ctx);
      return {
        kind: 'change',
        incident: { ...i, status: 'Active', owner },
        summary: `Acknowledged by ${who(ctx)} · ${stamp()}`,
        writeback: { change: { status: 'Active', owner } },
      };
    }),
  );

  actions.push(
    responderChange('incident.assign', (i, ctx) => {
      const assignee = str(ctx.data.assignee);
      if (assignee && !upnPattern.test(assignee)) return badInput('The assignee must be a user principal name or email address.');
      const owner = assignee ? { userPrincipalName: assignee, email: assignee, assignedTo: assignee } : ownerOf(ctx);
      const name = assignee ?? who(ctx);
      if (i.owner?.assignedTo === owner?.assignedTo && i.owner?.objectId === owner?.objectId) return { kind: 'noop', reason: `Already assigned to ${name}.` };
      return { kind: 'change', incident: { ...i, owner }, summary: `Assigned to ${name} by ${who(ctx)} · ${stamp()}`, writeback: { change: { owner } } };
    }),
  );

  actions.push(
    responderChange('incident.severity', (i, ctx) => {
      const severity = severities.find((s) => s === ctx.data.severity);
      if (!severity) return badInput(`Choose a severity: ${severities.join(', ')}.`);
      if (severity === i.severity) return { kind: 'noop', reason: `Severity is already ${severity}.` };
      return {
        kind: 'change',
        incident: { ...i, severity },
        summary: `Severity ${i.severity} → ${severity} by ${who(ctx)} · ${stamp()}`,
        writeback: { change: { severity } },
      };
    }),
  );

  /** Closing: the inputs Sentinel needs, then the close gate, then the change (and the response phase follows). */
  async function closeIncident(ctx: Ctx, verb: string): Promise<CardActionResult> {
    const classification = classifications.find((c) => c === ctx.data.classification);
    if (!classification) return badInput(`Closing needs a classification: ${classifications.join(', ')}.`);
    const allowed = reasonsFor[classification];
    const asked = str(ctx.data.classificationReason);
    const reason = asked ? classificationReasons.find((r) => r === asked) : allowed[0];
    if (asked && (!reason || !allowed.includes(reason)))
      return badInput(`${classification} takes the reason ${allowed.length ? allowed.join(' or ') : '(none)'}.`);
    const record = await service.get(String(ctx.data.incidentId));
    const gate = deps.closeGate;
    if (gate && record && record.incident.status !== 'Closed') {
      const refused = await gate.check(record.incident, classification);
      if (refused.length) {
        await deps.audit.append({
          action: verb,
          outcome: 'rejected',
          actorId: ctx.actor.aadObjectId,
          actorName: ctx.actor.name,
          actorTenantId: ctx.actor.tenantId,
          roles: ctx.decision.roles,
          target: record.incident.name,
          correlationId: ctx.correlationId,
          detail: { to: 'closed', classification, reasons: refused },
        });
        return cardFor(ctx, { text: `Not closed: ${refused.join('; ')}.`, style: 'attention' });
      }
    }
    let closed: Incident | undefined;
    const result = await change(ctx, verb, (i) => {
      closed = undefined;
      if (i.status === 'Closed') return { kind: 'noop', reason: `Already closed as ${i.classification ?? 'closed'}.` };
      const comment = str(ctx.data.classificationComment)?.slice(0, 3000);
      const fields = { status: 'Closed' as const, classification, classificationReason: reason, classificationComment: comment };
      closed = { ...i, ...fields };
      return { kind: 'change', incident: closed, summary: `Closed as ${classification} by ${who(ctx)} · ${stamp()}`, writeback: { change: fields } };
    });
    if (closed && gate && 'card' in result) await gate.closed(closed, verb, { actor: ctx.actor, decision: ctx.decision, correlationId: ctx.correlationId });
    return result;
  }

  actions.push({ verb: 'incident.close', role: 'responder', needsIncident: true, denied, handle: (ctx) => closeIncident(ctx, 'incident.close') });

  actions.push({
    verb: 'incident.comment',
    role: 'responder',
    needsIncident: true,
    denied,
    handle: async (ctx) => {
      const comment = str(ctx.data.comment);
      if (!comment) return badInput('Write a comment first.');
      if (comment.length > 30_000) return badInput('A comment may hold at most 30,000 characters.');
      return change(
        ctx,
        'incident.comment',
        (i) => ({ kind: 'change', incident: i, summary: `Comment by ${who(ctx)} · ${stamp()}`, writeback: { change: {}, comment } }),
        { kind: 'person', text: `💬 ${who(ctx)}: ${comment.slice(0, 2000)}` },
      );
    },
  });

  for (const verb of ['incident.refresh', 'incident.view']) {
    actions.push({ verb, role: 'reader', needsIncident: true, handle: (ctx) => cardFor(ctx) });
  }
  return { actions, closeIncident };
}
