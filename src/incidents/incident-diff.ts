import { plain } from '../cards/text';
import type { Incident } from './incident';

/** Orders two ISO timestamps, keeping Sentinel's sub-millisecond digits. */
export function compareTimestamps(a: string, b: string): number {
  const split = (s: string) => {
    const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(s.trim());
    const base = Date.parse(`${m?.[1] ?? s}${m?.[3] ?? 'Z'}`);
    return { base: Number.isNaN(base) ? 0 : base, frac: (m?.[2] ?? '').padEnd(9, '0').slice(0, 9) };
  };
  const x = split(a);
  const y = split(b);
  if (x.base !== y.base) return x.base < y.base ? -1 : 1;
  return x.frac === y.frac ? 0 : x.frac < y.frac ? -1 : 1;
}

export interface NotableChange {
  field: 'status' | 'severity' | 'owner' | 'classification';
  from?: string;
  to?: string;
}

export function ownerName(owner: Incident['owner']): string | undefined {
  return owner?.assignedTo ?? owner?.userPrincipalName ?? owner?.email ?? owner?.objectId;
}

/** The changes worth a reply in the card's thread. */
export function notableChanges(before: Incident | undefined, after: Incident): NotableChange[] {
  if (!before) return [];
  const out: NotableChange[] = [];
  if (before.status !== after.status) out.push({ field: 'status', from: before.status, to: after.status });
  if (before.severity !== after.severity) out.push({ field: 'severity', from: before.severity, to: after.severity });
  if (ownerName(before.owner) !== ownerName(after.owner)) out.push({ field: 'owner', from: ownerName(before.owner), to: ownerName(after.owner) });
  if (before.classification !== after.classification && after.classification)
    out.push({ field: 'classification', from: before.classification, to: after.classification });
  return out;
}

/** Names come from Sentinel (anyone who can edit the incident): one line each, so none can pass for another message. */
export function describeChanges(changes: NotableChange[]): string {
  const label = { status: 'Status', severity: 'Severity', owner: 'Owner', classification: 'Classification' } as const;
  const shown = (v: string | undefined) => plain(v, 120) || '—';
  return changes.map((c) => `${label[c.field]}: ${shown(c.from)} → ${shown(c.to)}`).join(' · ');
}
