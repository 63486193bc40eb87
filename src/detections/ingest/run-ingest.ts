import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { DetectionAlert } from '../alert';
import type { DetectionEngine } from '../engine';
import { JsonEventSplitter, type StreamItem } from '../json-stream';
import type { AlertDelivery, AlertWebhookSender } from './alert-webhook';
import { EventProcessor } from './event-processor';
import { followFile } from './follow-file';
import { listen, type ListenTarget } from './socket-listener';

export type IngestInput =
  | { kind: 'file'; path: string; follow: boolean; pollMs?: number }
  | { kind: 'stream'; name: string; stream: AsyncIterable<string | Buffer> }
  | { kind: 'listen'; target: ListenTarget };

export interface IngestOptions {
  engine: DetectionEngine;
  input: IngestInput;
  /** Where alerts go as JSON lines (stdout or a file), if anywhere. */
  output?: NodeJS.WritableStream;
  /** Posts each alert to a running Argus. */
  webhook?: AlertWebhookSender;
  /** Stops the run (Ctrl-C); alerts already being delivered still finish. */
  signal: AbortSignal;
  /** Stop after this many events. */
  maxEvents?: number;
  /** A progress line every this many milliseconds (0: none). */
  progressIntervalMs?: number;
  /** Progress, input problems and delivery problems, one line each (stderr). */
  report(line: string): void;
  onListening?(url: string): void;
  now?: () => Date;
}

export interface IngestSummary {
  events: number;
  matches: number;
  /** Inputs that were not usable events. */
  errors: number;
  delivered: number;
  duplicates: number;
  rejected: number;
  failed: number;
  seconds: number;
}

/** `argus ingest`: evaluate rules over a file, a followed file, stdin or a socket, and hand on alerts. */
export async function runIngest(options: IngestOptions): Promise<IngestSummary> {
  const started = Date.now();
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.signal.aborted) stop.abort();
  const deliveries = { delivered: 0, duplicates: 0, rejected: 0, failed: 0 };
  const inflight = new Set<Promise<void>>();

  const record = (alert: DetectionAlert, d: AlertDelivery): void => {
    if (d.outcome === 'delivered') deliveries.delivered++;
    else if (d.outcome === 'duplicate') deliveries.duplicates++;
    else {
      deliveries[d.outcome]++;
      options.report(`argus ingest: alert ${alert.id} (${alert.ruleId}) ${d.outcome} after ${d.attempts} attempt(s): ${d.reason ?? 'unknown reason'}`);
    }
  };

  const processor = new EventProcessor({
    engine: options.engine,
    now: options.now,
    onProblem: (p) => options.report(`argus ingest: ${p.source} line ${p.line} (event ${p.index}): ${p.message}`),
    onAlert: async (alert) => {
      const out = options.output;
      if (out && !out.write(`${JSON.stringify(alert)}\n`)) await once(out, 'drain');
      if (options.webhook) record(alert, await options.webhook.send(alert));
    },
  });

  const handle = (item: StreamItem, source: string): void | Promise<void> => {
    if (stop.signal.aborted) return;
    const p = processor.handle(item, source);
    if (options.maxEvents !== undefined && processor.stats.events >= options.maxEvents) stop.abort();
    if (!p) return;
    // A failing sink (e.g. an output file that became unwritable) is reported, never left unhandled.
    const tracked = p
      .catch((err: unknown) => {
        processor.stats.errors++;
        options.report(`argus ingest: could not hand on an alert from ${source}: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    return tracked;
  };

  let lastTick = { at: Date.now(), events: 0 };
  const progress =
    options.progressIntervalMs && options.progressIntervalMs > 0
      ? setInterval(() => {
          const now = Date.now();
          const { events, matches, errors } = processor.stats;
          const rate = Math.round(((events - lastTick.events) * 1000) / Math.max(1, now - lastTick.at));
          lastTick = { at: now, events };
          options.report(`argus ingest: ${events} events (${rate} events/s), ${matches} matches, ${errors} unusable${options.webhook ? `, ${deliveries.delivered + deliveries.duplicates} delivered` : ''}`);
        }, options.progressIntervalMs)
      : undefined;
  progress?.unref();

  try {
    const { input } = options;
    if (input.kind === 'listen') {
      const listener = await listen(input.target, handle);
      options.onListening?.(listener.url);
      if (!stop.signal.aborted) await once(stop.signal, 'abort');
      await listener.close();
    } else {
      const source = input.kind === 'file' ? input.path : input.name;
      const chunks: AsyncIterable<string | Buffer | null> =
        input.kind === 'stream'
          ? input.stream
          : input.follow
            ? followFile(input.path, { signal: stop.signal, pollMs: input.pollMs })
            : createReadStream(input.path, { encoding: 'utf8', highWaterMark: 1 << 20 });
      let splitter = new JsonEventSplitter();
      const decoder = new TextDecoder('utf-8');
      for await (const chunk of chunks) {
        if (chunk === null) {
          splitter = new JsonEventSplitter(); // the followed file was truncated or replaced
          continue;
        }
        const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
        for (const item of splitter.push(text)) {
          const p = handle(item, source);
          if (p) await p;
        }
        if (stop.signal.aborted) break;
      }
      if (!stop.signal.aborted) for (const item of splitter.end()) await handle(item, source);
    }
    await Promise.all(inflight);
  } finally {
    if (progress) clearInterval(progress);
    options.signal.removeEventListener('abort', onAbort);
  }
  return { ...processor.stats, ...deliveries, seconds: (Date.now() - started) / 1000 };
}
