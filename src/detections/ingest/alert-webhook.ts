import { signBody, signatureHeader } from '../../security/signature';
import { backoffMs, retryAfterMs } from '../../net/retry';
import type { DetectionAlert } from '../alert';

/** What became of one alert posted to a running Argus. */
export interface AlertDelivery {
  outcome: 'delivered' | 'duplicate' | 'rejected' | 'failed';
  attempts: number;
  httpStatus?: number;
  /** Why it was rejected or failed (status line and the start of the answer, or the network error). */
  reason?: string;
}

export interface AlertWebhookOptions {
  /** A running Argus (`https://argus.example.com`) or the full endpoint URL. */
  url: string;
  /** The `alerts-webhook-secret`. */
  secret: string;
  /** Attempts per alert for retryable failures (429, 5xx, network); default 6. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest wait between attempts, also capping Retry-After. Default 30 s. */
  maxDelayMs?: number;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** Stops waiting and retrying (the alert then counts as failed). */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export const alertsPath = '/api/webhooks/alerts';

/** `https://argus.example.com` → `https://argus.example.com/api/webhooks/alerts` (a full endpoint stays as is). */
export function alertsEndpoint(url: string): string {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--to must be an http(s) URL, not ${u.protocol}`);
  if (!u.pathname.endsWith(alertsPath)) u.pathname = `${u.pathname.replace(/\/+$/, '')}${alertsPath}`;
  return u.toString();
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * Posts alerts to `POST /api/webhooks/alerts`, signed with `X-Argus-Signature` (signed afresh
 * per attempt, since a signature is only valid for five minutes). 202/200 are delivered (200:
 * Argus already had it); 429, 5xx and network errors are retried with exponential backoff and
 * jitter, honouring Retry-After; any other answer is a rejection, reported and not retried.
 */
export class AlertWebhookSender {
  readonly endpoint: string;
  private readonly o: Required<Omit<AlertWebhookOptions, 'signal'>> & { signal?: AbortSignal };

  constructor(options: AlertWebhookOptions) {
    this.endpoint = alertsEndpoint(options.url);
    this.o = {
      maxAttempts: 6,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      timeoutMs: 10_000,
      sleep: defaultSleep,
      random: Math.random,
      now: Date.now,
      ...options,
    };
  }

  async send(alert: DetectionAlert): Promise<AlertDelivery> {
    const body = JSON.stringify(alert);
    let last: AlertDelivery = { outcome: 'failed', attempts: 0, reason: 'not sent' };
    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      if (this.o.signal?.aborted) return { ...last, outcome: 'failed', reason: `stopped before delivery (${last.reason ?? 'not sent'})` };
      let wait: number | undefined;
      try {
        const res = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [signatureHeader]: signBody(this.o.secret, body, this.o.now()) },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        const text = await res.text().catch(() => '');
        if (res.status === 202 || res.status === 201 || res.status === 204) return { outcome: 'delivered', attempts: attempt, httpStatus: res.status };
        if (res.status === 200) return { outcome: /"duplicate"\s*:\s*true/.test(text) ? 'duplicate' : 'delivered', attempts: attempt, httpStatus: 200 };
        const reason = `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
        if (!retryable(res.status)) return { outcome: 'rejected', attempts: attempt, httpStatus: res.status, reason };
        last = { outcome: 'failed', attempts: attempt, httpStatus: res.status, reason };
        wait = retryAfterMs(res.headers, this.o.now());
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
        last = { outcome: 'failed', attempts: attempt, reason: `${err instanceof Error ? err.message : String(err)}${cause}` };
      }
      if (attempt < this.o.maxAttempts) {
        const backoff = backoffMs(attempt, this.o, this.o.random);
        await this.o.sleep(Math.min(this.o.maxDelayMs, wait ?? backoff), this.o.signal);
      }
    }
    return last;
  }
}
