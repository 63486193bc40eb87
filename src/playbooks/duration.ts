/**
 * ISO-8601 durations as the config and playbook files write them (`PT15M`, `P1D`, `PT0.5S`):
 * days, hours, minutes and seconds only — months and years have no fixed length.
 */
const pattern = /^P(?!$)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in `text`, or undefined when it is not such a duration. */
export function parseIsoDuration(text: string): number | undefined {
  const m = pattern.exec(text);
  if (!m) return undefined;
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  return Math.round(((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000);
}

/** `PT1H30M` → "1 h 30 min", for cards and command output. */
export function describeDuration(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const parts: string[] = [];
  const days = Math.floor(ms / 86_400_000);
  const hours = Math.floor((ms % 86_400_000) / 3_600_000);
  const minutes = Math.round((ms % 3_600_000) / 60_000);
  if (days) parts.push(`${days} d`);
  if (hours) parts.push(`${hours} h`);
  if (minutes) parts.push(`${minutes} min`);
  return parts.join(' ') || '0 s';
}
