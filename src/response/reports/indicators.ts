/**
 * Raw indicators (URLs, IP addresses, hashes, e-mail addresses, domain names) are kept out of
 * reports for a non-technical audience: incident titles and descriptions come from alerts and
 * often carry them. Defanged forms (`hxxp`, `1.2.3[.]4`) count too.
 */

export const withheld = '[indicator withheld]';

const patterns: readonly RegExp[] = [
  // URLs, also defanged and scheme-less www.
  /\b(?:h[tx]{2}ps?|ftp|file)(?::|\[:\])\/\/\S+/gi,
  /\bwww\.\S+/gi,
  // E-mail addresses.
  /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g,
  // MD5, SHA-1, SHA-256, SHA-512 and similar hex digests.
  /\b[0-9a-f]{32,128}\b/gi,
  // IPv4, with an optional port or prefix.
  /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?::\d{1,5}|\/\d{1,2})?\b/g,
  // IPv6: eight groups, or a compressed form with '::'.
  /(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])/gi,
  /(?<![\w:])(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?(?:\/\d{1,3})?(?![\w:])/gi,
  // Domain names: two labels or more ending in a common top-level domain or a country code.
  /\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|info|biz|io|co|xyz|top|online|site|club|app|dev|ru|cn|su|tk|ml|ga|cf|gq|pw|cc|ws|onion|local|lan|internal|corp|[a-z]{2})\b/gi,
];

/** Refanged text, so defanged indicators are recognised too. */
function refang(text: string): string {
  return text.replace(/\[\.\]|\(\.\)|\{\.\}/g, '.').replace(/\[:\]/g, ':');
}

/** The text with every raw indicator replaced by `[indicator withheld]`. */
export function withoutIndicators(text: string): string {
  let out = refang(text);
  for (const p of patterns) out = out.replace(p, withheld);
  return out;
}

/** Whether the text still holds something that looks like an IP address, hash or URL (tests and checks). */
export function hasIndicator(text: string): boolean {
  const refanged = refang(text);
  return patterns.slice(0, 7).some((p) => new RegExp(p.source, p.flags.replace('g', '')).test(refanged));
}
