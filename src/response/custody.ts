import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json';

/**
 * The chain of custody of one evidence item: every registration, hand-over, access, verification
 * and release, each entry hashed over its fields and the previous entry's hash. Changing, removing
 * or inserting an entry breaks every later hash; `verifyCustody` names the first bad one.
 *
 *   hash = hex(SHA-256(UTF-8("argus-custody-v1\n" + canonicalJson(entry without hash))))
 *
 * The first entry's prevHash is the item's content SHA-256, binding the ledger to the bytes it
 * describes.
 */

export const custodyActions = ['registered', 'transferred', 'accessed', 'verified', 'released'] as const;
export type CustodyAction = (typeof custodyActions)[number];

export interface CustodyEntry {
  evidenceId: string;
  seq: number;
  action: CustodyAction;
  at: string;
  /** Who did it: the custodian at registration, the giver on transfer, the reader on access. */
  by: string;
  /** The new custodian (transfer). */
  to?: string;
  reason?: string;
  purpose?: string;
  /** The content hash observed (registration and verification). */
  sha256?: string;
  prevHash: string;
  hash: string;
}

export type CustodyInput = Omit<CustodyEntry, 'seq' | 'prevHash' | 'hash' | 'evidenceId'>;

const domain = 'argus-custody-v1\n';

export function hashCustodyEntry(entry: Omit<CustodyEntry, 'hash'>): string {
  return createHash('sha256').update(domain + canonicalJson(entry), 'utf8').digest('hex');
}

/** The next entry after `previous` (or the first, anchored on the content hash). */
export function nextCustodyEntry(evidenceId: string, contentSha256: string, previous: CustodyEntry | undefined, input: CustodyInput): CustodyEntry {
  const unhashed: Omit<CustodyEntry, 'hash'> = {
    evidenceId,
    seq: previous ? previous.seq + 1 : 1,
    action: input.action,
    at: input.at,
    by: input.by,
    ...(input.to !== undefined ? { to: input.to } : {}),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    ...(input.purpose !== undefined ? { purpose: input.purpose } : {}),
    ...(input.sha256 !== undefined ? { sha256: input.sha256 } : {}),
    prevHash: previous ? previous.hash : contentSha256,
  };
  return { ...unhashed, hash: hashCustodyEntry(unhashed) };
}

export type CustodyCheck = { ok: true; custodian: string; entries: number } | { ok: false; seq: number; problem: string };

/**
 * Checks a ledger read back from storage, in seq order: numbering, links, hashes, that it starts with
 * the registration and that every transfer comes from the custodian of the moment.
 */
export function verifyCustody(evidenceId: string, contentSha256: string, entries: readonly CustodyEntry[]): CustodyCheck {
  if (entries.length === 0) return { ok: false, seq: 1, problem: 'the custody ledger is empty' };
  let custodian = '';
  let prev: CustodyEntry | undefined;
  for (const [i, e] of entries.entries()) {
    const seq = i + 1;
    if (e.seq !== seq) return { ok: false, seq, problem: `entry ${seq} is missing (found seq ${e.seq})` };
    if (e.evidenceId !== evidenceId) return { ok: false, seq, problem: `entry ${seq} belongs to another item` };
    const { hash, ...rest } = e;
    if (hashCustodyEntry(rest) !== hash) return { ok: false, seq, problem: `entry ${seq} was altered (its hash does not match)` };
    const expectedPrev = prev ? prev.hash : contentSha256;
    if (e.prevHash !== expectedPrev)
      return { ok: false, seq, problem: prev ? `entry ${seq} does not follow entry ${seq - 1}` : 'the ledger does not start from the content hash' };
    if (seq === 1 && e.action !== 'registered') return { ok: false, seq, problem: 'the ledger does not start with the registration' };
    if (seq > 1 && e.action === 'registered') return { ok: false, seq, problem: `entry ${seq} registers the item again` };
    if (e.action === 'registered') custodian = e.by;
    if (e.action === 'transferred') {
      if (!e.to) return { ok: false, seq, problem: `transfer ${seq} names no new custodian` };
      custodian = e.to;
    }
    prev = e;
  }
  return { ok: true, custodian, entries: entries.length };
}
