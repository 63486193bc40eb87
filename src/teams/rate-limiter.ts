/**
 * Teams' outbound limits for a bot (per conversation: 7 per 1 s, 8 per 2 s, 60 per 30 s, 1800 per
 * hour; about 50 per second per app per tenant). `reserve` hands out the earliest moment a call
 * may go that keeps every window; a 429's Retry-After pauses the whole conversation.
 */
export interface Window {
  limit: number;
  ms: number;
}

export const conversationWindows: Window[] = [
  { limit: 7, ms: 1_000 },
  { limit: 8, ms: 2_000 },
  { limit: 60, ms: 30_000 },
  { limit: 1_800, ms: 3_600_000 },
];
export const tenantWindows: Window[] = [{ limit: 50, ms: 1_000 }];

/**
 * Slack added to every window: a call leaves a little after its booked time (event-loop lag,
 * connection set-up) and Teams counts on arrival, so windows are kept slightly wider than Teams'.
 */
const marginMs = 150;

class SlidingLog {
  private readonly times: number[] = [];
  constructor(private readonly windows: Window[]) {}

  /** Earliest time ≥ now at which one more call fits every window. */
  earliest(now: number): number {
    let at = now;
    for (const w of this.windows) {
      const inWindow = this.times.filter((t) => t > at - w.ms - marginMs);
      if (inWindow.length >= w.limit) {
        // The call must wait until the oldest call that keeps the window full has aged out.
        const blocking = inWindow[inWindow.length - w.limit];
        if (blocking !== undefined) at = Math.max(at, blocking + w.ms + marginMs);
      }
    }
    return at;
  }

  /** Books `at`; forgets what is older than every window as seen from `now` (bookings may lie ahead). */
  record(at: number, now = at): void {
    this.times.push(at);
    this.times.sort((a, b) => a - b);
    const horizon = Math.min(at, now) - Math.max(...this.windows.map((w) => w.ms));
    while (this.times.length && (this.times[0] ?? 0) <= horizon) this.times.shift();
  }

  snapshot(): number[] {
    return [...this.times];
  }
}

export class TeamsRateLimiter {
  private readonly conversations = new Map<string, { log: SlidingLog; pausedUntil: number }>();
  private readonly tenants = new Map<string, SlidingLog>();

  constructor(
    private readonly options: { conversationWindows?: Window[]; tenantWindows?: Window[]; now?: () => number } = {},
  ) {}

  private conversation(key: string) {
    let c = this.conversations.get(key);
    if (!c) {
      c = { log: new SlidingLog(this.options.conversationWindows ?? conversationWindows), pausedUntil: 0 };
      this.conversations.set(key, c);
    }
    return c;
  }

  private tenant(key: string): SlidingLog {
    let t = this.tenants.get(key);
    if (!t) {
      t = new SlidingLog(this.options.tenantWindows ?? tenantWindows);
      this.tenants.set(key, t);
    }
    return t;
  }

  /**
   * Books the next slot for a call to `conversation` and returns when it is due (epoch ms). Calls
   * are booked in order, so a burst is spread out rather than sent at once.
   */
  reserve(conversation: string, tenant = 'default'): number {
    const now = this.options.now?.() ?? Date.now();
    const c = this.conversation(conversation);
    const t = this.tenant(tenant);
    let at = Math.max(now, c.pausedUntil);
    for (let i = 0; i < 10; i += 1) {
      const next = Math.max(c.log.earliest(at), t.earliest(at));
      if (next === at) break;
      at = next;
    }
    c.log.record(at, now);
    t.record(at, now);
    return at;
  }

  /** Books the next slot (see `reserve`) and resolves when it is due. */
  async acquire(conversation: string, tenant = 'default'): Promise<void> {
    const wait = this.reserve(conversation, tenant) - (this.options.now?.() ?? Date.now());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /** Teams answered 429 (or the like): nothing more to this conversation until `ms` from now. */
  pause(conversation: string, ms: number): void {
    const c = this.conversation(conversation);
    c.pausedUntil = Math.max(c.pausedUntil, (this.options.now?.() ?? Date.now()) + ms);
  }

  /** Recent call times of a conversation (to hand over with a delivery lease). */
  recent(conversation: string): number[] {
    return this.conversation(conversation).log.snapshot();
  }

  /** Takes over call times recorded by another instance. */
  seed(conversation: string, times: number[]): void {
    const log = this.conversation(conversation).log;
    const now = this.options.now?.() ?? Date.now();
    // Times this limiter booked itself come back with the lease: count each call once.
    const known = new Set(log.snapshot());
    for (const t of times) if (!known.has(t)) log.record(t, now);
  }
}
