import { randomUUID } from 'node:crypto';
import { ActivityTypes, TurnContext, type Activity } from 'botbuilder';
import type { AuditLog } from '../audit/audit-log';
import { ArgusError, toArgusError } from '../errors/catalog';
import type { ArgusMetrics } from '../observability/metrics';
import type { Logger } from '../logging/logger';
import { actorFromActivity, parseCommandText } from './actor';
import type { Authorizer } from './authorize';
import { messageActionInvokes, runMessageAction, taskModuleBody } from './message-actions';
import { baseConversationId, type ConversationKind, type ConversationStore } from './conversation-store';
import type { AdaptiveCard, CardActionResult, CommandReply, RequestContext, TeamsRegistry } from './registry';

export interface TurnHandlerOptions {
  registry: TeamsRegistry;
  authorizer: Authorizer;
  conversations: ConversationStore;
  audit: AuditLog;
  logger: Logger;
  metrics: ArgusMetrics;
  /** The home tenant: a team install from it is kept even when the installer has no Argus role. */
  homeTenantId: string;
  /** The reply to unknown text and to `help`. */
  help(): AdaptiveCard;
  notice(title: string, text: string, style: 'good' | 'attention' | 'warning' | 'accent' | 'default'): AdaptiveCard;
  /** Told of every allowed card action that was answered with a card (who acts lately comes first for per-user views). */
  onCardAction?(actor: RequestContext['actor'], verb: string): void;
}

export const cardContentType = 'application/vnd.microsoft.card.adaptive';
export const errorContentType = 'application/vnd.microsoft.error';

function conversationKind(activity: Partial<Activity>): ConversationKind {
  const t = activity.conversation?.conversationType;
  return t === 'channel' || t === 'groupChat' || t === 'personal' ? t : activity.conversation?.isGroup ? 'groupChat' : 'personal';
}

