import { TableClient } from '@azure/data-tables';
import { loadConfig } from '../../src/config/load-config';
import { signBody, signatureHeader } from '../../src/security/signature';
import { createLogger, createMemoryLogStream } from '../../src/logging/logger';
import { startArgus, type RunningArgus, type StartOptions } from '../../src/main';
import { startAzurite, type TestAzurite } from './azurite';
import { startFakeBotConnector, type FakeBotConnector } from './fake-bot-connector';
import { fixture } from './shared';
import { installActivity, messageActivity, type ChannelSpot } from './teams-activities';
import type { TestUser } from './fake-bot-connector';

export const webhookSecret = 'test-sentinel-webhook-secret';

export function sentinelFixture(name: string): Record<string, unknown> {
  return fixture<Record<string, unknown>>(`sentinel/${name}`);
}

export interface Harness {
  argus: RunningArgus;
  url: string;
  connector: FakeBotConnector;
  azurite: TestAzurite;
  logs: ReturnType<typeof createMemoryLogStream>;
  table(name: string): TableClient;
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
  signedPost(path: string, payload: unknown, secret?: string): Promise<{ status: number; json: any; text: string }>;
  activity(activity: unknown): Promise<{ status: number; json: any; text: string }>;
  /** Stops Argus and starts it again on the same storage and Bot Connector (`argus` and `url` follow). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Argus on an ephemeral port over a private Azurite, with a recording Bot Connector. */
export async function startHarness(options: {
  configYaml: string;
  env?: Record<string, string>;
  /** Card delivery pacing; by default a change reply per card every 300 ms instead of every minute. */
  cardDelivery?: { replyIntervalMs?: number };
  /** How often the compliance clock and escalation sweep runs (default: the product's 5 s). */
  clocks?: StartOptions['clocks'];
}): Promise<Harness> {
  const azurite = await startAzurite();
  const connector = await startFakeBotConnector();
  const env = {
    ...azurite.env,
    ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: webhookSecret,
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const config = loadConfig(env, { fileText: options.configYaml });
  const logs = createMemoryLogStream();
  const logger = createLogger({ level: 'debug', destination: logs });
  const start = () =>
    startArgus(config, { env, logger, port: 0, intake: { sweepIntervalMs: 1_000, maxPollIntervalMs: 100 }, cardDelivery: { replyIntervalMs: 300, pollIntervalMs: 50, ...options.cardDelivery }, clocks: options.clocks });
  let argus = await start();

  async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
    const res = await fetch(`${argus.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  const harness: Harness = {
    argus,
    url: argus.url,
    connector,
    azurite,
    logs,
    table: (name) => TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }),
    post,
    async signedPost(path, payload, secret = webhookSecret) {
      const body = JSON.stringify(payload);
      return post(path, body, { [signatureHeader]: signBody(secret, body) });
    },
    activity: (activity) => post('/api/messages', JSON.stringify(activity)),
    async restart() {
      await argus.stop();
      argus = await start();
      harness.argus = argus;
      harness.url = argus.url;
    },
    async stop() {
      await argus.stop();
      await connector.close();
      await azurite.stop();
    },
  };
  return harness;
}

export async function countEntities(table: TableClient, filter?: string): Promise<number> {
  let n = 0;
  try {
    for await (const _ of table.listEntities({ queryOptions: filter ? { filter } : undefined })) n += 1;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return 0;
    throw err;
  }
  return n;
}

/** A channel where Argus is installed and subscribed by `admin`: incident cards go there. */
export async function subscribedChannel(h: Harness, conversationId: string, admin: TestUser, tenantId: string): Promise<ChannelSpot> {
  const spot: ChannelSpot = { serviceUrl: h.connector.url, conversationId, teamId: conversationId, tenantId };
  await h.activity(installActivity(spot, admin));
  await h.activity(messageActivity(spot, admin, 'subscribe'));
  return spot;
}
