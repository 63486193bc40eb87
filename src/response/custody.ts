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
 * describes; the registration also carries what the item is (incident, file name, size, source),
 * so the item's description cannot be changed behind the ledger either.
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
  /** Who acted when it was not `by` itself: the uploader registering for a custodian, an admin transferring for one. */
  actor?: string;
  /** Registration: the incident id (ARM name) the item belongs to, its file name, size in bytes and source. */
  incident?: string;
  filename?: string;
  size?: number;
  source?: string;
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
    ...(input.actor !== undefined ? { actor: input.actor } : {}),
    ...(input.incident !== undefined ? { incident: input.incident } : {}),
    ...(input.filename !== undefined ? { filename: input.filename } : {}),
    ...(input.size !== undefined ? { size: input.size } : {}),
    ...(input.source !== undefined ? { source: input.source } : {}),
    prevHash: previous ? previous.hash : contentSha256,
  };
  return { ...unhashed, hash: hashCustodyEntry(unhashed) };
}

export type CustodyCheck = { ok: true; custodian: string; entries: number } | { ok: false; seq: number; problem: string };

/**
 * Checks a ledger read back from storage, in seq order: numbering, links, hashes, that it starts with
 * the registration, that every transfer comes from the custodian of the moment and that nothing is
 * transferred after the release.
 */
export function verifyCustody(evidenceId: string, contentSha256: string, entries: readonly CustodyEntry[]): CustodyCheck {
  if (entries.length === 0) return { ok: false, seq: 1, problem: 'the custody ledger is empty' };
  let custodian = '';
  let released = false;
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
      if (e.by !== custodian) return { ok: false, seq, problem: `transfer ${seq} is not by the custodian of the moment (${custodian})` };
      if (released) return { ok: false, seq, problem: `transfer ${seq} comes after the release` };
      custodian = e.to;
    }
    if (e.action === 'released') released = true;
    prev = e;
  }
  return { ok: true, custodian, entries: entries.length };
}
