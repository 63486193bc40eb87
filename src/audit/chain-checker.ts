import type { VerifyResult } from './audit-log';
import { hashRow } from './audit-record';
import { rowFromEntity, rowKeyOf, rowKeyPattern } from './audit-table';

export type ChainFailure = Extract<VerifyResult, { ok: false }>;

/**
 * Walks chain rows in RowKey order and reports the first that breaks the chain. Shared by the
 * table verifier and the in-memory twin. What each check catches:
 * - RowKey not a 12-digit seq: a row that is not part of the chain was inserted;
 * - RowKey jumps past the expected seq: the expected row was removed;
 * - properties missing/mistyped, seq property ≠ RowKey, hash ≠ hash of the row, or `at` earlier
 *   than the previous row's (appends keep it non-decreasing): the row was changed;
 * - prevHash ≠ hash of the previous row: a row was inserted/removed and the chain re-linked, or
 *   the previous row was rewritten along with its hash.
 */
export class ChainChecker {
  private expectedSeq: number;
  private prevHash: string;
  private prevAt: string;
  private first?: number;
  private count = 0;

  constructor(start: { seq: number; prevHash: string; prevAt?: string }) {
    this.expectedSeq = start.seq;
    this.prevHash = start.prevHash;
    this.prevAt = start.prevAt ?? '';
  }

  get checked(): number {
    return this.count;
  }
  get firstSeq(): number {
    return this.first ?? 0;
  }
  get lastSeq(): number {
    return this.expectedSeq - 1;
  }
  get lastHash(): string {
    return this.prevHash;
  }
  /** The seq the next row must have. */
  get nextSeq(): number {
    return this.expectedSeq;
  }

  /**
   * Checks the next stored entity. `boundary` checks it fully but neither counts it nor moves on
   * (the first row after a verified range: it must continue the chain, and a changed `at` must
   * not let a tampered row pass as "outside the range").
   */
  check(rowKey: string, entity: Record<string, unknown>, options: { boundary?: boolean } = {}): ChainFailure | undefined {
    const failure = this.inspect(rowKey, entity, options.boundary ?? false);
    return failure && { ...failure, checked: this.count };
  }

  private inspect(rowKey: string, entity: Record<string, unknown>, boundary: boolean): ChainFailure | undefined {
    const seq = this.expectedSeq;
    if (!rowKeyPattern.test(rowKey)) {
      return fail(seq, rowKey, 'inserted: a row whose RowKey is not a chain sequence number sits in the chain');
    }
    const keySeq = Number(rowKey);
    if (keySeq > seq) {
      return fail(seq, rowKeyOf(seq), `removed: row seq ${seq} is missing (the next row is seq ${keySeq})`);
    }
    if (keySeq < seq) return fail(keySeq, rowKey, `inserted: row seq ${keySeq} appears again after seq ${seq - 1}`);
    const row = rowFromEntity(entity);
    if (!row) return fail(seq, rowKey, 'changed: the row has missing or mistyped properties');
    if (row.seq !== keySeq) return fail(seq, rowKey, `changed: seq property ${row.seq} does not match the RowKey`);
    if (hashRow(row) !== row.hash) return fail(seq, rowKey, 'changed: the row does not match its hash');
    if (row.prevHash !== this.prevHash) {
      return fail(
        seq,
        rowKey,
        seq === 1
          ? 'inserted: the first row does not start from the genesis hash'
          : `broken link: prevHash does not match the hash of seq ${seq - 1} (a row was inserted or removed, or seq ${seq - 1} was rewritten)`,
      );
    }
    if (row.at < this.prevAt) return fail(seq, rowKey, `changed: its time ${row.at} is earlier than the previous row's`);
    if (boundary) return undefined;
    this.first ??= seq;
    this.count += 1;
    this.expectedSeq = seq + 1;
    this.prevHash = row.hash;
    this.prevAt = row.at;
    return undefined;
  }

  ok(): VerifyResult {
    return { ok: true, checked: this.count, firstSeq: this.firstSeq, lastSeq: this.count ? this.lastSeq : 0 };
  }
}

export function fail(seq: number, rowKey: string, reason: string): ChainFailure {
  return { ok: false, checked: 0, firstBadSeq: seq, firstBadRowKey: rowKey, reason };
}
