import type { QueueClient } from '@azure/storage-queue';
import { ArgusError } from '../errors/catalog';

/** Where a stored event lives: the queue message only points at it. */
export interface EventRef {
  partitionKey: string;
  rowKey: string;
}

/** One queue message: the events of one group commit (or a single event to retry). */
export interface QueuedEvent {
  refs: EventRef[];
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

  async send(refs: EventRef[], delaySeconds = 0): Promise<void> {
    try {
      await this.queue.sendMessage(encode(refs), { visibilityTimeout: delaySeconds });
    } catch (err) {
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not enqueue the event', { cause: err });
    }
  }

  async receive(max: number, visibilityTimeoutSeconds: number): Promise<QueuedEvent[]> {
    const res = await this.queue.receiveMessages({ numberOfMessages: Math.min(32, max), visibilityTimeout: visibilityTimeoutSeconds });
    const out: QueuedEvent[] = [];
    for (const m of res.receivedMessageItems) {
      const refs = decode(m.messageText);
      if (!refs) {
        // Not ours (or mangled): park it where people can look, never loop on it.
        await this.poison.sendMessage(m.messageText).catch(() => undefined);
        await this.queue.deleteMessage(m.messageId, m.popReceipt).catch(() => undefined);
        continue;
      }
      out.push({ refs, messageId: m.messageId, popReceipt: m.popReceipt, dequeueCount: m.dequeueCount });
    }
    return out;
  }

  async complete(msg: QueuedEvent): Promise<void> {
    await this.queue.deleteMessage(msg.messageId, msg.popReceipt).catch((err: unknown) => {
      // 404: already deleted, or our pop receipt expired and someone else holds it now.
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    });
  }

  /** Parks one event of a message on the poison queue (the message itself is completed by the caller). */
  async deadLetter(ref: EventRef): Promise<void> {
    await this.poison.sendMessage(encode([ref]));
  }

  async depth(): Promise<number> {
    const props = await this.queue.getProperties();
    return props.approximateMessagesCount ?? 0;
  }
}

// A message is at most 64 KiB: base64 of [[partitionKey, rowKey], …] (a group commit holds ≤ 100).
function encode(refs: EventRef[]): string {
  return Buffer.from(JSON.stringify(refs.map((r) => [r.partitionKey, r.rowKey]))).toString('base64');
}

function decode(text: string): EventRef[] | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown;
    if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
    const refs: EventRef[] = [];
    for (const item of parsed) {
      if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'string') return undefined;
      refs.push({ partitionKey: item[0], rowKey: item[1] });
    }
    return refs;
  } catch {
    return undefined;
  }
}
