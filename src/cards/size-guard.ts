import { ArgusError } from '../errors/catalog';
import type { AdaptiveCardJson } from './views';

/**
 * Largest card Argus sends, in bytes of serialized JSON. 28 KB is the Teams connector limit for
 * Logic Apps posts; the Bot Framework allows more, but one limit everywhere keeps cards portable.
 */
export const MAX_CARD_BYTES = 28 * 1024;

export function measureCardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

export interface FitOptions {
  /** Which card, for the error message. */
  card: string;
  /** How many truncation levels `render` understands (0 = roomiest). */
  levels: number;
  maxBytes?: number;
}

/**
 * Renders at level 0, 1, 2… until the card fits. Truncation happens in the view data before the
 * template is expanded, so every attempt is a complete card: JSON is never cut.
 */
export function fitCard(render: (level: number) => AdaptiveCardJson, options: FitOptions): AdaptiveCardJson {
  const maxBytes = options.maxBytes ?? MAX_CARD_BYTES;
  let smallest = Number.POSITIVE_INFINITY;
  for (let level = 0; level < options.levels; level += 1) {
    const card = render(level);
    const bytes = measureCardBytes(card);
    if (bytes <= maxBytes) return card;
    smallest = Math.min(smallest, bytes);
  }
  throw new ArgusError('ARGUS_INTERNAL', `The ${options.card} card stays over ${maxBytes} bytes (${smallest}) after truncation`);
}

/** Level-indexed value: the last entry applies to every level beyond the table. */
export function atLevel<T>(table: readonly [T, ...T[]], level: number): T {
  return table[Math.min(level, table.length - 1)] ?? table[0];
}
