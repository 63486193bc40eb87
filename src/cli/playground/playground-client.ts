import { z } from 'zod';
import { ArgusError } from '../../errors/catalog';

/**
 * The Agents Playground's own HTTP API (what its chat UI calls): read the mocked tenant, post a
 * message as the current user, click an Action.Execute button. Replies arrive on its WebSocket
 * (`/_ws_conversation/v1/conversations/stream`).
 */
const account = z.object({ id: z.string(), name: z.string() });
const configSchema = z.object({
  config: z.object({
    tenantId: z.string(),
    bot: account,
    currentUser: account.extend({ aadObjectId: z.string() }),
    personalChat: z.object({ id: z.string() }),
    groupChats: z.array(account),
    teams: z.array(account.extend({ channels: z.array(account) })).min(1),
  }),
});

export type PlaygroundTenant = z.output<typeof configSchema>['config'];

export interface PostedMessage {
  messageId: string;
  /** In a channel a new message starts a thread: its conversation id (`<channel>;messageid=<id>`). */
  postConversationId?: string;
}

export interface CardActionInput {
  /** The conversation of the card's message (a thread in a channel). */
  conversationId: string;
  /** The card message's id, as the WebSocket told it (`message.messageId`). */
  replyToId: string;
  verb: string;
  data: Record<string, unknown>;
}

export class PlaygroundClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 20_000,
  ) {}

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new ArgusError('ARGUS_DEPENDENCY_FAILED', `playground ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** The mocked tenant. The playground answers once it has reached the bot endpoint (it waits up to 15 s). */
  async tenant(): Promise<PlaygroundTenant> {
    const parsed = configSchema.safeParse(await this.call('GET', '/_internal/v1/config'));
    if (!parsed.success) throw new ArgusError('ARGUS_DEPENDENCY_FAILED', `unexpected playground config: ${parsed.error.message}`);
    return parsed.data.config;
  }

  /**
   * Posts `text` as the current user. In a channel the bot only hears messages that mention it,
   * so `mention` puts `<at>bot</at>` in front and adds the mention entity, as Teams does.
   */
  async say(tenant: PlaygroundTenant, conversationId: string, text: string, options: { mention?: boolean } = {}): Promise<PostedMessage> {
    const at = `<at>${tenant.bot.name}</at>`;
    const body = options.mention
      ? { from: { id: tenant.currentUser.id }, text: `${at} ${text}`, textFormat: 'plain', mentions: [{ mentioned: { id: tenant.bot.id, name: tenant.bot.name }, text: at }] }
      : { from: { id: tenant.currentUser.id }, text, textFormat: 'plain' };
    return (await this.call('POST', `/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, body)) as PostedMessage;
  }

  /** Clicks an Action.Execute button as the current user; answers with the bot's invoke response body. */
  async execute(tenant: PlaygroundTenant, input: CardActionInput): Promise<{ type?: string; value?: unknown; statusCode?: number }> {
    return (await this.call('POST', '/_conversation/v1/invoke', {
      name: 'adaptiveCard/action',
      from: { id: tenant.currentUser.id },
      conversation: { id: input.conversationId },
      replyToId: input.replyToId,
      value: { action: { type: 'Action.Execute', verb: input.verb, data: input.data }, trigger: 'manual' },
    })) as { type?: string; value?: unknown; statusCode?: number };
  }
}
