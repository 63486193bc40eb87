import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (ARCHITECTURE §3):
 * `X-Argus-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + rawBody)>`.
 * Several `v1=` values may appear (rotation); one match is enough.
 */
export const signatureHeader = 'x-argus-signature';
export const maxSkewSeconds = 300;

export type SignatureFailure = 'missing' | 'malformed' | 'stale' | 'mismatch';
export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure };

export function computeSignature(secret: string, timestamp: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** Builds the header value for `rawBody`, as a sender (Logic App, ITSM rule, `argus send-sample`) does. */
export function signBody(secret: string, rawBody: Buffer | string, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${computeSignature(secret, t, rawBody)}`;
}

/** Constant-time comparison of two hex strings (false on any length difference). */
export function hexEquals(a: string, b: string): boolean {
  if (!/^[0-9a-f]+$/i.test(a) || !/^[0-9a-f]+$/i.test(b)) return false;
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function verifySignature(
  header: string | undefined,
  rawBody: Buffer,
  secrets: readonly string[],
  now = Date.now(),
): SignatureCheck {
  const parsed = parseSignatureHeader(header, now);
  if (!parsed.ok) return parsed;
  const body = bodySignature(parsed.header, secrets);
  body.update(rawBody);
  return body.check();
}

/** The parts of a fresh `X-Argus-Signature` header. */
export interface SignatureParts {
  timestamp: number;
  candidates: string[];
}

/**
 * Reads the header and checks its timestamp: everything that can be refused before the body is
 * read (a streamed upload refuses a missing, malformed or stale header without reading a byte).
 */
export function parseSignatureHeader(header: string | undefined, now = Date.now()): { ok: true; header: SignatureParts } | { ok: false; reason: SignatureFailure } {
  if (!header) return { ok: false, reason: 'missing' };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1') candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(now / 1000 - timestamp) > maxSkewSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, header: { timestamp, candidates } };
}

/** The HMACs of a body fed in pieces (`update`), checked against the header's candidates once it is all read. */
export function bodySignature(parts: SignatureParts, secrets: readonly string[]): { update(chunk: Buffer): void; check(): SignatureCheck } {
  const macs = secrets.map((secret) => createHmac('sha256', secret).update(`${parts.timestamp}.`));
  return {
    update: (chunk) => {
      for (const mac of macs) mac.update(chunk);
    },
    check() {
      let matched = false;
      for (const mac of macs) {
        const expected = mac.digest('hex');
        // Compare against every candidate without short-circuiting on the first match.
        for (const candidate of parts.candidates) matched = hexEquals(candidate, expected) || matched;
      }
      return matched ? { ok: true } : { ok: false, reason: 'mismatch' };
    },
  };
}

/** Jira's native `X-Hub-Signature: sha256=<hex HMAC of raw body>`. */
export function verifyHubSignature(header: string | undefined, rawBody: Buffer, secrets: readonly string[]): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match?.[1]) return { ok: false, reason: 'malformed' };
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest('hex');
    matched = hexEquals(match[1], expected) || matched;
  }
  return matched ? { ok: true } : { ok: false, reason: 'mismatch' };
}
