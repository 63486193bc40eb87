import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed report links: `{publicUrl}/reports/<id>?exp=<unix seconds>&sig=<hex>` where
 *
 *   sig = hex(HMAC-SHA256(secret `report-link-secret`, "<id>.<exp>"))
 *
 * The id names a report record (incident, type, format); the signature binds the id to its expiry,
 * so neither can be changed without the secret. Checked in constant time.
 */

export const defaultLinkTtlSeconds = 24 * 60 * 60;
export const reportIdPattern = /^[A-Za-z0-9_-]{16,64}$/;

export function signReportLink(secret: string, id: string, exp: number): string {
  return createHmac('sha256', secret).update(`${id}.${exp}`).digest('hex');
}

export function reportLinkUrl(publicUrl: string, id: string, exp: number, sig: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/reports/${encodeURIComponent(id)}?exp=${exp}&sig=${sig}`;
}

export type LinkCheck = { ok: true; exp: number } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/** Whether a link's id, exp and sig are what Argus signed and the link has not expired. */
export function checkReportLink(secret: string, input: { id: string; exp?: string; sig?: string }, nowSeconds: number): LinkCheck {
  const { id, exp, sig } = input;
  if (!reportIdPattern.test(id) || !exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[0-9a-f]{64}$/i.test(sig)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(signReportLink(secret, id, Number(exp)), 'hex');
  // Both are 32 bytes here (the pattern above): timingSafeEqual needs equal lengths.
  if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return { ok: false, reason: 'bad-signature' };
  // The signature is checked first, so an altered expiry reads as altered, not as expired.
  if (Number(exp) <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, exp: Number(exp) };
}
