import type { TableClient } from '@azure/data-tables';
import { asEntityTable, ge, type EntityQuery, type EntityTable, type StoredEntity } from '../storage/entity-table';
import type { VerifyResult } from './audit-log';
import { genesisHash, hashRow } from './audit-record';
import { allChainPartitions, headFromEntity, headRowKey, rowFromEntity, rowKeyOf, rowKeyPattern, type ChainHead } from './audit-table';
import { chainRow, findChainHead } from './chain-head';
import { ChainChecker, fail } from './chain-checker';
import { resolveRange } from './date-range';

export interface VerifyOptions {
  /** Inclusive; YYYY-MM-DD (UTC) or ISO date-time. Verification starts at the first row at or after it,
   * anchored at the hash of the row before. */
  from?: string;
  /** Inclusive; YYYY-MM-DD covers that whole day. */
  to?: string;
}

// How often to re-read a head that lags the rows before calling the rows beyond it forged.
const headRereads = 3;

/**
 * Verifies the audit chain in table ArgusAudit (see chain-checker.ts for what each check catches).
 * Without `to` (or when `to` reaches the end) the last row must also match the head row, which an
 * append moves in the same transaction as it inserts: a removed last row or a row forged beyond
 * the head shows there. The head is read after the rows, so appends racing the verifier are
 * followed rather than mistaken for tampering.
 */
export async function verifyAuditChain(client: TableClient | EntityTable, options: VerifyOptions = {}): Promise<VerifyResult> {
  const range = resolveRange(options);
  const table = asEntityTable(client);
  let start: { seq: number; prevHash: string; prevAt?: string } = { seq: 1, prevHash: genesisHash };
  if (range.from) {
    const first = await firstRowAtOrAfter(table, range.from);
    if (first === undefined) return { ok: true, checked: 0, firstSeq: 0, lastSeq: 0 };
    if (first > 1) {
      const anchorKey = rowKeyOf(first - 1);
      const anchor = await chainRow(table, anchorKey);
      const row = anchor && rowFromEntity(anchor);
      if (!anchor) return fail(first - 1, anchorKey, `removed: row seq ${first - 1} (the row before the range) is missing`);
      if (!row || hashRow(row) !== row.hash) {
        return fail(first - 1, anchorKey, 'changed: the row before the range (the anchor) does not match its hash');
      }
      start = { seq: first, prevHash: row.hash, prevAt: row.at };
    }
  }

  const checker = new ChainChecker(start);
  for await (const entity of table.scan({ partitionKey: allChainPartitions, rowKey: { ge: rowKeyOf(start.seq) } })) {
    if (entity.rowKey === headRowKey) continue;
    const at = typeof entity.at === 'string' ? entity.at : '';
    if (range.toExclusive && rowKeyPattern.test(entity.rowKey ?? '') && at >= range.toExclusive) {
      // First row past the range: it must still continue the chain (catches a removed last row of
      // the range, and an in-range row whose `at` was pushed past the end).
      return checker.check(entity.rowKey ?? '', entity, { boundary: true }) ?? checker.ok();
    }
    const failure = checker.check(entity.rowKey ?? '', entity);
    if (failure) return failure;
  }
  return await checkHead(table, checker, start.seq);
}

async function checkHead(table: EntityTable, checker: ChainChecker, startSeq: number): Promise<VerifyResult> {
  const latestHead = async () => (await findChainHead(table))?.entity;
  let entity = await latestHead();
  // Rows beyond the head we just read: Azurite (unlike Azure) may show a transaction's new row a
  // moment before its head update. A forged row stays beyond the head; a racing append does not.
  for (let i = 0; i < headRereads && entity && seqOf(entity) < checker.lastSeq; i += 1) {
    await sleep(50);
    entity = await latestHead();
  }
  if (!entity) {
    if (checker.checked === 0 && startSeq === 1) return checker.ok(); // an empty chain
    return fail(checker.lastSeq, rowKeyOf(Math.max(checker.lastSeq, 0)), 'removed: the chain head row is missing');
  }
  const head: ChainHead | undefined = headFromEntity(entity);
  if (!head) return fail(checker.lastSeq, headRowKey, 'changed: the chain head row has missing or mistyped properties');
  if (head.seq < checker.lastSeq) {
    return fail(head.seq + 1, rowKeyOf(head.seq + 1), `inserted: row seq ${head.seq + 1} lies beyond the chain head (seq ${head.seq})`);
  }
  if (head.seq > checker.lastSeq) {
    // Rows appended since the scan passed (or the last rows removed): check up to this head.
    for await (const row of table.scan({ partitionKey: allChainPartitions, rowKey: { ge: rowKeyOf(checker.nextSeq), le: rowKeyOf(head.seq) } })) {
      const failure = checker.check(row.rowKey ?? '', row);
      if (failure) return failure;
    }
    if (checker.lastSeq < head.seq) {
      const missing = checker.nextSeq;
      return fail(missing, rowKeyOf(missing), `removed: row seq ${missing} is missing (the chain head says the last row is seq ${head.seq})`);
    }
  }
  if (head.hash !== checker.lastHash) {
    return fail(head.seq, rowKeyOf(head.seq), 'changed: the chain head hash does not match the last row (it was rewritten)');
  }
  return checker.ok();
}

function seqOf(entity: StoredEntity): number {
  return headFromEntity(entity)?.seq ?? Number.POSITIVE_INFINITY;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Seq of the first chain row with `at` at or after `from`, or undefined when there is none. */
async function firstRowAtOrAfter(table: EntityTable, from: string): Promise<number | undefined> {
  const query: EntityQuery = { partitionKey: allChainPartitions, rowKey: { lt: headRowKey }, where: ge('at', from) };
  for await (const entity of table.scan(query)) {
    if (rowKeyPattern.test(entity.rowKey ?? '')) return Number(entity.rowKey);
  }
  return undefined;
}
