import type { TableClient } from '@azure/data-tables';
import type { KeyObject } from 'node:crypto';
import { asEntityTable, type EntityTable } from '../storage/entity-table';
import { genesisHash, hashRow } from './audit-record';
import { allChainPartitions, headFromEntity, rowFromEntity, rowKeyOf } from './audit-table';
import { checkpointSignatureValid, type CheckpointHead, type SignedCheckpoint } from './checkpoint';
import type { LatestCheckpoint } from './checkpoint-store';
import { chainRow, findChainHead } from './chain-head';
import { ChainChecker, type ChainFailure } from './chain-checker';

/** Which public keys a verifier trusts for checkpoints. */
export interface CheckpointKeys {
  /** For messages: which key(s) these are. */
  describe: string;
  /** The trusted public key for `kid`, or undefined when no trusted key has that id. */
  resolve(kid: string): Promise<KeyObject | undefined>;
}

export type CheckpointProblem = 'malformed' | 'untrusted-key' | 'bad-signature' | 'truncated' | 'rewritten';

export type CheckpointCheck =
  | { ok: true; checkpoint?: SignedCheckpoint }
  | { ok: false; problem: CheckpointProblem; seq: number; reason: string; checkpoint?: SignedCheckpoint };

/**
 * Checks the chain against its newest signed checkpoint: the signature verifies with a trusted
 * key, the chain still reaches the checkpoint's seq (else it was truncated), and the row at that
 * seq still has the signed hash (else the chain was edited and its hashes recomputed). Rows after
 * the checkpoint are not covered: they can be removed without this check noticing.
 */
export async function checkAgainstCheckpoint(client: TableClient | EntityTable, latest: LatestCheckpoint, keys: CheckpointKeys): Promise<CheckpointCheck> {
  if (latest.kind === 'none') return { ok: true };
  if (latest.kind === 'malformed')
    return { ok: false, problem: 'malformed', seq: 0, reason: `malformed: the newest checkpoint row (RowKey ${latest.rowKey}) is not a readable checkpoint` };
  const cp = latest.checkpoint;
  const fail = (problem: CheckpointProblem, reason: string): CheckpointCheck => ({ ok: false, problem, seq: cp.seq, reason, checkpoint: cp });
  const key = await keys.resolve(cp.kid);
  if (!key) return fail('untrusted-key', `untrusted key: checkpoint seq ${cp.seq} names key ${cp.kid}, which is not ${keys.describe}`);
  if (!checkpointSignatureValid(cp, key)) return fail('bad-signature', `bad signature: checkpoint seq ${cp.seq} (signed ${cp.signedAt}) does not verify with ${cp.kid}`);

  const table = asEntityTable(client);
  const found = await findChainHead(table);
  const headSeq = found ? (headFromEntity(found.entity)?.seq ?? 0) : 0;
  const entity = await chainRow(table, rowKeyOf(cp.seq));
  if (headSeq < cp.seq)
    return fail('truncated', `truncated: the chain ends at seq ${headSeq}, before seq ${cp.seq} that the checkpoint of ${cp.signedAt} signed`);
  if (!entity) return fail('truncated', `truncated: row seq ${cp.seq}, which the checkpoint of ${cp.signedAt} signed, is missing`);
  const row = rowFromEntity(entity);
  if (!row || hashRow(row) !== row.hash || row.hash !== cp.hash || row.at !== cp.at)
    return fail(
      'rewritten',
      `rewritten: row seq ${cp.seq} is not the row the checkpoint of ${cp.signedAt} signed (hash ${short(row?.hash)} ≠ signed ${short(cp.hash)}): the chain was changed and its hashes recomputed`,
    );
  return { ok: true, checkpoint: cp };
}

/**
 * Before a checkpoint is signed: the rows after `anchor` (the last checkpoint, or the chain's
 * start) up to `head` must form an intact chain continuing from it, so a checkpoint never vouches
 * for rows that were already tampered with.
 */
export async function checkChainSince(client: TableClient | EntityTable, anchor: CheckpointHead | undefined, head: CheckpointHead): Promise<ChainFailure | undefined> {
  const start = anchor ?? { seq: 0, hash: genesisHash, at: '' };
  const checker = new ChainChecker({ seq: start.seq + 1, prevHash: start.hash, prevAt: start.at });
  const rows = asEntityTable(client).scan({ partitionKey: allChainPartitions, rowKey: { gt: rowKeyOf(start.seq), le: rowKeyOf(head.seq) } });
  for await (const entity of rows) {
    const failure = checker.check(entity.rowKey ?? '', entity);
    if (failure) return failure;
  }
  if (checker.lastSeq !== head.seq || checker.lastHash !== head.hash) {
    const seq = checker.nextSeq;
    return { ok: false, checked: checker.checked, firstBadSeq: seq, firstBadRowKey: rowKeyOf(seq), reason: `the rows end at seq ${checker.lastSeq}, not at the head (seq ${head.seq})` };
  }
  return undefined;
}

const short = (hash: string | undefined): string => (hash ? `${hash.slice(0, 12)}…` : 'none');
