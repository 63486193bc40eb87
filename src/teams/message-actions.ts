import type { Activity } from 'botbuilder';
import type { Authorizer } from './authorize';
import { ADAPTIVE_CARD_CONTENT_TYPE as cardContentType } from '../cards/content-type';
import type { ActedOnMessage, RequestContext, TaskModuleResult, TeamsRegistry } from './registry';

/** The invokes of a manifest message action (`composeExtensions` action command). */
export const messageActionInvokes = ['composeExtension/fetchTask', 'composeExtension/submitAction'] as const;

interface MessagePayload {
  id?: unknown;
  linkToMessage?: unknown;
  createdDateTime?: unknown;
  from?: { user?: { displayName?: unknown; aadObjectId?: unknown } };
  body?: { contentType?: unknown; content?: unknown };
}

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined);

/** HTML of a Teams message as plain text: tags dropped, the common entities decoded, blank runs folded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/(p|div|li|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}

/** The message a message action was started on, from the invoke's `messagePayload` (text as plain text). */
export function actedOnMessage(payload: unknown): ActedOnMessage | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const p = payload as MessagePayload;
  const content = typeof p.body?.content === 'string' ? p.body.content.slice(0, 20_000) : '';
  const text = p.body?.contentType === 'html' ? htmlToText(content) : content.trim();
  const link = str(p.linkToMessage, 2_000);
  return {
    id: str(p.id, 200),
    text,
    senderName: str(p.from?.user?.displayName, 200),
    senderAadObjectId: str(p.from?.user?.aadObjectId, 100),
    link: link && /^https:\/\//i.test(link) ? link : undefined,
    createdAt: str(p.createdDateTime, 40),
  };
}

/** The invoke answer Teams expects for a task module result. */
export function taskModuleBody(result: TaskModuleResult): Record<string, unknown> {
  if ('message' in result) return { task: { type: 'message', value: result.message.slice(0, 500) } };
  return {
    task: {
      type: 'continue',
      value: { title: result.form.title, height: 'medium', width: 'medium', card: { contentType: cardContentType, content: result.form.card } },
    },
  };
}

/**
 * A `composeExtension/fetchTask` or `composeExtension/submitAction` invoke: the action's access
 * level is checked (denials audited), then its handler answers. Errors are the caller's to turn
 * into an answer (an invoke is always answered).
 */
export async function runMessageAction(
  activity: Partial<Activity>,
  ctx: RequestContext,
  deps: { registry: TeamsRegistry; authorizer: Authorizer; homeTenantId: string },
): Promise<TaskModuleResult> {
  const value = (activity.value ?? {}) as { commandId?: unknown; messagePayload?: unknown; data?: unknown };
  const def = typeof value.commandId === 'string' ? deps.registry.messageActions.get(value.commandId) : undefined;
  if (!def) return { message: 'Argus does not know this action.' };
  const submit = activity.name === 'composeExtension/submitAction';
  const auth = await deps.authorizer.check({
    actor: ctx.actor,
    need: def.role,
    homeTenantId: deps.homeTenantId,
    action: `message-action.${def.commandId}`,
    target: ctx.conversationId,
    correlationId: ctx.correlationId,
    detail: { stage: submit ? 'submit' : 'fetch' },
  });
  if (!auth.allowed) return { message: auth.message };
  const full = { ...ctx, decision: auth.decision, message: actedOnMessage(value.messagePayload) };
  if (!submit) return def.fetchTask(full);
  const data = value.data && typeof value.data === 'object' && !Array.isArray(value.data) ? (value.data as Record<string, unknown>) : {};
  return def.submit({ ...full, data });
}