/** The bot's turn logic: card actions, commands, install and uninstall. */
export function createTurnHandler(options: TurnHandlerOptions): (context: TurnContext) => Promise<void> {
  const { registry, authorizer, logger } = options;

  function requestContext(activity: Partial<Activity>, decision: RequestContext['decision']): RequestContext {
    const raw = activity.conversation?.id ?? '';
    const correlationId = randomUUID();
    return {
      actor: actorFromActivity(activity),
      decision,
      conversationId: baseConversationId(raw),
      rawConversationId: raw,
      conversationKind: conversationKind(activity),
      correlationId,
      log: logger.child({ correlationId, activityId: activity.id }),
      ...(activity.serviceUrl && activity.recipient?.id ? { origin: { serviceUrl: activity.serviceUrl, botId: activity.recipient.id } } : {}),
    };
  }

  async function respondInvoke(context: TurnContext, result: CardActionResult): Promise<void> {
    const body =
      'card' in result
        ? { statusCode: 200, type: cardContentType, value: result.card }
        : { statusCode: result.error.status, type: errorContentType, value: { code: result.error.code, message: result.error.message } };
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
  }

  function fail(status: number, code: ArgusError['code'], message: string): CardActionResult {
    return { error: { status, code, message } };
  }

  async function cardAction(context: TurnContext, ctxBase: RequestContext): Promise<CardActionResult> {
    const value = context.activity.value as { action?: { type?: unknown; verb?: unknown; data?: unknown } } | undefined;
    const verb = value?.action?.verb;
    if (value?.action?.type !== 'Action.Execute' || typeof verb !== 'string')
      return fail(400, 'ARGUS_BAD_REQUEST', 'The card action is malformed: expected Action.Execute with a verb.');
    const def = registry.actions.get(verb);
    if (!def) return fail(400, 'ARGUS_UNKNOWN_VERB', `Argus does not know the action '${verb.slice(0, 80)}'.`);
    const data = value.action.data && typeof value.action.data === 'object' && !Array.isArray(value.action.data) ? (value.action.data as Record<string, unknown>) : {};
    const incidentId = data.incidentId;
    if (def.needsIncident && (typeof incidentId !== 'string' || !/^[\w.:-]{1,128}$/.test(incidentId)))
      return fail(400, 'ARGUS_BAD_REQUEST', 'The card action has no valid incidentId.');
    const auth = await authorizer.check({
      actor: ctxBase.actor,
      need: def.role,
      homeTenantId: options.homeTenantId,
      action: `card.${verb}`,
      target: typeof incidentId === 'string' ? incidentId : undefined,
      correlationId: ctxBase.correlationId,
      auditAllowed: true,
      detail: { conversationId: ctxBase.conversationId },
    });
    const ctx = { ...ctxBase, decision: auth.decision, data };
    if (!auth.allowed) {
      options.metrics.invokes.inc({ verb, outcome: 'denied' });
      const card = (await def.denied?.(ctx, auth.message).catch(() => undefined)) ?? options.notice('Access denied', auth.message, 'attention');
      return { card };
    }
    const result = await def.handle(ctx);
    options.metrics.invokes.inc({ verb, outcome: 'card' in result ? 'ok' : 'error' });
    if ('card' in result) options.onCardAction?.(ctx.actor, verb);
    return result;
  }

  async function command(context: TurnContext, ctxBase: RequestContext): Promise<CommandReply> {
    const { name, args } = parseCommandText(context.activity.text);
    const def = registry.commands.get(name);
    if (!def) return { card: options.help() };
    if (def.role !== 'anyone') {
      const auth = await authorizer.check({
        actor: ctxBase.actor,
        need: def.role,
        homeTenantId: options.homeTenantId,
        action: `command.${def.name}`,
        target: ctxBase.conversationId,
        correlationId: ctxBase.correlationId,
        auditAllowed: def.audited,
        detail: { args: args.slice(0, 10) },
      });
      if (!auth.allowed) return { card: options.notice('Access denied', auth.message, 'attention') };
      return def.run({ ...ctxBase, decision: auth.decision }, args);
    }
    return def.run(ctxBase, args);
  }

  /**
   * Why Argus may keep a conversation's reference (what proactive cards need), or undefined.
   * Not for everyone who messages the bot: only people with a role, and team installs from the
   * home tenant (routing rules name channels whose installer may hold no Argus role).
   */
  async function keepBasis(ctx: RequestContext, teamId: string | undefined, trigger: 'install' | 'message'): Promise<string | undefined> {
    if (trigger === 'install' && ctx.conversationKind === 'channel' && teamId && ctx.actor.tenantId === options.homeTenantId) return 'team install in the home tenant';
    const decision = await authorizer.roleOf(ctx.actor);
    return decision.role ? `${decision.federated ? 'federated ' : ''}${decision.role}` : undefined;
  }

  async function install(activity: Partial<Activity>, ctx: RequestContext, trigger: 'install' | 'message'): Promise<void> {
    const channelData = activity.channelData as { team?: { id?: string } } | undefined;
    const basis = await keepBasis(ctx, channelData?.team?.id, trigger);
    if (!basis) {
      // A message from someone without a role is still answered, from the inbound turn.
      if (trigger === 'install')
        await auditConversation('teams.installed', 'denied', ctx, { kind: ctx.conversationKind, teamId: channelData?.team?.id ?? null, reason: 'the installer has no Argus role' });
      else ctx.log.debug({ conversationId: ctx.conversationId }, 'conversation not stored: the sender has no Argus role');
      return;
    }
    await options.conversations.upsert({
      conversationId: ctx.conversationId,
      kind: ctx.conversationKind,
      tenantId: ctx.actor.tenantId,
      teamId: channelData?.team?.id,
      reference: { ...TurnContext.getConversationReference(activity), activityId: undefined },
      installedAt: new Date().toISOString(),
      installedBy: ctx.actor.aadObjectId,
    });
    await auditConversation('teams.installed', 'succeeded', ctx, { kind: ctx.conversationKind, teamId: channelData?.team?.id ?? null, basis });
  }

  function auditConversation(action: string, outcome: 'succeeded' | 'denied', ctx: RequestContext, detail: Record<string, unknown>) {
    return options.audit.append({
      action,
      outcome,
      actorId: ctx.actor.aadObjectId,
      actorName: ctx.actor.name,
      actorTenantId: ctx.actor.tenantId,
      target: ctx.conversationId,
      correlationId: ctx.correlationId,
      detail,
    });
  }

  async function uninstall(activity: Partial<Activity>, ctx: RequestContext): Promise<void> {
    const channelData = activity.channelData as { team?: { id?: string } } | undefined;
    const removed = await options.conversations.remove(ctx.conversationId, channelData?.team?.id);
    await auditConversation('teams.uninstalled', 'succeeded', ctx, { removed });
  }

  return async (context) => {
    const activity = context.activity;
    const ctx = requestContext(activity, { roles: [], federated: false, reasons: [] });
    if (activity.type === ActivityTypes.Invoke && (messageActionInvokes as readonly unknown[]).includes(activity.name)) {
      let body: Record<string, unknown>;
      try {
        body = taskModuleBody(await runMessageAction(activity, ctx, { registry, authorizer, homeTenantId: options.homeTenantId }));
      } catch (err) {
        // Answered even so: a handler that throws would leave Teams with botbuilder's empty 501.
        ctx.log.error({ err }, 'message action failed');
        body = taskModuleBody({ message: `Argus could not complete this action (correlation id ${ctx.correlationId}).` });
      }
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
      return;
    }
    if (activity.type === ActivityTypes.Invoke) {
      let result: CardActionResult;
      try {
        result =
          activity.name === 'adaptiveCard/action'
            ? await cardAction(context, ctx)
            : fail(400, 'ARGUS_BAD_REQUEST', `Argus does not handle invoke '${String(activity.name).slice(0, 80)}'.`);
      } catch (err) {
        // Never let botbuilder answer an empty 501: every invoke gets a response.
        const e = toArgusError(err);
        ctx.log.error({ err }, 'card action failed');
        result = fail(e.status, e.code, e.status >= 500 ? `Argus could not complete this action (correlation id ${ctx.correlationId}).` : e.message);
      }
      await respondInvoke(context, result);
      return;
    }
    if (activity.type === ActivityTypes.Message) {
      let reply: CommandReply;
      try {
        if (!(await options.conversations.get(ctx.conversationId))) await install(activity, ctx, 'message');
        reply = await command(context, ctx);
      } catch (err) {
        ctx.log.error({ err }, 'command failed');
        reply = { card: options.notice('Something went wrong', `Argus could not run that command (correlation id ${ctx.correlationId}).`, 'attention') };
      }
      await context.sendActivity(
        reply.card
          ? { type: 'message', attachments: [{ contentType: cardContentType, content: reply.card }], text: reply.text }
          : { type: 'message', text: reply.text ?? '' },
      );
      return;
    }
    const botId = activity.recipient?.id;
    if (activity.type === ActivityTypes.InstallationUpdate) {
      if (String(activity.action).startsWith('add')) await install(activity, ctx, 'install');
      else if (String(activity.action).startsWith('remove')) await uninstall(activity, ctx);
      return;
    }
    if (activity.type === ActivityTypes.ConversationUpdate) {
      const eventType = (activity.channelData as { eventType?: string } | undefined)?.eventType;
      if (activity.membersAdded?.some((m) => m.id === botId)) await install(activity, ctx, 'install');
      else if (activity.membersRemoved?.some((m) => m.id === botId) || eventType === 'teamDeleted') await uninstall(activity, ctx);
    }
  };
}
