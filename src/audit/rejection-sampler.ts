import { isIP } from 'node:net';

/*
 * Rejected, unauthenticated webhooks cost the sender nothing, so auditing each one lets anyone
 * grow the audit chain at will and crowd out real rows. The sampler lets the first few rejections
 * per route and caller in each wall-clock minute through to be audited one by one and counts the
 * rest, which the minute's summary row then reports. Memory is bounded: at most `maxSources`
 * (route, caller) windows are tracked per minute; callers beyond that share one window per route.
 */

/** The caller of every rejection beyond `maxSources` distinct callers in one minute. */
export const overflowSource = 'other';
/** The caller when the connection did not say (should not happen on a TCP socket). */
export const unknownSource = 'unknown';

const windowMs = 60_000;
// A window lists at most this many distinct reasons; the rest are counted under 'other'.
const maxReasons = 16;

export interface RejectionSamplerOptions {
  /** Rejections per route and caller per minute audited one by one (default 20). */
  perSourcePerMinute: number;
  /** Distinct (route, caller) pairs tracked per minute (default 1000). */
  maxSources: number;
}

/** The rejections of one route and caller in one minute that were counted, not audited one by one. */
export interface RejectionSummary {
  route: string;
  target: string;
  source: string;
  /** ISO start (inclusive) and end (exclusive) of the minute. */
  from: string;
  to: string;
  /** Rows audited one by one in this minute. */
  audited: number;
  /** Rejections only counted. */
  suppressed: number;
  reasons: Record<string, number>;
}

interface Window {
  route: string;
  target: string;
  source: string;
  audited: number;
  suppressed: number;
  reasons: Map<string, number>;
}

export class RejectionSampler {
  private readonly options: RejectionSamplerOptions;
  private minute = Number.NaN;
  private readonly windows = new Map<string, Window>();
  private tracked = 0;
  private closed: RejectionSummary[] = [];
  private dropped = 0;

  constructor(options: RejectionSamplerOptions) {
    this.options = options;
  }

  /** Counts one rejection; true when it is to be audited on its own row. */
  admit(input: { route: string; target: string; source: string; reason: string }, nowMs: number): boolean {
    this.roll(nowMs);
    let key = `${input.route}\n${input.source}`;
    let window = this.windows.get(key);
    if (!window && this.tracked >= this.options.maxSources) {
      key = `${input.route}\n${overflowSource}`;
      window = this.windows.get(key);
    }
    if (!window) {
      const source = key.slice(input.route.length + 1);
      window = { route: input.route, target: input.target, source, audited: 0, suppressed: 0, reasons: new Map() };
      this.windows.set(key, window);
      if (source === input.source) this.tracked += 1;
    }
    if (window.audited < this.options.perSourcePerMinute) {
      window.audited += 1;
      return true;
    }
    window.suppressed += 1;
    const reason = window.reasons.has(input.reason) || window.reasons.size < maxReasons ? input.reason : 'other';
    window.reasons.set(reason, (window.reasons.get(reason) ?? 0) + 1);
    return false;
  }

  /** Summaries of the minutes that have ended by `nowMs` (each returned once). */
  takeClosed(nowMs: number): RejectionSummary[] {
    this.roll(nowMs);
    const out = this.closed;
    this.closed = [];
    return out;
  }

  /** Every summary, the current minute's so far included (at shutdown). */
  drain(): RejectionSummary[] {
    const out = [...this.closed, ...this.summaries()];
    this.closed = [];
    this.windows.clear();
    this.tracked = 0;
    return out;
  }

  /** Summaries discarded because none were taken for a long time (the audit log was down). */
  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }

  /** Distinct windows held now (for tests of the memory bound). */
  get size(): number {
    return this.windows.size;
  }

  private roll(nowMs: number): void {
    const minute = Math.floor(nowMs / windowMs);
    if (minute === this.minute) return;
    const ended = this.summaries();
    // Bounded even when nobody takes them: keep the newest few minutes' worth.
    const room = Math.max(0, 4 * (this.options.maxSources + 8) - this.closed.length);
    this.dropped += Math.max(0, ended.length - room);
    this.closed.push(...ended.slice(0, room));
    this.windows.clear();
    this.tracked = 0;
    this.minute = minute;
  }

  private summaries(): RejectionSummary[] {
    if (Number.isNaN(this.minute)) return [];
    const from = new Date(this.minute * windowMs).toISOString();
    const to = new Date((this.minute + 1) * windowMs).toISOString();
    return [...this.windows.values()]
      .filter((w) => w.suppressed > 0)
      .map((w) => ({
        route: w.route,
        target: w.target,
        source: w.source,
        from,
        to,
        audited: w.audited,
        suppressed: w.suppressed,
        reasons: Object.fromEntries(w.reasons),
      }));
  }
}

/**
 * The caller a rejection is counted against: the connection's address, IPv4-mapped IPv6 as IPv4,
 * and IPv6 by its /64 prefix (one host commonly holds a whole /64, so single addresses would let
 * it appear as countless callers).
 */
export function callerSource(address: string | undefined): string {
  if (!address) return unknownSource;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIP(address) !== 6) return isIP(address) === 4 ? address : unknownSource;
  const bare = address.toLowerCase().split('%')[0] ?? '';
  const [head = '', tail = ''] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (64:ff9b::192.0.2.1) stands for two groups.
  const rightGroups = right.reduce((n, part) => n + (part.includes('.') ? 2 : 1), 0);
  const groups = bare.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - rightGroups)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
