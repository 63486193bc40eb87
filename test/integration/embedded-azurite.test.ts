import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { createLogger, createMemoryLogStream } from '../../src/logging/logger';
import { startEmbeddedAzurite } from '../../src/storage/embedded-azurite';

const run = promisify(execFile);
const logger = createLogger({ level: 'silent' });
const ports = { tablePort: 0, queuePort: 0, blobPort: 0 };

async function withDataDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'argus-azurite-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const table = (cs: string) => TableClient.fromConnectionString(cs, 'Persisted', { allowInsecureConnection: true });
const container = (cs: string) => BlobServiceClient.fromConnectionString(cs).getContainerClient('persisted');
const blob = (cs: string) => container(cs).getBlockBlobClient('kept.txt');

test('data (tables and blobs) persists across a stop and a start on the same data dir', () =>
  withDataDir(async (dataDir) => {
    const first = await startEmbeddedAzurite({ dataDir, logger, ...ports });
    assert.equal(first.owner, true);
    assert.match(first.connectionString, /TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;QueueEndpoint=http:.*;BlobEndpoint=http:/);
    const owner = JSON.parse(await readFile(join(dataDir, 'azurite.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(owner, { pid: process.pid, tableEndpoint: first.tableEndpoint, queueEndpoint: first.queueEndpoint, blobEndpoint: first.blobEndpoint });
    await table(first.connectionString).createTable();
    await table(first.connectionString).createEntity({ partitionKey: 'p', rowKey: 'r', note: 'kept' });
    await container(first.connectionString).create();
    await blob(first.connectionString).upload('blob kept', 9);
    await first.stop();
    assert.equal(existsSync(join(dataDir, 'azurite.json')), false, 'the owner file goes with the owner');

    const second = await startEmbeddedAzurite({ dataDir, logger, ...ports });
    try {
      const got = await table(second.connectionString).getEntity<{ note: string }>('p', 'r');
      assert.equal(got.note, 'kept');
      assert.equal((await blob(second.connectionString).downloadToBuffer()).toString(), 'blob kept');
    } finally {
      await second.stop();
    }
  }));

test('a second start while the first runs attaches to it, also from another process', () =>
  withDataDir(async (dataDir) => {
    const first = await startEmbeddedAzurite({ dataDir, logger, ...ports });
    try {
      const second = await startEmbeddedAzurite({ dataDir, logger, ...ports });
      assert.equal(second.owner, false);
      assert.equal(second.tableEndpoint, first.tableEndpoint);
      await second.stop(); // detaching must not stop the owner
      await table(first.connectionString).createTable();

      const script = `
        const { startEmbeddedAzurite } = require('./src/storage/embedded-azurite');
        const { createLogger } = require('./src/logging/logger');
        startEmbeddedAzurite({ dataDir: process.argv[1], tablePort: 0, queuePort: 0, logger: createLogger({ level: 'silent' }) })
          .then(async (a) => { console.log(JSON.stringify({ owner: a.owner, tableEndpoint: a.tableEndpoint })); await a.stop(); });`;
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script, dataDir], { cwd: process.cwd() });
      assert.deepEqual(JSON.parse(stdout), { owner: false, tableEndpoint: first.tableEndpoint });
    } finally {
      await first.stop();
    }
  }));

test('a stale owner file (dead pid) is replaced', () =>
  withDataDir(async (dataDir) => {
    const file = join(dataDir, 'azurite.json');
    // pid 2^22+1 is above Linux's pid_max default range, so no process has it.
    await writeFile(file, JSON.stringify({ pid: 4194305, tableEndpoint: 'http://127.0.0.1:1/devstoreaccount1', queueEndpoint: 'http://127.0.0.1:1/devstoreaccount1' }));
    const logs = createMemoryLogStream();
    const started = await startEmbeddedAzurite({ dataDir, logger: createLogger({ level: 'info', destination: logs }), ...ports });
    try {
      assert.equal(started.owner, true);
      const owner = JSON.parse(await readFile(file, 'utf8')) as { pid: number };
      assert.equal(owner.pid, process.pid);
      assert.ok(logs.lines.some((l) => String(l.msg).includes('stale')));
    } finally {
      await started.stop();
    }
  }));

test('a busy port falls back to an ephemeral one', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const busy = (blocker.address() as AddressInfo).port;
  const logs = createMemoryLogStream();
  const started = await startEmbeddedAzurite({ inMemory: true, tablePort: busy, queuePort: 0, blobPort: 0, logger: createLogger({ destination: logs }) });
  try {
    assert.doesNotMatch(started.tableEndpoint, new RegExp(`:${busy}/`));
    assert.ok(logs.lines.some((l) => l.port === busy && String(l.msg).includes('busy')));
  } finally {
    await started.stop();
    blocker.close();
  }
});

test('refuses a non-loopback address', async () => {
  await assert.rejects(startEmbeddedAzurite({ inMemory: true, host: '0.0.0.0', logger }), { code: 'ARGUS_CONFIG_INVALID' });
});
