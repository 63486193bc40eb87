/**
 * A message Argus owes someone at a time (a clock reminder, an escalation step), kept inside its
 * row so that a restart neither forgets nor repeats it. Sending one:
 *
 * 1. claim it with an etag-guarded write (a second sender loses the write and backs off);
 * 2. send it to each target not yet recorded, recording each target right after Teams answered;
 * 3. mark it sent.
 *
 * A crash between Teams' answer and step 2's write costs one repeated message to that one target
 * (the Bot Connector has no idempotency key); at any other instant, nothing is sent twice and
 * nothing is lost: a claim left by a dead sender expires and the next sweep finishes the work.
 */
export interface OwedMessage {
  state: 'pending' | 'sent' | 'skipped';
  /** Targets (stable keys) that have it. */
  sentTo: string[];
  claimedBy?: string;
  /** Epoch ms of the claim; a claim older than the claim timeout is taken over. */
  claimedAt?: number;
  failures: number;
  /** Epoch ms before which a failed send is not tried again. */
  retryAt?: number;
  /** ISO time it was sent (or skipped). */
  doneAt?: string;
  lastError?: string;
}

/** How long a claim holds before another sweep may take it over (its sender died). */
export const claimTtlMs = 60_000;

export function owed(): OwedMessage {
  return { state: 'pending', sentTo: [], failures: 0 };
}

/** Whether a sweeper at `now` should try to send it. */
export function isSendable(m: OwedMessage | undefined, now: number, claimTtlMs: number): boolean {
  if (!m || m.state !== 'pending') return false;
  if ((m.retryAt ?? 0) > now) return false;
  return m.claimedAt === undefined || now - m.claimedAt >= claimTtlMs;
}

/** When a pending message may next be tried (for the row's `nextAt`). */
export function nextTry(m: OwedMessage, dueAt: number, claimTtlMs: number): number {
  return Math.max(dueAt, m.retryAt ?? 0, m.claimedAt !== undefined ? m.claimedAt + claimTtlMs : 0);
}

export interface SendTarget {
  key: string;
  send(): Promise<void>;
}

export interface OwedSendOptions<R> {
  owner: string;
  now: () => number;
  claimTtlMs: number;
  /** Changes the stored record (re-read, etag-guarded); the change returns false to write nothing. */
  mutate(change: (record: R) => boolean): Promise<R | undefined>;
  /** The owed message inside a record. */
  slot(record: R): OwedMessage | undefined;
  /**
   * Targets, worked out after the claim (e.g. the card threads as they are now), or 'cancelled'
   * when the message is no longer owed (the milestone was met, the incident acknowledged).
   */
  targets(): Promise<SendTarget[] | 'cancelled'>;
}

export type OwedOutcome =
  | { kind: 'sent'; targets: string[] }
  | { kind: 'cancelled' }
  | { kind: 'not-mine' }
  | { kind: 'failed'; error: unknown; sentTo: string[] };

const backoffMs = (failures: number) => Math.min(300_000, 5_000 * 2 ** Math.min(failures, 6));

/** Sends one owed message under a claim (see the file comment). */
export async function sendOwed<R>(o: OwedSendOptions<R>): Promise<OwedOutcome> {
  const claimed = await o.mutate((record) => {
    const m = o.slot(record);
    if (!isSendable(m, o.now(), o.claimTtlMs)) return false;
    m!.claimedBy = o.owner;
    m!.claimedAt = o.now();
    return true;
  });
  const mine = claimed && o.slot(claimed);
  if (!mine || mine.claimedBy !== o.owner) return { kind: 'not-mine' };
  const done = new Set(mine.sentTo);
  let cancelled = false;
  try {
    const targets = await o.targets();
    if (targets === 'cancelled') cancelled = true;
    else if (targets.length === 0) throw new Error('there is nowhere to send it yet (no card in Teams)');
    else for (const target of targets) {
      if (done.has(target.key)) continue;
      await target.send();
      done.add(target.key);
      await o.mutate((record) => {
        const m = o.slot(record);
        if (!m || m.sentTo.includes(target.key)) return false;
        m.sentTo.push(target.key);
        return true;
      });
    }
  } catch (error) {
    await o.mutate((record) => {
      const m = o.slot(record);
      if (!m || m.state !== 'pending') return false;
      m.failures += 1;
      m.retryAt = o.now() + backoffMs(m.failures);
      m.lastError = error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);
      delete m.claimedAt;
      delete m.claimedBy;
      return true;
    });
    return { kind: 'failed', error, sentTo: [...done] };
  }
  await o.mutate((record) => {
    const m = o.slot(record);
    if (!m || m.state !== 'pending') return false;
    m.state = cancelled ? 'skipped' : 'sent';
    m.doneAt = new Date(o.now()).toISOString();
    delete m.claimedAt;
    delete m.claimedBy;
    delete m.retryAt;
    return true;
  });
  return cancelled ? { kind: 'cancelled' } : { kind: 'sent', targets: [...done] };
}
