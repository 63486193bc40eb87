import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { ArgusError } from '../errors/catalog';
import type { ArgusMetrics } from '../observability/metrics';
import { messageText } from '../cards/text';
import type { Logger } from '../logging/logger';
import { backoffMs, retryAfterMs, type HeaderSource } from '../net/retry';
import { statusOf } from '../net/status';
import type { TeamsRateLimiter } from './rate-limiter';
import { baseConversationId, type ConversationStore, type StoredConversation } from './conversation-store';
import { allMembers, type ConversationMember } from './conversation-members';
import type { AdaptiveCard } from './registry';

interface CallTarget {
  client: ConnectorClient;
  stored: StoredConversation;
  reference: Partial<ConversationReference>;
}

/**
 * What Argus sends: an Adaptive Card (with the summary Teams shows in notifications), or a text
 * message. Text carries words from outside Argus (ITSM notes, comments, playbook results, names
 * from Sentinel), so it goes as plain text: rendered as markdown, `[Re-authenticate](https://…)`
 * written by a ticket's reporter would be a link from the trusted bot.
 */
export type TeamsMessage = { card: AdaptiveCard; summary?: string } | { text: string };

/** Port: what the domain asks of Teams. */
export interface TeamsDelivery {
  post(conversationId: string, message: TeamsMessage): Promise<string>;
  update(conversationId: string, activityId: string, message: TeamsMessage): Promise<void>;
  /** A reply in the thread of `parentActivityId` (a channel thread, or a reply in a chat). */
  reply(conversationId: string, parentActivityId: string, message: TeamsMessage): Promise<string>;
}

/** Longest text of one text message (Teams takes about 40 KB of UTF-16 per message). */
const maxMessageLength = 8_000;

/** The Bot Framework activity of a message. */
export function messageActivity(message: TeamsMessage): Partial<Activity> {
  if ('text' in message) return { type: 'message', text: messageText(message.text, maxMessageLength), textFormat: 'plain' };
  return {
    type: 'message',
    summary: message.summary,
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: message.card }],
  };
}

export interface BotDeliveryOptions {
  adapter: CloudAdapter;
  /** Bot app id ('' in dev mode). */
  appId: string;
  conversations: ConversationStore;
  logger: Logger;
  metrics: ArgusMetrics;
  /** Paces calls per conversation and per tenant; shared by everything that sends. */
  limiter: TeamsRateLimiter;
  maxAttempts?: number;
}

const retryable = new Set([412, 429, 502, 503, 504]);

/**
 * Delivery through the Bot Connector with the stored conversation reference. Calls to one
 * conversation (a channel and its threads count as one) run one at a time, spaced, and retry
 * throttling and transient failures honouring Retry-After.
 */
