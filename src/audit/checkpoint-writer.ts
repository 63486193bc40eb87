import type { TableClient } from '@azure/data-tables';
import type { Logger } from '../logging/logger';
import type { EntityTable } from '../storage/entity-table';
import { checkpointDigest, checkpointPayload, type CheckpointHead, type SignedCheckpoint, type UnsignedCheckpoint } from './checkpoint';
import type { CheckpointStore } from './checkpoint-store';
import type { CheckpointSigner } from './local-checkpoint-key';
import { checkChainSince } from './verify-checkpoint';

export interface AuditCheckpointerOptions {
  /** Table ArgusAudit: its rows are checked before their head is signed. */
  client: TableClient | EntityTable;
  /** The chain head (TableAuditLog.readHead). */
  readHead: () => Promise<CheckpointHead>;
  store: CheckpointStore;
  signer: CheckpointSigner;
  /** Sign once the chain grew this many rows since the last checkpoint… */
  everyRows: number;
  /** …or when this long passed since it and the chain grew at all. */
  intervalMs: number;
  logger: Logger;
  now?: () => Date;
  /** How often the time rule is looked at; default the interval, at most a minute. */
  tickMs?: number;
  onOutcome?: (outcome: 'written' | 'failed') => void;
}

/**
 * Signs the chain head every `everyRows` rows or `intervalMs` (see checkpoint.ts). Before signing
 * it checks the rows since the last checkpoint, so a checkpoint only vouches for a chain that was
 * intact when it was signed; when they do not check out it signs nothing and says so loudly.
 * Several instances may each sign: checkpoints of the same seq are one row.
 */
export class AuditCheckpointer {
  private readonly o: AuditCheckpointerOptions;
  private readonly log: Logger;
  private readonly now: () => Date;
  private last?: SignedCheckpoint;
  private running?: Promise<SignedCheckpoint | undefined>;
  private timer?: NodeJS.Timeout;

  constructor(options: AuditCheckpointerOptions) {
    this.o = options;
    this.log = options.logger.child({ component: 'audit-checkpoints' });
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    const tickMs = this.o.tickMs ?? Math.max(1_000, Math.min(this.o.intervalMs, 60_000));
    this.timer ??= setInterval(() => void this.checkpointIfDue(), tickMs);
    this.timer.unref();
    void this.checkpointIfDue();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Told of each committed chain head: starts a checkpoint once enough rows were added. */
  noteHead(head: { seq: number }): void {
    if (head.seq - (this.last?.seq ?? 0) >= this.o.everyRows) void this.checkpointIfDue();
  }

  /** Signs and stores a checkpoint when one is due; the one written, else undefined. Never throws. */
  checkpointIfDue(): Promise<SignedCheckpoint | undefined> {
    this.running ??= this.attempt().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Waits for a checkpoint in progress (tests). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async attempt(): Promise<SignedCheckpoint | undefined> {
    try {
      const head = await this.o.readHead();
      if (head.seq === 0) return undefined;
      const latest = await this.o.store.latest({ atOrBelow: head.seq });
      // A stored row that is not a checkpoint is for `argus audit verify` to report; go on from ours.
      const last = latest.kind === 'checkpoint' ? latest.checkpoint : latest.kind === 'none' ? undefined : this.last;
      this.last = last;
      const now = this.now();
      const grown = head.seq - (last?.seq ?? 0);
      const dueByRows = grown >= this.o.everyRows;
      const dueByTime = grown > 0 && (!last || now.getTime() - Date.parse(last.signedAt) >= this.o.intervalMs);
      if (!dueByRows && !dueByTime) return undefined;

      const failure = await checkChainSince(this.o.client, last, head);
      if (failure) {
        this.log.error(
          { seq: failure.firstBadSeq, rowKey: failure.firstBadRowKey, reason: failure.reason, lastCheckpoint: last?.seq ?? 0 },
          'NOT signing an audit checkpoint: the chain since the last checkpoint does not verify (run argus audit verify)',
        );
        this.o.onOutcome?.('failed');
        return undefined;
      }
      const unsigned: UnsignedCheckpoint = { seq: head.seq, hash: head.hash, at: head.at, signedAt: now.toISOString(), alg: this.o.signer.alg };
      const { kid, signature } = await this.o.signer.sign(checkpointPayload(unsigned), checkpointDigest(unsigned));
      const checkpoint: SignedCheckpoint = { ...unsigned, kid, signature: signature.toString('base64url') };
      await this.o.store.put(checkpoint);
      this.last = checkpoint;
      this.o.onOutcome?.('written');
      // The whole checkpoint goes to the log too: shipped to Log Analytics it is a copy the table's writers cannot reach.
      this.log.info({ checkpoint, reason: dueByRows ? 'rows' : 'interval' }, 'audit checkpoint signed');
      return checkpoint;
    } catch (err) {
      this.o.onOutcome?.('failed');
      this.log.error({ err, signer: this.o.signer.describe }, 'could not sign an audit checkpoint; will try again');
      return undefined;
    }
  }
}
