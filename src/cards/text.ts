import type { IncidentStatus, Severity } from '../incidents/incident';
import type { NoticeStyle } from './views';

/** TextBlock colours of the Adaptive Cards host config. */
export type TextColor = 'Default' | 'Dark' | 'Light' | 'Accent' | 'Good' | 'Warning' | 'Attention';

/** The TextBlock colour of a notice style (a step's or a run's tone). */
export const noticeColors: Record<NoticeStyle, TextColor> = { good: 'Good', attention: 'Attention', warning: 'Warning', accent: 'Accent', default: 'Default' };

/** Adaptive Cards show at most five actions per action set: buttons go in rows of five. */
export function actionRows<T, R>(items: readonly T[], wrap: (row: T[]) => R): R[] {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 5) out.push(wrap(items.slice(i, i + 5)));
  return out;
}

export const severityColors: Record<Severity, TextColor> = {
  High: 'Attention',
  Medium: 'Warning',
  Low: 'Accent',
  Informational: 'Default',
};

export const statusColors: Record<IncidentStatus, TextColor> = {
  New: 'Attention',
  Active: 'Accent',
  Closed: 'Good',
};

/**
 * Makes untrusted text (titles, entity names, comments: attacker-influenced through alerts) safe
 * for a markdown-rendering TextBlock or FactSet: one line, no link syntax, at most `max` characters.
 * Teams renders `[text](url)` as a link whose text can lie about its target, so `](` and `][` are
 * split rather than backslash-escaped (escapes are not honoured by every Teams client). Emphasis
 * markers are left alone: at worst they change the styling, never where a click goes.
 */
export function plain(text: string | undefined, max: number): string {
  if (!text) return '';
  const oneLine = text
    .replace(/\s+/g, ' ')
    .replace(/\]\s*([([])/g, '] $1')
    .trim();
  return truncate(oneLine, max);
}

/**
 * Makes untrusted text safe for a plain message in a thread (ITSM notes, comments, playbook
 * results, names). Such messages go with textFormat 'plain', which Teams shows as written; should a
 * client render them as markdown or HTML anyway, link syntax is split as in `plain` and tag
 * openings get a space (`< a href`, `< at>`), so no link or mention can lie about where it leads.
 * Line breaks are kept: notes are often several lines.
 */
export function messageText(text: string, max: number): string {
  const safe = text
    .replace(/\r\n?/g, '\n')
    .replace(/\]\s*([([])/g, '] $1')
    .replace(/<(?=[A-Za-z/!?])/g, '< ')
    .trim();
  return truncate(safe, max);
}

/** Cuts at a code-point boundary (never half a surrogate pair) and marks the cut with "…". */
export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

export function moreText(count: number): string {
  return `+${count} more`;
}

/** "a, b, c +N more": at most `limit` items, each passed through `format` (only the ones shown). */
export function joinLimited(
  items: readonly string[],
  limit: number,
  format: (item: string) => string = (item) => item,
  separator = ', ',
): string {
  const shown = items.slice(0, Math.max(0, limit)).map(format);
  const rest = items.length - shown.length;
  if (shown.length === 0) return rest > 0 ? moreText(rest) : '';
  return rest > 0 ? `${shown.join(separator)} ${moreText(rest)}` : shown.join(separator);
}

/**
 * Adaptive Cards' DATE()/TIME() functions show a time in the reader's own time zone, but only for
 * RFC 3339 without fractional seconds; anything else would be printed raw, so it is normalised here.
 */
export function cardDateTime(iso: string | undefined): string {
  if (!iso) return 'unknown';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return plain(iso, 40);
  const stamp = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${stamp}, SHORT)}} {{TIME(${stamp})}}`;
}

/** Splits `CommandAndControl` into `Command and control` for people. */
export function humanizeIdentifier(value: string): string {
  const spaced = value.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  const words = spaced.split(' ');
  return words.map((w, i) => (i === 0 || /^[A-Z0-9]{2,}$/.test(w) ? w : w.toLowerCase())).join(' ');
}
