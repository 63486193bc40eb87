import { TableClient, TableServiceClient, type TableServiceClientOptions } from '@azure/data-tables';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { StorageConfig } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { accountEndpoints, describeConnectionString } from './connection-string';
import { startEmbeddedAzurite, type EmbeddedAzurite } from './embedded-azurite';
import { isConflict } from './keys';
import type { TableStore } from './table-store';

/** How to reach the queue service of the same storage account. */
export type QueueConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'accountUrl'; accountUrl: string; credential: TokenCredential };
/** How to reach the blob service of the same storage account (same shapes, the blob endpoint). */
export type BlobConnection = QueueConnection;

export interface OpenTableStoreOptions {
  logger: Logger;
  /** For accountUrl storage; default DefaultAzureCredential (managed identity on App Service). */
  credential?: TokenCredential;
  /** ping() gives up after this long; default 3000 ms. */
  pingTimeoutMs?: number;
}

export interface OpenedTableStore {
  store: TableStore;
  /** Set for embedded storage; store.close() stops it (when this process owns it). */
  embedded?: EmbeddedAzurite;
  queueConnection: QueueConnection;
  blobConnection: BlobConnection;
}

type Target =
  | { kind: 'connectionString'; connectionString: string; options: TableServiceClientOptions; description: string }
  | { kind: 'accountUrl'; url: string; credential: TokenCredential; description: string };

const tableNamePattern = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/** Opens Table Storage as configured: embedded Azurite, a connection string, or an account URL + identity. */
export async function openTableStore(storage: StorageConfig, options: OpenTableStoreOptions): Promise<OpenedTableStore> {
  const log = options.logger.child({ component: 'table-store' });
  let embedded: EmbeddedAzurite | undefined;
  let target: Target;
  let queueConnection: QueueConnection;
  let blobConnection: BlobConnection;

  if (storage.kind === 'accountUrl') {
    const credential = options.credential ?? new DefaultAzureCredential();
    const { tableUrl, queueUrl, blobUrl } = accountEndpoints(storage.accountUrl);
    target = { kind: 'accountUrl', url: tableUrl, credential, description: `Table Storage at ${tableUrl} (managed identity)` };
    queueConnection = { kind: 'accountUrl', accountUrl: queueUrl, credential };
    blobConnection = { kind: 'accountUrl', accountUrl: blobUrl, credential };
  } else {
    let connectionString: string;
    if (storage.kind === 'embedded') {
      embedded = await startEmbeddedAzurite({ dataDir: storage.dataDir, logger: options.logger });
      connectionString = embedded.connectionString;
    } else {
      connectionString = storage.connectionString;
    }
    const info = describeConnectionString(connectionString);
    const where = info.tableEndpoint ?? `account ${info.accountName ?? '(unknown)'}`;
    const description =
      storage.kind === 'embedded' ? `embedded Azurite at ${where} (data in ${storage.dataDir})` : `Table Storage at ${where}`;
    target = { kind: 'connectionString', connectionString, options: { allowInsecureConnection: info.insecure }, description };
    queueConnection = { kind: 'connectionString', connectionString };
    blobConnection = { kind: 'connectionString', connectionString };
  }

  const store = createStore(target, { embedded, pingTimeoutMs: options.pingTimeoutMs ?? 3000 });
  log.info({ storage: store.describe() }, 'table storage opened');
  return { store, embedded, queueConnection, blobConnection };
}

/**
 * Short retries: when storage is down, a webhook sender should get its 503 within seconds (and
 * retry itself) rather than hold a connection open while the SDK backs off for a minute.
 */
const retryOptions = { maxRetries: 3, retryDelayInMs: 300, maxRetryDelayInMs: 3_000 };

/**
 * Policies a table request does not need, taken out of the client's pipeline: every request pays
 * for each (Argus makes many small ones). Tracing has no tracer configured; tables answer no
 * redirects and take no form or multipart bodies. Retries, signing, (de)serialization, proxy and
 * the SDK's log (AZURE_LOG_LEVEL) stay. Transactions build their own client inside the SDK.
 */
const unneededPolicies = ['tracingPolicy', 'redirectPolicy', 'formDataPolicy', 'multipartPolicy'];

function leanPipeline(client: TableClient): void {
  for (const name of unneededPolicies) client.pipeline.removePolicy({ name });
}

function createStore(target: Target, extra: { embedded?: EmbeddedAzurite; pingTimeoutMs: number }): TableStore {
  const clients = new Map<string, TableClient>();
  // ping must fail fast, so its client does not retry.
  const pingClient = serviceClient(target, { retryOptions: { maxRetries: 0 } });
  const service = serviceClient(target, { retryOptions });
  let closed = false;

  const client = (table: string): TableClient => {
    if (closed) throw new ArgusError('ARGUS_SHUTTING_DOWN', 'the table store is closed');
    if (!tableNamePattern.test(table)) throw new ArgusError('ARGUS_INTERNAL', `invalid table name: ${table}`);
    let c = clients.get(table);
    if (!c) {
      c =
        target.kind === 'connectionString'
          ? TableClient.fromConnectionString(target.connectionString, table, { ...target.options, retryOptions })
          : new TableClient(target.url, table, target.credential, { retryOptions });
      leanPipeline(c);
      clients.set(table, c);
    }
    return c;
  };

  return {
    client,
    async ensureTable(table) {
      client(table);
      try {
        await service.createTable(table);
      } catch (err) {
        // Already there: exactly what we wanted (the SDK usually absorbs this 409 itself).
        if (isConflict(err)) return;
        throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', `could not create table ${table}`, { cause: err });
      }
    },
    async ping() {
      try {
        const pages = pingClient.listTables({ abortSignal: AbortSignal.timeout(extra.pingTimeoutMs) }).byPage({ maxPageSize: 1 });
        await pages.next();
      } catch (err) {
        throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', `storage did not answer: ${target.description}`, { cause: err });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      clients.clear();
      await extra.embedded?.stop();
    },
    describe: () => target.description,
  };
}

function serviceClient(target: Target, options: TableServiceClientOptions): TableServiceClient {
  return target.kind === 'connectionString'
    ? TableServiceClient.fromConnectionString(target.connectionString, { ...target.options, ...options })
    : new TableServiceClient(target.url, target.credential, options);
}
