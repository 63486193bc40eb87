import type { ContainerClient } from '@azure/storage-blob';
import { ArgusError } from '../errors/catalog';
import { statusOf } from '../net/status';
import type { ContentStore } from './content-store';
import type { BlobConnection } from './open-table-store';

/** Blob containers Argus uses. */
export const containerNames = {
  /** Evidence content, one blob per item named by its evidence id (ARCHITECTURE §9). */
  evidence: 'argus-evidence',
} as const;

/** Blocks are staged as they fill; 4 MiB keeps memory flat and stays far under the 50,000-block limit. */
const defaultBlockBytes = 4 * 1024 * 1024;

/**
 * Short retries, as for tables: when storage is down an uploader gets its 503 within seconds and
 * retries itself. No per-try timeout: a 4 MiB block on a slow link may take a while.
 */
const retryOptions = { maxTries: 4, retryDelayInMs: 300, maxRetryDelayInMs: 3_000 };

/**
 * The container client for `name` in the configured account (connection string, or account URL +
 * identity), made on first use: the Blob SDK is loaded only when evidence is stored or read. A
 * connection string that names no Blob endpoint is refused at once.
 */
export function blobContainer(connection: BlobConnection, name: string): () => ContainerClient {
  // Without BlobEndpoint=, the SDK builds the endpoint from EndpointSuffix= (UseDevelopmentStorage=true names the emulator).
  if (connection.kind === 'connectionString' && !/(^|;)\s*(BlobEndpoint|EndpointSuffix|UseDevelopmentStorage)\s*=/i.test(connection.connectionString))
    throw new ArgusError('ARGUS_CONFIG_INVALID', 'the storage connection string names no Blob endpoint (BlobEndpoint=… or EndpointSuffix=…): evidence content is kept in Blob Storage');
  let client: ContainerClient | undefined;
  return () => {
    if (client) return client;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BlobServiceClient } = require('@azure/storage-blob') as typeof import('@azure/storage-blob');
    const service =
      connection.kind === 'accountUrl'
        ? new BlobServiceClient(connection.accountUrl, connection.credential, { retryOptions })
        : BlobServiceClient.fromConnectionString(connection.connectionString, { retryOptions });
    return (client = service.getContainerClient(name));
  };
}

/** Creates the container if it is missing (private: no public access). */
async function ensureContainer(container: ContainerClient): Promise<void> {
  try {
    await container.createIfNotExists();
  } catch (err) {
    throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', `could not create blob container ${container.containerName}`, { cause: err });
  }
}

/**
 * Content as block blobs: pieces are staged as uncommitted blocks while they arrive, and the blob
 * appears only when its block list is committed — with If-None-Match: *, so an existing blob is
 * never replaced. Blocks that are never committed (an upload refused at its end) are not a blob:
 * nothing lists or reads them, and Blob Storage discards them after a week.
 * https://learn.microsoft.com/rest/api/storageservices/put-block-list
 * The container is created on first write, so Argus starts (and serves everything else) while the
 * blob service is unreachable; evidence uploads then fail with ARGUS_STORAGE_UNAVAILABLE.
 */
export function blobContentStore(containerOf: () => ContainerClient, options: { blockBytes?: number } = {}): ContentStore {
  const blockBytes = options.blockBytes ?? defaultBlockBytes;
  let ensuring: Promise<void> | undefined;
  const ready = () =>
    (ensuring ??= ensureContainer(containerOf()).catch((err: unknown) => {
      ensuring = undefined;
      throw err;
    }));
  return {
    begin(name) {
      const blob = containerOf().getBlockBlobClient(name);
      const ids: string[] = [];
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      async function stage(): Promise<void> {
        await ready();
        if (pendingBytes === 0) return;
        const block = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        // Ids of one blob must all have the same length: a zero-padded counter, base64.
        const id = Buffer.from(String(ids.length).padStart(6, '0')).toString('base64');
        await storage(() => blob.stageBlock(id, block, block.length));
        ids.push(id);
      }
      return {
        async write(chunk) {
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= blockBytes) await stage();
        },
        async commit() {
          await stage();
          try {
            await blob.commitBlockList(ids, { conditions: { ifNoneMatch: '*' }, blobHTTPHeaders: { blobContentType: 'application/octet-stream' } });
          } catch (err) {
            if (statusOf(err) === 409) throw new ArgusError('ARGUS_CONFLICT', `blob ${name} exists and is never replaced`, { cause: err });
            throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', `could not commit blob ${name}`, { cause: err });
          }
        },
      };
    },
    async read(name) {
      try {
        const res = await containerOf().getBlockBlobClient(name).download();
        return (res.readableStreamBody ?? undefined) as AsyncIterable<Uint8Array> | undefined;
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', `could not read blob ${name}`, { cause: err });
      }
    },
  };
}

async function storage<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', undefined, { cause: err });
  }
}
