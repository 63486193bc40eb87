import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { ArgusError } from '../errors/catalog';
import type { QueueConnection } from './open-table-store';
import { statusOf } from './keys';

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
  const service =
    connection.kind === 'connectionString'
      ? QueueServiceClient.fromConnectionString(connection.connectionString)
      : new QueueServiceClient(connection.accountUrl, connection.credential);
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
