'use strict';
/*
 * Worker thread hosting Azurite's Table, Queue and Blob servers (see azurite-host.ts for why a worker).
 * Plain JavaScript on purpose: a worker does not inherit the main thread's TypeScript loader (the
 * tests run src/ through one), so this file must load under bare Node. The build copies it into
 * dist/ beside azurite-host.js.
 *
 * Protocol (structured-clone messages):
 *   → { id, type: 'start', host, tablePort, queuePort, blobPort, dataDir | null }
 *   ← { id, ok: true, tablePort, queuePort, blobPort } real ports, also when 0 was asked for
 *   → { id, type: 'stop', pair }                        pair = the id of the 'start' message
 *   ← { id, ok: true }
 *   ← { id, ok: false, message, code }                  on any failure
 */
const { parentPort } = require('node:worker_threads');
const { once } = require('node:events');
const { dirname, join } = require('node:path');

// `require('azurite')` does not work (the package's main is its VS Code extension): load the
// servers from dist/.
const dist = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src');
const load = (path) => require(join(dist, path)).default;
const TableServer = load('table/TableServer.js');
const TableConfiguration = load('table/TableConfiguration.js');
const QueueServer = load('queue/QueueServer.js');
const QueueConfiguration = load('queue/QueueConfiguration.js');
const BlobServer = load('blob/BlobServer.js');
const BlobConfiguration = load('blob/BlobConfiguration.js');
// One in-memory chunk store per blob server: Azurite's default store is shared by every server of
// the thread, and cleaning one server up clears the whole shared store (another emulator's blobs).
const { MemoryExtentChunkStore, DEFAULT_EXTENT_MEMORY_LIMIT } = require(join(dist, 'common/persistence/MemoryExtentStore.js'));

const keepAliveSeconds = 5;
// The Azure SDKs send newer API versions than Azurite 3.35 lists (storage-queue 12.30 speaks
// 2026-04-06); the emulator must not refuse them.
const skipApiVersionCheck = true;

/** @type {Map<number, Array<{ close(): Promise<void> }>>} */
const pairs = new Map();

function tableServer(host, port, dataDir) {
  // Positional constructor of azurite/dist/src/table/TableConfiguration.js (3.35.0); logs off.
  const config = new TableConfiguration(
    host, port, keepAliveSeconds, join(dataDir || '', '__azurite_db_table__.json'),
    false, false, undefined, undefined, false, skipApiVersionCheck, '', '', '', undefined, false, !dataDir,
  );
  return new TableServer(config);
}

function queueServer(host, port, dataDir) {
  const dir = dataDir || '';
  const persistence = [{ locationId: 'Default', locationPath: join(dir, '__queuestorage__'), maxConcurrency: 1 }];
  // Positional constructor of azurite/dist/src/queue/QueueConfiguration.js (3.35.0); logs off.
  const config = new QueueConfiguration(
    host, port, keepAliveSeconds, join(dir, '__azurite_db_queue__.json'), join(dir, '__azurite_db_queue_extent__.json'),
    persistence, false, undefined, false, undefined, false, skipApiVersionCheck, '', '', '', undefined, false, !dataDir,
  );
  return new QueueServer(config);
}

function blobServer(host, port, dataDir) {
  const dir = dataDir || '';
  const persistence = [{ locationId: 'Default', locationPath: join(dir, '__blobstorage__'), maxConcurrency: 1 }];
  const memoryStore = dataDir ? undefined : new MemoryExtentChunkStore(DEFAULT_EXTENT_MEMORY_LIMIT);
  // Positional constructor of azurite/dist/src/blob/BlobConfiguration.js (3.35.0); logs off.
  const config = new BlobConfiguration(
    host, port, keepAliveSeconds, join(dir, '__azurite_db_blob__.json'), join(dir, '__azurite_db_blob_extent__.json'),
    persistence, false, undefined, false, undefined, false, skipApiVersionCheck, '', '', '', undefined, false, !dataDir, memoryStore,
  );
  return new BlobServer(config);
}

async function run(server) {
  try {
    await server.start();
  } catch (err) {
    // start() opened the database before listen() failed: close it so no autosave timer lingers.
    await server.afterClose().catch(() => undefined);
    throw err;
  }
  const http = server.httpServer;
  return {
    port: http.address().port,
    async close() {
      // ServerBase.close() starts the HTTP shutdown without waiting for it; wait for 'close' so
      // the port is really free when this resolves.
      const closed = http.listening ? once(http, 'close') : Promise.resolve();
      await server.close();
      await closed;
    },
  };
}

async function start(msg) {
  const started = [];
  try {
    const table = await run(tableServer(msg.host, msg.tablePort, msg.dataDir));
    started.push(table);
    const queue = await run(queueServer(msg.host, msg.queuePort, msg.dataDir));
    started.push(queue);
    const blob = await run(blobServer(msg.host, msg.blobPort, msg.dataDir));
    started.push(blob);
    pairs.set(msg.id, started);
    return { tablePort: table.port, queuePort: queue.port, blobPort: blob.port };
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw err;
  }
}

async function stop(msg) {
  const servers = pairs.get(msg.pair);
  pairs.delete(msg.pair);
  if (servers) await Promise.all(servers.map((s) => s.close()));
  return {};
}

parentPort.on('message', (msg) => {
  const work = msg.type === 'start' ? start(msg) : stop(msg);
  work.then(
    (result) => parentPort.postMessage({ id: msg.id, ok: true, ...result }),
    (err) => parentPort.postMessage({ id: msg.id, ok: false, message: String((err && err.message) || err), code: err && err.code }),
  );
});
