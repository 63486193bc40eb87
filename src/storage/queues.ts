import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { ArgusError } from '../errors/catalog';
import type { QueueConnection } from './open-table-store';
import { statusOf } from '../net/status';

/** Queue names Argus uses (lower-case, as Azure requires). */
export const queueNames = {
  events: 'argus-events',
  eventsPoison: 'argus-events-poison',
} as const;

export interface QueueFactory {
  queue(name: string): QueueClient;
  ensureQueue(name: string): Promise<void>;
}

/** Queues of the same storage account as the tables: a connection string, or an account URL + identity. */
export function createQueueFactory(connection: QueueConnection): QueueFactory {
  // Short retries, as for tables: an outage should surface in seconds, not minutes.
  const retryOptions = { maxTries: 4, retryDelayInMs: 300, maxRetryDelayInMs: 3_000 };
  const service =
    connection.kind === 'connectionString'
      ? QueueServiceClient.fromConnectionString(connection.connectionString, { retryOptions })
      : new QueueServiceClient(connection.accountUrl, connection.credential, { retryOptions });
  return {
    queue: (name) => service.getQueueClient(name),
    async ensureQueue(name) {
      try {
        await service.getQueueClient(name).createIfNotExists();
      } catch (err) {
        if (statusOf(err) === 409) return;
        throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', `could not create queue ${name}`, { cause: err });
      }
    },
  };
}
