import { request } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isLoopback } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { portIsFree, startAzuritePair } from './azurite-host';
import { devConnectionString, devEndpoint } from './dev-account';
import { claimOwnerFile, ownerFilePath, pidAlive, readOwnerFile, releaseOwnerFile, removeStaleOwnerFile, writeOwnerFile } from './owner-file';

/** Fixed ports of the embedded emulator, away from Azurite's defaults (10000-10002) so a developer's
 * own Azurite can run beside Argus. Busy ports fall back to ephemeral ones. */
export const defaultEmbeddedPorts = { table: 10102, queue: 10101, blob: 10100 } as const;

export interface EmbeddedAzuriteOptions {
  /** Where the emulator keeps its files (ARGUS_DATA_DIR). Ignored with inMemory. */
  dataDir?: string;
  /** Loopback address to bind; default 127.0.0.1. */
  host?: string;
  /** 0 = ephemeral. Default defaultEmbeddedPorts.table. */
  tablePort?: number;
  /** 0 = ephemeral. Default defaultEmbeddedPorts.queue. */
  queuePort?: number;
  /** 0 = ephemeral. Default defaultEmbeddedPorts.blob. */
  blobPort?: number;
  /** Keep everything in memory: no files, no sharing with other processes (tests). */
  inMemory?: boolean;
  logger: Logger;
}

export interface EmbeddedAzurite {
  /** devstoreaccount1 connection string with TableEndpoint, QueueEndpoint and (when it runs) BlobEndpoint. */
  connectionString: string;
  tableEndpoint: string;
  queueEndpoint: string;
  /** Absent only when attached to an emulator started without the blob service. */
  blobEndpoint?: string;
  /** True when this process runs the emulator; false when it attached to another process's. */
  owner: boolean;
  /** Stops the emulator if this process owns it; detaching is a no-op. Idempotent. */
  stop(): Promise<void>;
}

// How long to wait for another process that claimed the data dir to come up before calling it stale.
const attachWaitMs = 10_000;

/**
 * Starts Azurite's Table, Queue and Blob services on loopback, or attaches to the ones another Argus
 * process already runs for the same data dir (Azurite's file database must have one writer only).
 */
export async function startEmbeddedAzurite(options: EmbeddedAzuriteOptions): Promise<EmbeddedAzurite> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) {
    throw new ArgusError('ARGUS_CONFIG_INVALID', `embedded storage binds to loopback only, not ${host}`);
  }
  const log = options.logger.child({ component: 'embedded-azurite' });
  if (options.inMemory) return startServers({ host, options, log });
  if (!options.dataDir) throw new ArgusError('ARGUS_CONFIG_INVALID', 'embedded storage needs a data dir');

  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const file = ownerFilePath(dataDir);
  const deadline = Date.now() + attachWaitMs;
  for (;;) {
    const found = await readOwnerFile(file);
    if (found) {
      const alive = pidAlive(found.pid);
      if (alive && found.tableEndpoint && found.queueEndpoint) {
        const blobAnswers = !found.blobEndpoint || (await answers(found.blobEndpoint));
        if ((await answers(found.tableEndpoint)) && (await answers(found.queueEndpoint)) && blobAnswers) {
          log.info({ pid: found.pid, tableEndpoint: found.tableEndpoint }, 'attached to the embedded storage of another Argus process');
          return attached(found.tableEndpoint, found.queueEndpoint, found.blobEndpoint);
        }
      }
      // A live owner may still be starting (no endpoints yet) or answering slowly: give it time.
      if (alive && Date.now() < deadline) {
        await sleep(100);
        continue;
      }
      log.warn({ pid: found.pid, file }, 'replacing a stale embedded storage owner file');
      await removeStaleOwnerFile(file, found);
    }
    if (await claimOwnerFile(file)) break;
    // Another process claimed it between our read and our claim: look again.
  }

  let started: EmbeddedAzurite | undefined;
  try {
    started = await startServers({ host, options, log, dataDir });
    await writeOwnerFile(file, { pid: process.pid, tableEndpoint: started.tableEndpoint, queueEndpoint: started.queueEndpoint, blobEndpoint: started.blobEndpoint });
  } catch (err) {
    await started?.stop();
    await releaseOwnerFile(file);
    throw err;
  }
  const stopServers = started.stop;
  return {
    ...started,
    stop: async () => {
      await stopServers();
      await releaseOwnerFile(file);
    },
  };
}

async function startServers(args: {
  host: string;
  options: EmbeddedAzuriteOptions;
  log: Logger;
  dataDir?: string;
}): Promise<EmbeddedAzurite> {
  const { host, options, log, dataDir } = args;
  const tablePort = await choosePort(host, options.tablePort ?? defaultEmbeddedPorts.table, log);
  const queuePort = await choosePort(host, options.queuePort ?? defaultEmbeddedPorts.queue, log);
  const blobPort = await choosePort(host, options.blobPort ?? defaultEmbeddedPorts.blob, log);
  let pair;
  try {
    pair = await startAzuritePair({ host, tablePort, queuePort, blobPort, dataDir });
  } catch (err) {
    throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', `embedded storage failed to start: ${errorText(err)}`, { cause: err });
  }
  const tableEndpoint = devEndpoint(host, pair.tablePort);
  const queueEndpoint = devEndpoint(host, pair.queuePort);
  const blobEndpoint = devEndpoint(host, pair.blobPort);
  log.info({ tableEndpoint, queueEndpoint, blobEndpoint, dataDir: dataDir ?? '(memory)' }, 'embedded storage started');
  let stopping: Promise<void> | undefined;
  return {
    connectionString: devConnectionString({ tableEndpoint, queueEndpoint, blobEndpoint }),
    tableEndpoint,
    queueEndpoint,
    blobEndpoint,
    owner: true,
    stop: () => {
      stopping ??= pair.close().then(() => log.info('embedded storage stopped'));
      return stopping;
    },
  };
}

async function choosePort(host: string, wanted: number, log: Logger): Promise<number> {
  if (wanted === 0 || (await portIsFree(host, wanted))) return wanted;
  log.warn({ port: wanted }, 'embedded storage port is busy; using an ephemeral port');
  return 0;
}

function attached(tableEndpoint: string, queueEndpoint: string, blobEndpoint: string | undefined): EmbeddedAzurite {
  return {
    connectionString: devConnectionString({ tableEndpoint, queueEndpoint, blobEndpoint }),
    tableEndpoint,
    queueEndpoint,
    ...(blobEndpoint ? { blobEndpoint } : {}),
    owner: false,
    stop: async () => {},
  };
}

/** True when an Azurite service answers at the endpoint (its Server header says so). */
export function answers(endpoint: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const req = request(endpoint, { method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      done(String(res.headers.server ?? '').startsWith('Azurite'));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
