import type { QueueClient } from '@azure/storage-queue';
import { ArgusError } from '../errors/catalog';
import type { ArgusEvent } from './event-map';

/** Where a stored event lives: the queue message only points at it. */
export interface EventRef {
  partitionKey: string;
  rowKey: string;
}

/** A pointer to a stored event, carrying the event itself when it is small (saves a read). */
export interface QueuedItem extends EventRef {
  event?: ArgusEvent;
  /** The row's etag when it was stored (rides along with an inline event). */
  etag?: string;
  /** Sent right after the event was stored (not a retry, sweep or replay). */
  fresh?: boolean;
}

/** One queue message: (part of) a group commit, or a single event to retry. */
export interface QueuedEvent {
  items: QueuedItem[];
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

  /** Sends the items in as few messages as fit (a message holds at most 64 KiB). */
  async send(items: QueuedItem[], delaySeconds = 0): Promise<void> {
    // Azure Queue Storage takes whole seconds (Azurite also accepts fractions): round up, so a retry
    // never comes before its backoff.
    const visibilityTimeout = Math.max(0, Math.ceil(delaySeconds));
    try {
      for (const chunk of pack(items)) await this.queue.sendMessage(chunk.text, { visibilityTimeout });
    } catch (err) {
      throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not enqueue the event', { cause: err });
    }
  }

  /**
   * Sends pointers to events this instance runs itself at once (the intake's fast path), hidden
   * from every instance for `holdSeconds`: the durable fallback should the run never end. Answers
   * the messages as if received (`dequeueCount` 0), each with the `items` it points at as given
   * (events and etags stay in memory) and the pop receipt that deletes it once they are settled.
   * A message that does come back carries only pointers, so whoever reads it reads the rows first.
   */
  async sendHeld(items: QueuedItem[], holdSeconds: number): Promise<QueuedEvent[]> {
    const out: QueuedEvent[] = [];
    try {
      let from = 0;
      for (const chunk of pack(items.map((i) => ({ partitionKey: i.partitionKey, rowKey: i.rowKey })))) {
        const sent = await this.queue.sendMessage(chunk.text, { visibilityTimeout: Math.max(1, Math.ceil(holdSeconds)) });
        out.push({ items: items.slice(from, from + chunk.count), messageId: sent.messageId, popReceipt: sent.popReceipt, dequeueCount: 0 });
        from += chunk.count;
      }
    } catch (err) {
      // What was sent is run and completed; the rest is the sweep's, as for any message not sent.
      if (out.length === 0) throw new ArgusError('ARGUS_STORAGE_UNAVAILABLE', 'could not enqueue the event', { cause: err });
    }
    return out;
  }

  async receive(max: number, visibilityTimeoutSeconds: number): Promise<QueuedEvent[]> {
    const res = await this.queue.receiveMessages({ numberOfMessages: Math.min(32, max), visibilityTimeout: visibilityTimeoutSeconds });
    const out: QueuedEvent[] = [];
    for (const m of res.receivedMessageItems) {
      const items = decode(m.messageText);
      if (!items) {
        // Not ours (or mangled): park it where people can look, never loop on it.
        await this.poison.sendMessage(m.messageText).catch(() => undefined);
        await this.queue.deleteMessage(m.messageId, m.popReceipt).catch(() => undefined);
        continue;
      }
      out.push({ items, messageId: m.messageId, popReceipt: m.popReceipt, dequeueCount: m.dequeueCount });
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
    await this.poison.sendMessage(pack([{ partitionKey: ref.partitionKey, rowKey: ref.rowKey }])[0]!.text);
  }

  /** Age of the oldest message waiting (visible ones only: retries waiting for their backoff are not counted). */
  async oldestAgeMs(now = Date.now()): Promise<number> {
    const res = await this.queue.peekMessages({ numberOfMessages: 1 });
    const first = res.peekedMessageItems[0];
    return first ? Math.max(0, now - first.insertedOn.getTime()) : 0;
  }

  /**
   * When the oldest event still waiting in a visible message was stored: the earliest receipt time
   * of the events the next messages to be read carry (their send time, on the queue's clock, for a
   * message of bare pointers); undefined when none is visible. Messages go out in the order their
   * events were stored, but later than that when sending lags behind storing (a burst): so a
   * message's send time says nothing of its events' age.
   */
  async oldestWaitingAt(): Promise<Date | undefined> {
    const res = await this.queue.peekMessages({ numberOfMessages: 32 });
    let oldest = Infinity;
    for (const m of res.peekedMessageItems) {
      const items = decode(m.messageText) ?? [];
      const times = items.map((i) => (i.event ? Date.parse(i.event.receivedAt) : NaN)).filter((t) => !Number.isNaN(t));
      oldest = Math.min(oldest, ...(times.length === items.length && times.length > 0 ? times : [...times, m.insertedOn.getTime()]));
    }
    return oldest === Infinity ? undefined : new Date(oldest);
  }

  async depth(): Promise<number> {
    const props = await this.queue.getProperties();
    return props.approximateMessagesCount ?? 0;
  }
}

// A message is base64 of [[partitionKey, rowKey, event?, etag?, fresh?], …] (event 0 and etag ''
// when absent but fresh, which is 1). Azure caps a message at 64 KiB, so
// events ride along while the message stays under ~44 KiB of JSON; bigger ones are read from the table.
const maxMessageJson = 44 * 1024;

/** The messages' texts, each with how many of `items` (in order) it holds. */
function pack(items: QueuedItem[]): Array<{ text: string; count: number }> {
  const messages: Array<{ text: string; count: number }> = [];
  let current: unknown[] = [];
  let size = 2;
  const flush = () => {
    if (current.length) messages.push({ text: Buffer.from(JSON.stringify(current)).toString('base64'), count: current.length });
    current = [];
    size = 2;
  };
  for (const item of items) {
    const fresh = item.fresh ? [1] : [];
    const withEvent = item.event ? [item.partitionKey, item.rowKey, item.event, item.etag ?? '', ...fresh] : undefined;
    const withEventSize = withEvent ? JSON.stringify(withEvent).length + 1 : Infinity;
    const entry = withEventSize <= maxMessageJson ? withEvent! : [item.partitionKey, item.rowKey, ...(item.fresh ? [0, '', 1] : [])];
    const entrySize = entry === withEvent ? withEventSize : JSON.stringify(entry).length + 1;
    if (size + entrySize > maxMessageJson) flush();
    current.push(entry);
    size += entrySize;
  }
  flush();
  return messages;
}

function decode(text: string): QueuedItem[] | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown;
    if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
    const items: QueuedItem[] = [];
    for (const entry of parsed) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') return undefined;
      const event = entry[2] as ArgusEvent | undefined;
      const inline = event && typeof event === 'object' && typeof event.name === 'string' ? event : undefined;
      const etag = inline && typeof entry[3] === 'string' && entry[3] !== '' ? entry[3] : undefined;
      items.push({ partitionKey: entry[0], rowKey: entry[1], event: inline, etag, ...(entry[4] === 1 ? { fresh: true } : {}) });
    }
    return items;
  } catch {
    return undefined;
  }
}
