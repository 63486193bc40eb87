import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { indicatorTypes, type Indicator, type IndicatorType } from '../triage/types';
import { eventIndicatorCandidates } from './event-indicators';

export { indicatorTypes, type Indicator, type IndicatorType };

/**
 * Indicators of an alert (ARCHITECTURE §8): the alert's own `indicators` list when it carries
 * one, else what its event's fields name. Every value is normalised (hashes and domains in lower
 * case, IPv6 compressed, IPv4-mapped IPv6 as IPv4, URLs without credentials or fragment), so one
 * indicator has one spelling for the cache and the sources; duplicates are dropped, and so are bad
 * values, each with the reason.
 */

export type Normalised = { ok: true; value: string } | { ok: false; reason: string };

/** A value that was not taken, and why. */
export interface RejectedIndicator {
  type?: IndicatorType;
  value: string;
  /** The event field it came from, when extracted. */
  field?: string;
  reason: string;
}

export interface IndicatorSet {
  indicators: Indicator[];
  rejected: RejectedIndicator[];
}

/** A value to normalise: from the alert's list (type as given) or from an event field. */
export interface IndicatorCandidate {
  type: string;
  value: string;
  field?: string;
  /** Already known to be bad, and why (a value the field's format says is no indicator). */
  invalid?: string;
}

/** What alerts carry that indicators come from (the body of `POST /api/webhooks/alerts`). */
export interface IndicatorSource {
  indicators?: ReadonlyArray<{ type: string; value: string }>;
  event: Readonly<Record<string, unknown>>;
}

/** More than this many indicators in one alert are not looked up (each costs quota). */
export const maxIndicatorsPerAlert = 50;

const ok = (value: string): Normalised => ({ ok: true, value });
const fail = (reason: string): Normalised => ({ ok: false, reason });

export function normaliseIp(text: string): Normalised {
  const value = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(value)) return ok(value);
  if (!isIPv6(value)) return fail('is not an IP address');
  // The URL parser serialises IPv6 as RFC 5952 says (lower case, longest zero run as ::); a zone id goes.
  const compressed = new URL(`http://[${value.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mapped) return ok(compressed);
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return ok([high >> 8, high & 255, low >> 8, low & 255].join('.'));
}

const label = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

export function normaliseDomain(text: string): Normalised {
  const value = text.trim().toLowerCase().replace(/\.$/, '');
  if (value === '') return fail('is empty');
  if (normaliseIp(value).ok) return fail('is an IP address, not a domain');
  if (/(^|\.)\d+$/.test(value)) return fail('is not a domain name (its last label is a number)');
  if (!value.includes('.')) return fail('is a single-label host name, not a domain');
  if (/[^\p{L}\p{M}\p{N}._-]/u.test(value)) return fail('is not a valid domain name');
  const ascii = domainToASCII(value);
  if (ascii === '' || ascii.length > 253 || !ascii.split('.').every((l) => label.test(l))) return fail('is not a valid domain name');
  return ok(ascii);
}

const urlSchemes = new Set(['http:', 'https:', 'ftp:']);

export function normaliseUrl(text: string): Normalised {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return fail('is not a URL');
  }
  if (!urlSchemes.has(url.protocol)) return fail(`is a ${url.protocol.slice(0, -1)} URL; only http, https and ftp URLs are looked up`);
  if (url.hostname === '') return fail('is a URL without a host');
  // Credentials in a URL are never sent anywhere; the fragment never reaches a server anyway.
  url.username = '';
  url.password = '';
  url.hash = '';
  return ok(url.href);
}

const hashLengths = { md5: 32, sha1: 40, sha256: 64 } as const;
type HashType = keyof typeof hashLengths;

function normaliseHash(type: HashType, text: string): Normalised {
  const value = text.trim().toLowerCase();
  const length = hashLengths[type];
  if (value.length !== length || !/^[0-9a-f]+$/.test(value)) return fail(`is not a valid ${type.toUpperCase()} hash (${length} hexadecimal characters)`);
  if (/^0+$/.test(value)) return fail('is all zeros, a placeholder rather than a hash');
  return ok(value);
}

export function isIndicatorType(type: string): type is IndicatorType {
  return (indicatorTypes as readonly string[]).includes(type);
}

export function normaliseIndicator(type: IndicatorType, value: string): Normalised {
  switch (type) {
    case 'ip':
      return normaliseIp(value);
    case 'domain':
      return normaliseDomain(value);
    case 'url':
      return normaliseUrl(value);
    default:
      return normaliseHash(type, value);
  }
}

/** One indicator's identity: for dedupe and cache keys. */
export function indicatorKey(indicator: Indicator): string {
  return `${indicator.type}:${indicator.value}`;
}

/** Normalises, dedupes and validates candidates, in their order; at most `maxIndicatorsPerAlert` are kept. */
export function collectIndicators(candidates: Iterable<IndicatorCandidate>): IndicatorSet {
  const indicators: Indicator[] = [];
  const rejected: RejectedIndicator[] = [];
  const seen = new Set<string>();
  const reject = (c: IndicatorCandidate, reason: string) => {
    const key = `${c.type}\n${c.value}\n${reason}`;
    if (seen.has(key)) return;
    seen.add(key);
    rejected.push({ ...(isIndicatorType(c.type) ? { type: c.type } : {}), value: c.value.slice(0, 256), ...(c.field ? { field: c.field } : {}), reason });
  };
  for (const c of candidates) {
    if (!isIndicatorType(c.type)) {
      reject(c, `unknown indicator type ${JSON.stringify(c.type.slice(0, 40))} (one of ${indicatorTypes.join(', ')})`);
      continue;
    }
    const n = c.invalid ? fail(c.invalid) : normaliseIndicator(c.type, c.value);
    if (!n.ok) {
      reject(c, `${c.field ? `${c.field}: ` : ''}${JSON.stringify(c.value.slice(0, 80))} ${n.reason}`);
      continue;
    }
    const indicator: Indicator = { type: c.type, value: n.value };
    const key = indicatorKey(indicator);
    if (seen.has(key)) continue;
    seen.add(key);
    if (indicators.length >= maxIndicatorsPerAlert) reject(c, `more than ${maxIndicatorsPerAlert} indicators in one alert`);
    else indicators.push(indicator);
  }
  return { indicators, rejected };
}

/** The alert's indicators: its `indicators` list when present (even empty), else those its event's fields name. */
export function alertIndicators(alert: IndicatorSource): IndicatorSet {
  return collectIndicators(alert.indicators ?? eventIndicatorCandidates(alert.event));
}
