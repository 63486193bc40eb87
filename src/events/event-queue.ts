import type { QueueClient } from '@azure/storage-queue';
import { ArgusError } from '../errors/catalog';

/** Where a stored event lives: the queue message only points at it. */
export interface EventRef {
  partitionKey: string;
  rowKey: string;
}

export interface QueuedEvent {
  ref: EventRef;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
}

/**
 * The work queue of stored events (Azure Storage Queues): several Argus instances compete for
 * its messages; a message not deleted within its visibility timeout (a crash) comes back.
 */
export class EventQueue {
  constructor(
    private readonly queue: QueueClient,
    private readonly poison: QueueClient,
  ) {}

  async send(ref: EventRef, delaySeconds = 0): Promise<void> {
    try {
      await this.queue.sendMessage(Buffer.from(JSON.stringify(ref)).toString('base64'), { visibilityTimeout: delaySeconds });
    } catch (err) {
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not enqueue the event', { cause: err });
    }
  }

  async receive(max: number, visibilityTimeoutSeconds: number): Promise<QueuedEvent[]> {
    const res = await this.queue.receiveMessages({ numberOfMessages: Math.min(32, max), visibilityTimeout: visibilityTimeoutSeconds });
    const out: QueuedEvent[] = [];
    for (const m of res.receivedMessageItems) {
      let ref: EventRef | undefined;
      try {
        const parsed = JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as Partial<EventRef>;
        if (typeof parsed.partitionKey === 'string' && typeof parsed.rowKey === 'string') ref = { partitionKey: parsed.partitionKey, rowKey: parsed.rowKey };
      } catch {
        ref = undefined;
      }
      if (!ref) {
        // Not ours (or mangled): park it where people can look, never loop on it.
        await this.poison.sendMessage(m.messageText).catch(() => undefined);
        await this.queue.deleteMessage(m.messageId, m.popReceipt).catch(() => undefined);
        continue;
      }
      out.push({ ref, messageId: m.messageId, popReceipt: m.popReceipt, dequeueCount: m.dequeueCount });
    }
    return out;
  }

  async complete(msg: QueuedEvent): Promise<void> {
    await this.queue.deleteMessage(msg.messageId, msg.popReceipt).catch((err: unknown) => {
      // 404: already deleted, or our pop receipt expired and someone else holds it now.
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    });
  }

  /** Makes the message reappear after `seconds` (the retry backoff). */
  async delay(msg: QueuedEvent, seconds: number): Promise<void> {
    await this.queue.updateMessage(msg.messageId, msg.popReceipt, undefined, Math.max(0, Math.round(seconds)));
  }

  async deadLetter(msg: QueuedEvent): Promise<void> {
    await this.poison.sendMessage(Buffer.from(JSON.stringify(msg.ref)).toString('base64'));
    await this.complete(msg);
  }

  async depth(): Promise<number> {
    const props = await this.queue.getProperties();
    return props.approximateMessagesCount ?? 0;
  }
}
