import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DetectionMatch } from './engine';
import { matchExplanationSchema } from './explanation';
import type { FieldValue, FlatEvent } from './flatten-event';
import { sigmaLevels, sigmaStatuses } from './sigma-rule';
import { indicatorTypes } from '../triage/types';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * A detection alert: one rule matching one event. This is the body of
 * `POST /api/webhooks/alerts` (sent by `argus ingest --to`), and what `argus detect run` prints.
 * `id` is derived from the rule and the event, so delivering the same alert twice is idempotent.
 */
export const detectionAlertSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lower-case hex characters'),
  ruleId: z.string().min(1).max(200),
  title: z.string().min(1).max(256),
  level: z.enum(sigmaLevels),
  /** Rule tags, e.g. ATT&CK `attack.t1059.001`. */
  tags: z.array(z.string().max(200)).max(100),
  status: z.enum(sigmaStatuses).optional(),
  detectedAt: z.iso.datetime({ offset: true }),
  /** Where the event came from: a file path, `stdin`, or `tcp://host:port` / `udp://host:port`. */
  source: z.string().min(1).max(1024),
  /** Position of the event in its source (0-based). */
  eventIndex: z.number().int().min(0),
  /** The flattened event, with long values shortened (see `maxAlertEventBytes`). */
  event: z.record(z.string(), z.union([scalar, z.array(scalar)])),
  explanation: matchExplanationSchema,
  /** What the alert points at (ARCHITECTURE §8); absent: triage takes them from the event's fields. */
  indicators: z.array(z.strictObject({ type: z.enum(indicatorTypes), value: z.string().min(1).max(2048) })).max(100).optional(),
});
export type DetectionAlert = z.infer<typeof detectionAlertSchema>;

/** An alert's event stays under this size; longer values are cut, then the largest fields dropped. */
export const maxAlertEventBytes = 32 * 1024;
const maxValueChars = 4096;
export const truncatedMarker = '_truncated';

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What identifies an event across deliveries: a Windows record's computer, channel and record
 * number when present, else a hash of its content (independent of key order and formatting).
 */
export function eventIdentity(flat: FlatEvent): string {
  const computer = flat.get('Computer');
  const channel = flat.get('Channel');
  const record = flat.get('EventRecordID');
  if (typeof computer === 'string' && typeof channel === 'string' && (typeof record === 'number' || typeof record === 'string'))
    return `win:${computer.toLowerCase()}:${channel.toLowerCase()}:${String(record)}`;
  return `sha256:${createHash('sha256').update(stableStringify(Object.fromEntries(flat))).digest('hex')}`;
}

export function alertId(ruleId: string, flat: FlatEvent): string {
  return createHash('sha256').update(`${ruleId}\n${eventIdentity(flat)}`).digest('hex').slice(0, 32);
}

function clipValue(v: FieldValue): FieldValue {
  if (typeof v === 'string') return v.length > maxValueChars ? `${v.slice(0, maxValueChars)}…` : v;
  if (Array.isArray(v)) return v.slice(0, 100).map((x) => (typeof x === 'string' && x.length > maxValueChars ? `${x.slice(0, maxValueChars)}…` : x));
  return v;
}

/** The flattened event as a plain object within `maxAlertEventBytes`. */
export function cappedEvent(flat: FlatEvent): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  let clipped = false;
  for (const [k, v] of flat) {
    const c = clipValue(v);
    if (c !== v) clipped = true;
    out[k] = c;
  }
  let size = Buffer.byteLength(JSON.stringify(out));
  if (size > maxAlertEventBytes) {
    const bySize = Object.keys(out).sort((a, b) => JSON.stringify(out[b]).length - JSON.stringify(out[a]).length);
    for (const k of bySize) {
      if (size <= maxAlertEventBytes) break;
      size -= Buffer.byteLength(JSON.stringify(out[k])) + Buffer.byteLength(JSON.stringify(k)) + 2;
      delete out[k];
      clipped = true;
    }
  }
  if (clipped) out[truncatedMarker] = true;
  return out;
}

export interface AlertContext {
  source: string;
  eventIndex: number;
  flat: FlatEvent;
  now?: Date;
}

export function buildAlert(match: DetectionMatch, ctx: AlertContext): DetectionAlert {
  const { rule } = match;
  return {
    id: alertId(rule.id, ctx.flat),
    ruleId: rule.id,
    title: rule.title,
    level: rule.level,
    tags: rule.tags.slice(0, 100),
    ...(rule.status ? { status: rule.status } : {}),
    detectedAt: (ctx.now ?? new Date()).toISOString(),
    source: ctx.source.length > 1024 ? `…${ctx.source.slice(-1023)}` : ctx.source,
    eventIndex: ctx.eventIndex,
    event: cappedEvent(ctx.flat),
    explanation: match.explanation,
  };
}
