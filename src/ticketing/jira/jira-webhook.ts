import { z } from 'zod';
import { secretNames } from '../../config/secret-provider';
import type { TicketUpdatedPayload } from '../../events/event-map';
import type { WebhookSpec } from '../../ingress/webhook-handler';
import { itsmWebhookSpec } from '../itsm-webhook';
import { correlationOf, statusFromCategory } from './jira-issue';

/**
 * POST /api/webhooks/itsm/jira: Jira's native webhook body (issue created/updated, comment
 * created), signed by Jira with `X-Hub-Signature: sha256=…` (secret jira-webhook-secret).
 */
export const jiraWebhookSchema = z.object({
  timestamp: z.number().int().positive(),
  webhookEvent: z.string().min(1).max(100),
  issue: z.object({
    id: z.union([z.string().regex(/^\d{1,20}$/), z.number().int()]),
    key: z.string().min(1).max(64),
    fields: z.record(z.string(), z.unknown()).optional(),
  }),
  comment: z
    .object({
      id: z.union([z.string(), z.number()]).optional(),
      body: z.unknown(),
      author: z.object({ displayName: z.string().optional() }).partial().nullish(),
    })
    .optional(),
});

export type JiraWebhook = z.output<typeof jiraWebhookSchema>;

const paragraphEnd = Symbol('paragraph end');

/**
 * Comment bodies are wiki text in webhooks, but Atlassian Document Format in API v3 shapes: both give
 * text. The document is walked with an explicit stack, not recursion: it is the sender's data, and
 * its depth is whatever the sender chose.
 */
export function commentText(body: unknown): string {
  if (typeof body === 'string') return body;
  const out: string[] = [];
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === paragraphEnd) {
      out.push('\n');
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    const n = node as { type?: unknown; text?: unknown; content?: unknown };
    if (typeof n.text === 'string') out.push(n.text);
    if (Array.isArray(n.content)) {
      if (n.type === 'paragraph') stack.push(paragraphEnd);
      for (let i = n.content.length - 1; i >= 0; i -= 1) stack.push(n.content[i]);
    }
  }
  return out.join('').trim();
}

export function jiraWebhookToPayload(hook: JiraWebhook, correlationField: string): TicketUpdatedPayload {
  const fields = hook.issue.fields ?? {};
  const payload: TicketUpdatedPayload = {
    provider: 'jira',
    ticketId: String(hook.issue.id),
    number: hook.issue.key,
    correlationId: correlationOf(fields, correlationField),
    version: hook.timestamp,
    updatedAt: new Date(hook.timestamp).toISOString(),
    kind: hook.webhookEvent,
  };
  const status = fields.status as { name?: unknown; statusCategory?: { key?: unknown } } | undefined;
  if (status && typeof status === 'object') {
    payload.status = statusFromCategory(typeof status.statusCategory?.key === 'string' ? status.statusCategory.key : undefined);
    payload.statusLabel = typeof status.name === 'string' ? status.name : undefined;
  }
  if ('assignee' in fields) {
    const a = fields.assignee as { displayName?: unknown } | null;
    payload.assignee = a && typeof a.displayName === 'string' ? a.displayName : null;
  }
  // Only comment_created carries a new comment: jira:issue_updated repeats it for issue_commented.
  if (hook.comment && hook.webhookEvent === 'comment_created') {
    const text = commentText(hook.comment.body).trim();
    if (text) payload.note = { text, author: hook.comment.author?.displayName };
  }
  return payload;
}

export function jiraWebhookSpec(correlationField: string): WebhookSpec<JiraWebhook> {
  return itsmWebhookSpec({
    provider: 'jira',
    secretName: secretNames.jiraWebhook,
    scheme: 'hub',
    schema: jiraWebhookSchema,
    // Issue id + timestamp names one change; the event name keeps a comment and the issue update it
    // caused (same instant) apart.
    changeKey: (hook) => `${String(hook.issue.id)}|${hook.timestamp}|${hook.webhookEvent}`,
    payload: (hook) => jiraWebhookToPayload(hook, correlationField),
  });
}
