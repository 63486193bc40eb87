import type { EventView } from './event-view';
import type { LogsourceMapping } from './logsource-config';
import { compileSelection, type Matchable } from './selection-compiler';
import { SigmaNumber, type DetectionValue, type SigmaLogsource } from './sigma-rule';

/**
 * Rules are indexed by the event channel and Event ID their logsource admits, so an event is only
 * tested against rules whose logsource it belongs to. Conditions other than a plain `Channel` /
 * `EventID` equality stay as a residual check on the candidate.
 */
export interface SourceGate {
  mapping: LogsourceMapping;
  /** Lower-cased channels, or null for any. */
  channels: string[] | null;
  /** Event IDs as text, or null for any. */
  eventIds: string[] | null;
  residual: Matchable | null;
}

export const anyKey = '\u0000*';

/** Mapping entries that cover a rule's logsource: every key the rule names must be named alike. */
export function mappingsFor(logsource: SigmaLogsource, mappings: readonly LogsourceMapping[]): LogsourceMapping[] {
  const keys = (['product', 'category', 'service'] as const).filter((k) => logsource[k] !== undefined);
  if (keys.length === 0) return [];
  return mappings.filter((m) => keys.every((k) => m.logsource[k]?.toLowerCase() === logsource[k]));
}

type ConditionValue = string | number | boolean | null;

function toDetectionValue(v: ConditionValue | ConditionValue[]): DetectionValue {
  if (Array.isArray(v)) return v.map((x) => toDetectionValue(x));
  return typeof v === 'number' ? new SigmaNumber(v, String(v)) : v;
}

function plainList(v: ConditionValue | ConditionValue[]): string[] | undefined {
  const list = Array.isArray(v) ? v : [v];
  if (list.some((x) => typeof x !== 'string' && typeof x !== 'number')) return undefined;
  if (list.some((x) => typeof x === 'string' && /[*?\\]/.test(x))) return undefined;
  return list.map((x) => String(x));
}

export function compileGate(mapping: LogsourceMapping): SourceGate {
  let channels: string[] | null = null;
  let eventIds: string[] | null = null;
  const residual: Record<string, DetectionValue> = {};
  for (const [key, value] of Object.entries(mapping.conditions)) {
    const plain = plainList(value);
    if (key === 'Channel' && plain) channels = plain.map((c) => c.toLowerCase());
    else if (key === 'EventID' && plain) eventIds = plain;
    else residual[key] = toDetectionValue(value);
  }
  const identity = (f: string): string => f;
  return {
    mapping,
    channels,
    eventIds,
    residual: Object.keys(residual).length ? compileSelection(`logsource:${mapping.name}`, residual, identity) : null,
  };
}

/** The channel/Event ID key of an event. */
export function eventKey(view: EventView): { channel: string; eventId: string } {
  const ch = view.lower('Channel');
  let id = view.raw('EventID');
  if (Array.isArray(id)) id = id[0];
  return {
    channel: (typeof ch === 'string' ? ch : ch?.[0]) ?? '',
    eventId: id === undefined || id === null ? '' : typeof id === 'string' ? id.trim() : String(id),
  };
}

/** A two-level index channel → Event ID → entries, with `anyKey` for "any". */
export class GateIndex<T> {
  private readonly table = new Map<string, Map<string, T[]>>();

  add(gate: SourceGate, item: T): void {
    for (const ch of gate.channels ?? [anyKey]) {
      let byId = this.table.get(ch);
      if (!byId) this.table.set(ch, (byId = new Map()));
      for (const id of gate.eventIds ?? [anyKey]) {
        const list = byId.get(id);
        if (list) list.push(item);
        else byId.set(id, [item]);
      }
    }
  }

  /** Entries for an event key, most specific first. */
  lookup(channel: string, eventId: string): T[] {
    const out: T[] = [];
    for (const ch of channel === anyKey ? [anyKey] : [channel, anyKey]) {
      const byId = this.table.get(ch);
      if (!byId) continue;
      for (const id of eventId === anyKey ? [anyKey] : [eventId, anyKey]) {
        const list = byId.get(id);
        if (list) out.push(...list);
      }
    }
    return out;
  }
}
