import { ArgusError } from '../errors/catalog';

/**
 * A from/to pair (inclusive; each an ISO date `YYYY-MM-DD`, read as UTC, or an ISO date-time)
 * turned into bounds on the stored `at` text: at >= from and at < toExclusive. A date-only `to`
 * includes that whole day.
 */
export interface ResolvedRange {
  from?: string;
  toExclusive?: string;
}

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;

export function resolveRange(range: { from?: string; to?: string }): ResolvedRange {
  const from = range.from === undefined ? undefined : parseBound(range.from, 'from').toISOString();
  let toExclusive: string | undefined;
  if (range.to !== undefined) {
    const to = parseBound(range.to, 'to');
    // Date only: through the end of that day. Date-time: inclusive to the millisecond.
    toExclusive = new Date(to.getTime() + (dateOnly.test(range.to) ? 86_400_000 : 1)).toISOString();
  }
  if (from && toExclusive && from >= toExclusive) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `the range is empty: from ${range.from} is after to ${range.to}`);
  }
  return { from, toExclusive };
}

function parseBound(text: string, name: string): Date {
  const iso = dateOnly.test(text) ? `${text}T00:00:00.000Z` : text;
  const date = new Date(iso);
  // Date accepts 2024-02-31 by rolling over; a real date must print back as itself.
  const valid =
    !Number.isNaN(date.getTime()) &&
    (dateOnly.test(text) ? date.toISOString().slice(0, 10) === text : /^\d{4}-\d{2}-\d{2}T/.test(text));
  if (!valid) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `${name} must be a date (YYYY-MM-DD) or an ISO date-time, not '${text}'`, {
      details: [{ path: name, message: 'expected YYYY-MM-DD' }],
    });
  }
  return date;
}
