import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Role } from '../../access/roles';
import { loadDevSecrets } from '../../config/dev-secrets';
import { loadConfig, type ArgusConfig } from '../../config/load-config';
import { envNameForSecret, secretNames } from '../../config/secret-provider';
import { ArgusError } from '../../errors/catalog';
import { TableSubscriptionStore } from '../../incidents/subscription-store';
import type { Logger } from '../../logging/logger';
import { startArgus, type RunningArgus, type StartOptions } from '../../main';
import { openTableStore } from '../../storage/open-table-store';
import { ownerFilePath, pidAlive, readOwnerFile } from '../../storage/owner-file';
import { tableNames, type TableStore } from '../../storage/table-store';
import { TableConversationStore } from '../../teams/conversation-store';
import { argusPlaygroundConfigYaml } from './mock-tenant';
import { PlaygroundClient } from './playground-client';
import { startPlaygroundProcess, type PlaygroundProcess } from './playground-process';

/** Argus in dev mode together with the Agents Playground pointed at it: local Teams, no Azure. */
export interface PlaygroundSession {
  argus: RunningArgus;
  playground: PlaygroundProcess;
  client: PlaygroundClient;
  config: ArgusConfig;
  /** The embedded storage folder (undefined when storage came from the environment). */
  dataDir?: string;
  /** The secret Argus checks on /api/webhooks/sentinel (env or the dev secrets file). */
  sentinelSecret(): string;
  /** Resolves once `conversationId` is subscribed to incident cards. */
  waitForSubscription(conversationId: string, timeoutMs?: number): Promise<void>;
  /**
   * Resolves once Argus is installed in `conversationId`. The chat UI installs the bot in the
   * personal chat when the page loads, which is how `argus demo` knows someone is watching.
   */
  waitForInstall(conversationId: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface PlaygroundSessionOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  logger: Logger;
  /** The role of the playground's user in Argus; default admin. */
  role?: Role;
  /** Argus's port; default PORT / 3978. 0: any free port. */
  argusPort?: number;
  /** The playground's preferred port; default 56150. */
  playgroundPort?: number;
  /** Timings for tests. */
  tuning?: Pick<StartOptions, 'intake' | 'cardDelivery'>;
}

/**
 * The playground's Teams exists only while it runs, so Argus starts from empty storage each time
 * (cards, subscriptions and conversation references would otherwise point at messages and ports
 * that are gone): embedded storage lives in `<ARGUS_DATA_DIR>/playground` and is cleared here.
 */
async function freshDataDir(dataDir: string): Promise<void> {
  const owner = await readOwnerFile(ownerFilePath(dataDir));
  if (owner && owner.pid !== process.pid && pidAlive(owner.pid))
    throw new ArgusError('ARGUS_CONFIG_INVALID', `another Argus playground (pid ${owner.pid}) is using ${dataDir}; stop it first`);
  if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
}

export async function startPlaygroundSession(options: PlaygroundSessionOptions): Promise<PlaygroundSession> {
  // The playground sends no Bot Framework tokens: Argus must run in dev mode (no app id), which
  // also keeps it on loopback. A config file of the user's would not know the playground's tenant.
  const env: Record<string, string | undefined> = {
    ...options.env,
    MICROSOFT_APP_ID: undefined,
    MICROSOFT_APP_TYPE: undefined,
    MICROSOFT_APP_TENANT_ID: undefined,
    ARGUS_CONFIG: undefined,
  };
  const fileText = argusPlaygroundConfigYaml(options.role ?? 'admin');
  let config = loadConfig(env, { cwd: options.cwd, fileText });
  let dataDir: string | undefined;
  if (config.storage.kind === 'embedded') {
    dataDir = path.join(config.storage.dataDir, 'playground');
    await freshDataDir(dataDir);
    env.ARGUS_DATA_DIR = dataDir;
    config = loadConfig(env, { cwd: options.cwd, fileText });
  }

  const argus = await startArgus(config, { env, logger: options.logger, port: options.argusPort, ...options.tuning });
  let playground: PlaygroundProcess;
  try {
    playground = await startPlaygroundProcess({ botEndpoint: `${argus.url}/api/messages`, port: options.playgroundPort, env: options.env });
  } catch (err) {
    await argus.stop();
    throw err;
  }

  let stopped: Promise<void> | undefined;
  let stopping = false;
  /** Polls Argus's storage (embedded storage is attached to, not started twice) until `check` holds. */
  async function pollStorage(what: string, timeoutMs: number, check: (store: TableStore) => Promise<boolean>): Promise<void> {
    const { store } = await openTableStore(config.storage, { logger: options.logger });
    try {
      const deadline = Date.now() + timeoutMs;
      const holds = () =>
        check(store).catch((err: unknown) => {
          throw stopping ? new ArgusError('ARGUS_SHUTTING_DOWN', `stopped while waiting for ${what}`) : err;
        });
      while (!(await holds())) {
        if (stopping) throw new ArgusError('ARGUS_SHUTTING_DOWN', `stopped while waiting for ${what}`);
        if (Date.now() > deadline) throw new ArgusError('ARGUS_NOT_READY', `timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    } finally {
      await store.close();
    }
  }
  return {
    argus,
    playground,
    client: new PlaygroundClient(playground.url),
    config,
    dataDir,
    sentinelSecret() {
      const secret = env[envNameForSecret(secretNames.sentinelWebhook)] ?? (dataDir ? loadDevSecrets(dataDir, false)[secretNames.sentinelWebhook] : undefined);
      if (!secret) throw new ArgusError('ARGUS_SECRET_MISSING', `set ${envNameForSecret(secretNames.sentinelWebhook)}`);
      return secret;
    },
    waitForSubscription: (conversationId, timeoutMs = 15_000) =>
      pollStorage(`${conversationId} to be subscribed`, timeoutMs, async (store) =>
        (await new TableSubscriptionStore(store.client(tableNames.subscriptions), 0).list()).some((x) => x.conversationId === conversationId),
      ),
    waitForInstall: (conversationId, timeoutMs = Number.POSITIVE_INFINITY) =>
      pollStorage(`Argus to be installed in ${conversationId}`, timeoutMs, async (store) =>
        (await new TableConversationStore(store.client(tableNames.conversations)).get(conversationId)) !== undefined,
      ),
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        await playground.stop();
        await argus.stop();
      })()),
  };
}
