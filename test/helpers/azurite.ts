import { createLogger } from '../../src/logging/logger';
import { startEmbeddedAzurite } from '../../src/storage/embedded-azurite';

export interface TestAzurite {
  /** devstoreaccount1 connection string with TableEndpoint, QueueEndpoint and BlobEndpoint. */
  connectionString: string;
  tableEndpoint: string;
  queueEndpoint: string;
  blobEndpoint: string;
  /** Environment for loadConfig / a spawned `argus`: { ARGUS_STORAGE_CONNECTION_STRING }. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A fresh, private, in-memory Azurite (Table, Queue and Blob) on ephemeral loopback ports, for one test
 * file. Start it in `before`, stop it in `after`:
 *
 *   let azurite: TestAzurite;
 *   before(async () => { azurite = await startAzurite(); });
 *   after(() => azurite.stop());
 */
export async function startAzurite(): Promise<TestAzurite> {
  const emulator = await startEmbeddedAzurite({
    inMemory: true,
    tablePort: 0,
    queuePort: 0,
    blobPort: 0,
    logger: createLogger({ level: 'silent' }),
  });
  return {
    connectionString: emulator.connectionString,
    tableEndpoint: emulator.tableEndpoint,
    queueEndpoint: emulator.queueEndpoint,
    blobEndpoint: emulator.blobEndpoint ?? '',
    env: { ARGUS_STORAGE_CONNECTION_STRING: emulator.connectionString },
    stop: () => emulator.stop(),
  };
}
