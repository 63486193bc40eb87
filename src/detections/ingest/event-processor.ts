import { buildAlert, type DetectionAlert } from '../alert';
import type { DetectionEngine } from '../engine';
import { JsonEventSplitter, type StreamItem } from '../json-stream';

export interface ProcessorStats {
  events: number;
  matches: number;
  /** Inputs that were not usable events (bad JSON, not an object). */
  errors: number;
}

export interface InputProblem {
  source: string;
  index: number;
  line: number;
  message: string;
}

export interface EventProcessorOptions {
  engine: DetectionEngine;
  /** Receives each alert; a returned promise is awaited before the next event (back-pressure). */
  onAlert(alert: DetectionAlert): void | Promise<void>;
  onProblem(problem: InputProblem): void;
  now?: () => Date;
}

/**
 * Evaluates events as they arrive and turns matches into alerts. Events without matches never
 * allocate a promise, so the hot path stays synchronous.
 */
export class EventProcessor {
  readonly stats: ProcessorStats = { events: 0, matches: 0, errors: 0 };

  constructor(private readonly options: EventProcessorOptions) {}

  handle(item: StreamItem, source: string): void | Promise<void> {
    if (item.kind === 'error') {
      this.stats.errors++;
      this.options.onProblem({ source, index: item.index, line: item.line, message: item.message });
      return;
    }
    this.stats.events++;
    const { flat, matches } = this.options.engine.evaluate(item.value);
    if (matches.length === 0) return;
    this.stats.matches += matches.length;
    const now = this.options.now?.() ?? new Date();
    const pending: Promise<void>[] = [];
    for (const m of matches) {
      const p = this.options.onAlert(buildAlert(m, { source, eventIndex: item.index, flat, now }));
      if (p) pending.push(p);
    }
    if (pending.length) return Promise.all(pending).then(() => undefined);
  }

  /** Handles a batch of stream items in order, awaiting only when an alert sink asks to. */
  async handleAll(items: readonly StreamItem[], source: string): Promise<void> {
    for (const item of items) {
      const p = this.handle(item, source);
      if (p) await p;
    }
  }
}

/** Reads a whole stream of events (file or stdin) in any supported JSON layout. */
export async function processReadable(readable: AsyncIterable<string | Buffer>, source: string, processor: EventProcessor): Promise<void> {
  const splitter = new JsonEventSplitter();
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of readable) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    await processor.handleAll(splitter.push(text), source);
  }
  const rest = decoder.decode();
  if (rest) await processor.handleAll(splitter.push(rest), source);
  await processor.handleAll(splitter.end(), source);
}
