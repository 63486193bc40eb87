import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PlaygroundTenant } from '../../src/cli/playground/playground-client';
import { startPlaygroundSession, type PlaygroundSession } from '../../src/cli/playground/playground-session';
import { createLogger, createMemoryLogStream } from '../../src/logging/logger';
import { startAzurite, type TestAzurite } from './azurite';
import { connectTextStream, type TextStream } from './playground-ws';

/** One message of the playground's conversation stream, as its chat UI receives it. */
export interface StreamMessage {
  action: 'createMessage' | 'updateMessage' | 'typing';
  actionConversationId: string;
  message?: {
    messageId: string;
    postConversationId?: string;
    from: { id: string };
    text?: string;
    attachments: Array<{ contentType: string; content: Record<string, unknown> }>;
  };
}

export function parseStreamMessage(text: string): StreamMessage {
  return JSON.parse(text) as StreamMessage;
}

export function cardOf(m: StreamMessage): Record<string, unknown> | undefined {
  return m.message?.attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** The first Action.Execute with `verb` anywhere in a card. */
export function findAction(node: unknown, verb: string): { verb: string; data: Record<string, unknown> } | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const n = node as Record<string, unknown>;
  if (n.type === 'Action.Execute' && n.verb === verb) return { verb, data: (n.data ?? {}) as Record<string, unknown> };
  for (const value of Object.values(n)) {
    const found = findAction(value, verb);
    if (found) return found;
  }
  return undefined;
}

export interface PlaygroundHarness {
  session: PlaygroundSession;
  tenant: PlaygroundTenant;
  stream: TextStream;
  azurite: TestAzurite;
  logs: ReturnType<typeof createMemoryLogStream>;
  /** Waits for a stream message from the bot matching `predicate` (the card's JSON text is given too). */
  waitForBot(predicate: (m: StreamMessage, text: string) => boolean, timeoutMs?: number): Promise<StreamMessage>;
  stop(): Promise<void>;
}

export const playgroundWebhookSecret = 'playground-test-sentinel-secret';

/**
 * The real `argus playground` session (Argus + the Agents Playground child process) over a private
 * Azurite, on free ports, with a client on the playground's conversation WebSocket. stop() ends
 * every process, and is safe to call after a partial start.
 */
export async function startPlaygroundHarness(): Promise<PlaygroundHarness> {
  const azurite = await startAzurite();
  const cwd = mkdtempSync(path.join(tmpdir(), 'argus-playground-test-'));
  const logs = createMemoryLogStream();
  let session: PlaygroundSession | undefined;
  let stream: TextStream | undefined;
  const stop = async () => {
    await stream?.close().catch(() => undefined);
    await session?.stop();
    await azurite.stop();
    rmSync(cwd, { recursive: true, force: true });
  };
  try {
    session = await startPlaygroundSession({
      env: { ...azurite.env, ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: playgroundWebhookSecret, PATH: process.env.PATH },
      cwd,
      logger: createLogger({ level: 'debug', destination: logs }),
      argusPort: 0,
      playgroundPort: 0,
      tuning: { cardDelivery: { pollIntervalMs: 50 } },
    });
    stream = await connectTextStream(`${session.playground.url.replace(/^http/, 'ws')}/_ws_conversation/v1/conversations/stream`);
    const tenant = await session.client.tenant();
    const botId = tenant.bot.id;
    const s = stream;
    return {
      session,
      tenant,
      stream,
      azurite,
      logs,
      async waitForBot(predicate, timeoutMs = 10_000) {
        const text = await s.waitFor((raw) => {
          const m = parseStreamMessage(raw);
          return m.message?.from.id === botId && predicate(m, JSON.stringify(m.message));
        }, timeoutMs);
        return parseStreamMessage(text);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
