import { createHash } from 'node:crypto';
import type { ContentStore } from '../storage/content-store';
import { verifyCustody, type CustodyEntry } from './custody';
import type { EvidenceItem, EvidenceStore } from './evidence-store';

export type ItemVerdict = {
  evidenceId: string;
  incidentNumber: number;
  filename: string;
} & ({ ok: true; sha256: string; custodian: string; entries: number } | { ok: false; problem: string });

export interface VerifyReport {
  checked: number;
  /** Items that failed, in the order they were checked (the first is the one to name). */
  bad: Extract<ItemVerdict, { ok: false }>[];
  intact: Extract<ItemVerdict, { ok: true }>[];
}

/**
 * Checks every item (or one): its content re-hashed from Blob Storage against the hash registered,
 * its ledger's hash chain, the ledger's end against the head the item records (a removed last
 * entry), and the item's description against its registration entry (an item row changed behind
 * the ledger). Storage failures throw: an outage is not reported as tampering.
 */
export async function verifyEvidence(store: Pick<EvidenceStore, 'all' | 'get' | 'ledger'>, content: ContentStore, evidenceId?: string): Promise<VerifyReport> {
  const report: VerifyReport = { checked: 0, bad: [], intact: [] };
  const items: AsyncIterable<EvidenceItem> | EvidenceItem[] = evidenceId ? [(await store.get(evidenceId))?.item].filter((i): i is EvidenceItem => !!i) : store.all();
  for await (const item of items) {
    const verdict = await verifyItem(item, await store.ledger(item), content);
    report.checked += 1;
    if (verdict.ok) report.intact.push(verdict);
    else report.bad.push(verdict);
  }
  return report;
}

export async function verifyItem(item: EvidenceItem, ledger: CustodyEntry[], content: ContentStore): Promise<ItemVerdict> {
  const named = { evidenceId: item.evidenceId, incidentNumber: item.incidentNumber, filename: item.filename };
  const bad = (problem: string): ItemVerdict => ({ ...named, ok: false, problem });

  const chain = verifyCustody(item.evidenceId, item.sha256, ledger);
  if (!chain.ok) return bad(`custody ledger: ${chain.problem}`);
  const last = ledger.at(-1)!;
  if (ledger.length !== item.entries || last.hash !== item.headHash)
    return bad(`custody ledger: it ends at entry ${ledger.length}, but the item records ${item.entries} entries ending in another hash (an entry was removed or added)`);
  const first = ledger[0]!;
  const described: Array<[string, unknown, unknown]> = [
    ['incident', first.incident, item.incidentId],
    ['file name', first.filename, item.filename],
    ['size', first.size, item.size],
    ['source', first.source, item.source],
    ['purpose', first.purpose, item.purpose],
    ['content hash', first.sha256, item.sha256],
  ];
  for (const [what, registered, now] of described) if (registered !== now) return bad(`the item's ${what} differs from its registration`);
  if (chain.custodian !== item.custodian) return bad(`the item names ${item.custodian} as custodian, its ledger ${chain.custodian}`);
  if (ledger.some((e) => e.action === 'released') !== item.released) return bad('the item and its ledger disagree on whether it was released');

  const stream = await content.read(item.evidenceId);
  if (!stream) return bad('its content is missing from storage');
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of stream) {
    hash.update(piece);
    size += piece.length;
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== item.sha256 || size !== item.size)
    return bad(`its content changed: ${size} bytes with SHA-256 ${sha256}, registered ${item.size} bytes with ${item.sha256}`);
  return { ...named, ok: true, sha256, custodian: chain.custodian, entries: ledger.length };
}
