import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

/*
 * Azurite's Table and Queue servers, run inside this process.
 *
 * `require('azurite')` does not work (the package's main is its VS Code extension), so the servers
 * are loaded from azurite/dist. In-process rather than as `azurite-table`/`azurite-queue` child
 * processes because: there is no second Node start-up (tests start the emulator many times), an
 * emulator can never outlive the Argus process that owns it, and the real listen port is read
 * straight from the server when port 0 is asked for. Azurite's own logging stays off (its logger
 * is a process-wide singleton that only `configLogger` turns on, and we never call it).
 */

/** The slice of Azurite's ServerBase we use (azurite ships no type declarations). */
interface AzuriteServerBase {
  start(): Promise<void>;
  close(): Promise<void>;
  readonly httpServer: Server;
}
type ServerCtor<C> = new (config: C) => AzuriteServerBase;
type Config = object;

interface AzuriteModules {
  TableServer: ServerCtor<Config>;
  TableConfiguration: new (...args: unknown[]) => Config;
  QueueServer: ServerCtor<Config>;
  QueueConfiguration: new (...args: unknown[]) => Config;
}

let modules: AzuriteModules | undefined;

function loadAzurite(): AzuriteModules {
  if (modules) return modules;
  const dist = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src');
  const load = <T>(path: string): T => (require(join(dist, path)) as { default: T }).default;
  modules = {
    TableServer: load('table/TableServer.js'),
    TableConfiguration: load('table/TableConfiguration.js'),
    QueueServer: load('queue/QueueServer.js'),
    QueueConfiguration: load('queue/QueueConfiguration.js'),
  };
  return modules;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  host: string;
  port: number;
  /** Folder for Azurite's files; undefined = in memory. */
  dataDir?: string;
}

// Azurite's keep-alive default (seconds); the SDK clients reuse connections.
const keepAliveSeconds = 5;
// The Azure SDKs send newer API versions than Azurite 3.35 lists (storage-queue 12.30 speaks
// 2026-04-06); the emulator must not refuse them.
const skipApiVersionCheck = true;

export async function startTableServer(options: ServerOptions): Promise<RunningServer> {
  const { TableServer, TableConfiguration } = loadAzurite();
  const inMemory = options.dataDir === undefined;
  const dbPath = join(options.dataDir ?? '', '__azurite_db_table__.json');
  // Positional constructor of azurite/dist/src/table/TableConfiguration.js (3.35.0).
  const config = new TableConfiguration(
    options.host, options.port, keepAliveSeconds, dbPath,
    false /* debug log */, false /* access log */, undefined, undefined,
    false /* loose */, skipApiVersionCheck, '', '', '', undefined, false, inMemory,
  );
  return run(new TableServer(config));
}

export async function startQueueServer(options: ServerOptions): Promise<RunningServer> {
  const { QueueServer, QueueConfiguration } = loadAzurite();
  const inMemory = options.dataDir === undefined;
  const dir = options.dataDir ?? '';
  const persistence = [{ locationId: 'Default', locationPath: join(dir, '__queuestorage__'), maxConcurrency: 1 }];
  // Positional constructor of azurite/dist/src/queue/QueueConfiguration.js (3.35.0).
  const config = new QueueConfiguration(
    options.host, options.port, keepAliveSeconds,
    join(dir, '__azurite_db_queue__.json'), join(dir, '__azurite_db_queue_extent__.json'), persistence,
    false /* access log */, undefined, false /* debug log */, undefined,
    false /* loose */, skipApiVersionCheck, '', '', '', undefined, false, inMemory,
  );
  return run(new QueueServer(config));
}

async function run(server: AzuriteServerBase): Promise<RunningServer> {
  await server.start();
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('Azurite did not report a TCP address');
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    close() {
      // ServerBase.close() starts the HTTP shutdown without waiting for it; wait for 'close' so
      // the port is really free when this resolves.
      closing ??= (async () => {
        const closed = server.httpServer.listening ? once(server.httpServer, 'close') : Promise.resolve();
        await server.close();
        await closed;
      })();
      return closing;
    },
  };
}

/** Whether a loopback port can be listened on right now (probe: there is a small race after it). */
export async function portIsFree(host: string, port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
