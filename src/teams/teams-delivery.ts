import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { ArgusError } from '../errors/catalog';
import type { ArgusMetrics } from '../ingress/metrics';
import type { Logger } from '../logging/logger';
import { statusOf } from '../storage/keys';
import { baseConversationId, type ConversationStore } from './conversation-store';

/** Port: what the domain asks of Teams. Activities are plain Bot Framework activity objects. */
export interface TeamsDelivery {
  post(conversationId: string, activity: Partial<Activity>): Promise<string>;
  update(conversationId: string, activityId: string, activity: Partial<Activity>): Promise<void>;
  /** A reply in the thread of `parentActivityId` (a channel thread, or a reply in a chat). */
  reply(conversationId: string, parentActivityId: string, activity: Partial<Activity>): Promise<string>;
}

export interface BotDeliveryOptions {
  adapter: CloudAdapter;
  /** Bot app id ('' in dev mode). */
  appId: string;
  conversations: ConversationStore;
  logger: Logger;
  metrics: ArgusMetrics;
  /** Smallest gap between two calls to one conversation (Teams: 7 per second per conversation). */
  minGapMs?: number;
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
  private readonly lastCall = new Map<string, number>();

  constructor(private readonly options: BotDeliveryOptions) {}

  post(conversationId: string, activity: Partial<Activity>): Promise<string> {
    return this.call(conversationId, 'send', async (ctx) => (await ctx.sendActivity(activity))?.id ?? '');
  }

  async update(conversationId: string, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.call(conversationId, 'update', async (ctx) => {
      await ctx.updateActivity({ ...activity, type: activity.type ?? 'message', id: activityId });
      return activityId;
    });
  }

  reply(conversationId: string, parentActivityId: string, activity: Partial<Activity>): Promise<string> {
    return this.call(
      conversationId,
      'reply',
      async (ctx) => (await ctx.sendActivity({ ...activity, replyToId: parentActivityId }))?.id ?? '',
      parentActivityId,
    );
  }

  private async reference(conversationId: string, threadOf?: string): Promise<Partial<ConversationReference>> {
    const base = baseConversationId(conversationId);
    const stored = await this.options.conversations.get(base);
    if (!stored) throw new ArgusError('ARGUS_NOT_FOUND', `Argus is not installed in conversation ${base}`);
    const ref = { ...stored.reference, conversation: { ...stored.reference.conversation!, id: base } };
    // In a channel, a thread reply is a message to `<channel>;messageid=<root>`.
    if (threadOf && stored.kind === 'channel') ref.conversation = { ...ref.conversation, id: `${base};messageid=${threadOf}` };
    return ref;
  }

  private call(conversationId: string, kind: string, fn: (ctx: TurnContext) => Promise<string>, threadOf?: string): Promise<string> {
    const key = baseConversationId(conversationId);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.attempt(key, kind, fn, threadOf));
    this.chains.set(key, run);
    void run.finally(() => {
      if (this.chains.get(key) === run) this.chains.delete(key);
    }).catch(() => undefined);
    return run;
  }

  private async attempt(key: string, kind: string, fn: (ctx: TurnContext) => Promise<string>, threadOf?: string): Promise<string> {
    const reference = await this.reference(key, threadOf);
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt += 1) {
      await this.space(key);
      try {
        let result = '';
        await this.options.adapter.continueConversationAsync(this.options.appId, reference, async (ctx) => {
          result = await fn(ctx);
        });
        this.options.metrics.teamsCalls.inc({ kind, status: 'ok' });
        return result;
      } catch (err) {
        const status = statusOf(err);
        this.options.metrics.teamsCalls.inc({ kind, status: String(status ?? 'error') });
        if (!status || !retryable.has(status) || attempt >= maxAttempts) throw err;
        const wait = retryAfterMs(err) ?? Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        this.options.logger.warn({ status, attempt, waitMs: Math.round(wait), conversation: key }, 'Bot Connector call throttled or failed; retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async space(key: string): Promise<void> {
    const gap = this.options.minGapMs ?? 150;
    const wait = (this.lastCall.get(key) ?? 0) + gap - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.lastCall.set(key, Date.now());
  }
}

function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as { response?: { headers?: { get?(name: string): string | undefined } } }).response?.headers;
  const value = headers?.get?.('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(120_000, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.min(120_000, date - Date.now())) : undefined;
}