export class BotTeamsDelivery implements TeamsDelivery {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly options: BotDeliveryOptions) {}

  /**
   * A new card. In a channel it starts a new thread (Teams: create a conversation in the channel);
   * in a chat it is a plain message. Never a reply: botbuilder's sendActivity inside a proactive
   * turn would reply to the continuation activity.
   */
  post(conversationId: string, message: TeamsMessage): Promise<string> {
    return this.call(conversationId, 'send', async ({ client, stored, reference }) => {
      const outgoing = this.outgoing(message, reference);
      if (stored.kind === 'channel') {
        const res = await client.conversations.createConversation({
          isGroup: true,
          bot: reference.bot!,
          tenantId: stored.tenantId,
          channelData: { channel: { id: stored.conversationId }, tenant: stored.tenantId ? { id: stored.tenantId } : undefined },
          activity: outgoing as Activity,
        });
        return res.activityId ?? res.id.split(';messageid=')[1] ?? '';
      }
      return (await client.conversations.sendToConversation(stored.conversationId, outgoing)).id ?? '';
    });
  }

  async update(conversationId: string, activityId: string, message: TeamsMessage): Promise<void> {
    await this.call(conversationId, 'update', async ({ client, stored, reference }) => {
      await client.conversations.updateActivity(stored.conversationId, activityId, { ...this.outgoing(message, reference), id: activityId });
      return activityId;
    });
  }

  reply(conversationId: string, parentActivityId: string, message: TeamsMessage): Promise<string> {
    return this.call(conversationId, 'reply', async ({ client, stored, reference }) => {
      const outgoing = this.outgoing(message, reference);
      // In a channel, a thread reply is a message to `<channel>;messageid=<root>`.
      if (stored.kind === 'channel')
        return (await client.conversations.sendToConversation(`${stored.conversationId};messageid=${parentActivityId}`, outgoing)).id ?? '';
      return (await client.conversations.replyToActivity(stored.conversationId, parentActivityId, { ...outgoing, replyToId: parentActivityId })).id ?? '';
    });
  }

  private outgoing(message: TeamsMessage, reference: Partial<ConversationReference>): Partial<Activity> {
    return { type: 'message', ...messageActivity(message), from: reference.bot, channelId: reference.channelId, serviceUrl: reference.serviceUrl };
  }

  private async target(conversationId: string): Promise<{ stored: StoredConversation; reference: Partial<ConversationReference> }> {
    const base = baseConversationId(conversationId);
    const stored = await this.options.conversations.get(base);
    if (!stored) throw new ArgusError('ARGUS_NOT_FOUND', `Argus is not installed in conversation ${base}`);
    // Without activityId: nothing sent from here is a reply to the event the reference came from.
    const { activityId: _replyTo, ...rest } = stored.reference;
    return { stored, reference: { ...rest, conversation: { ...stored.reference.conversation!, id: base } } };
  }

  /**
   * Every member of the conversation (`GET /v3/conversations/{id}/pagedmembers`, following
   * continuation tokens), each page a paced call like any other.
   */
  members(conversationId: string): Promise<ConversationMember[]> {
    return allMembers((continuationToken) =>
      this.call(conversationId, 'members', async ({ client, stored }) => {
        const page = await client.conversations.getConversationPagedMembers(stored.conversationId, {
          pageSize: 500,
          ...(continuationToken ? { continuationToken } : {}),
        } as Parameters<ConnectorClient['conversations']['getConversationPagedMembers']>[1]);
        // Teams adds tenantId to each member; the SDK's model keeps it as an extra property.
        return { members: (page.members ?? []) as ConversationMember[], continuationToken: page.continuationToken };
      }),
    );
  }

  private call<T>(conversationId: string, kind: string, fn: (target: CallTarget) => Promise<T>): Promise<T> {
    const key = baseConversationId(conversationId);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.attempt(key, kind, fn));
    this.chains.set(key, run);
    void run.finally(() => {
      if (this.chains.get(key) === run) this.chains.delete(key);
    }).catch(() => undefined);
    return run;
  }

  private async attempt<T>(key: string, kind: string, fn: (target: CallTarget) => Promise<T>): Promise<T> {
    const { stored, reference } = await this.target(key);
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt += 1) {
      await this.options.limiter.acquire(key, stored.tenantId);
      try {
        let result: T | undefined;
        let failure: { err: unknown } | undefined;
        await this.options.adapter.continueConversationAsync(this.options.appId, reference, async (ctx) => {
          // Caught here: an error escaping the turn would go to onTurnError and look like success.
          try {
            const client = ctx.turnState.get<ConnectorClient>(ctx.adapter.ConnectorClientKey);
            withoutSdkRetries(client);
            result = await fn({ client, stored, reference });
          } catch (err) {
            failure = { err };
          }
        });
        if (failure) throw failure.err;
        this.options.metrics.teamsCalls.inc({ kind, status: 'ok' });
        return result as T;
      } catch (err) {
        const status = statusOf(err);
        this.options.metrics.teamsCalls.inc({ kind, status: String(status ?? 'error') });
        if (status === 403 || status === 404) this.options.conversations.forget?.(key); // removed or reinstalled: read its row again next time
        if (!status || !retryable.has(status) || attempt >= maxAttempts) throw err;
        const wait = connectorRetryAfterMs(err) ?? backoffMs(attempt, { baseDelayMs: 500, maxDelayMs: 30_000 });
        this.options.logger.warn({ status, attempt, waitMs: Math.round(wait), conversation: key }, 'Bot Connector call throttled or failed; retrying');
        // The whole conversation waits, not just this call.
        this.options.limiter.pause(key, wait);
      }
    }
  }


}

/**
 * The connector client's pipeline retries 429s and 5xx by itself, behind the rate limiter's back:
 * those extra calls could break Teams' per-conversation limits. Retries here are ours (paced, and
 * pausing the whole conversation on Retry-After), so the SDK's own retry policy is taken out.
 */
function withoutSdkRetries(client: ConnectorClient): void {
  const pipeline = (client.conversations as unknown as { client?: { client?: { pipeline?: { removePolicy(o: { name: string }): unknown } } } }).client?.client
    ?.pipeline;
  pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}

/** The Bot Connector's Retry-After, at most two minutes. */
function connectorRetryAfterMs(err: unknown): number | undefined {
  const wait = retryAfterMs((err as { response?: { headers?: HeaderSource } }).response?.headers);
  return wait === undefined ? undefined : Math.min(120_000, wait);
}
