import type { TableClient } from '@azure/data-tables';
import type { Logger } from '../logging/logger';
import { asEntityTable, le, saveEntity, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { decodeKey, encodeKey } from '../storage/keys';
import type { TriageRecord } from './triage-record';
import type { TriageService } from './triage-service';
import type { TriageStore } from './triage-store';

/**
 * Cards owed: a decided alert whose review or escalation card could not be posted (Teams down, a
 * throttle retries could not cure) is not lost. A row in ArgusAlerts (PartitionKey `card-retry`,
 * RowKey the alert id) says when to try again; the sweep takes each due row with its etag before
 * posting (so two instances never post one card twice), posts, and deletes the row. A failure
 * backs off: 30 s, doubling, at most 15 min, for as long as it takes.
 */

const partition = 'card-retry';
const firstDelayMs = 30_000;
const maxDelayMs = 15 * 60_000;
/** How long a taken row is left to the instance posting it before another may try. */
const claimMs = 2 * 60_000;

/** The wait before attempt `attempts + 1`. */
export function cardRetryDelayMs(attempts: number): number {
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.max(0, attempts - 1));
}

export interface DueCard {
  alertId: string;
  attempts: number;
  etag: string;
}

export interface CardRetries {
  /** The card of this alert is owed: try again after the backoff for `attempts` failures. */
  schedule(alertId: string, attempts: number, error: string, now: Date): Promise<void>;
  /** Rows whose time has come. */
  due(now: Date): Promise<DueCard[]>;
  /** Takes a due row for this instance (etag-guarded): false when another got it first. */
  claim(card: DueCard, now: Date): Promise<boolean>;
  /** The card is posted (or no longer owed). */
  done(alertId: string): Promise<void>;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export class TableCardRetries implements CardRetries {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async schedule(alertId: string, attempts: number, error: string, now: Date): Promise<void> {
    const nextTry = new Date(now.getTime() + cardRetryDelayMs(attempts)).toISOString();
    await this.table.upsert({ partitionKey: partition, rowKey: encodeKey(alertId), attempts, nextTry, lastError: error.slice(0, 500) }, 'replace');
  }

  async due(now: Date): Promise<DueCard[]> {
    const rows = await this.table.list({ partitionKey: partition, where: le('nextTry', now.toISOString()) });
    return rows.map((row: StoredEntity) => ({ alertId: decodeKey(row.rowKey), attempts: typeof row.attempts === 'number' ? row.attempts : 1, etag: row.etag }));
  }

  async claim(card: DueCard, now: Date): Promise<boolean> {
    const row = await this.table.get(partition, encodeKey(card.alertId));
    if (!row || row.etag !== card.etag) return false;
    const nextTry = new Date(now.getTime() + claimMs).toISOString();
    return (await saveEntity(this.table, { partitionKey: partition, rowKey: encodeKey(card.alertId), attempts: card.attempts, nextTry, lastError: text(row.lastError) }, card.etag)) !== undefined;
  }

  async done(alertId: string): Promise<void> {
    await this.table.delete(partition, encodeKey(alertId));
  }
}

export interface CardRetryDeps {
  service: Pick<TriageService, 'postCard' | 'update'>;
  store: Pick<TriageStore, 'get'>;
  retries: CardRetries;
  log: Logger;
  now: () => Date;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Posts the record's card (undefined: no conversation for it), or, when posting fails, leaves a
 * retry row and answers null (the decision stands; the card follows). Without a retry table the
 * failure is thrown.
 */
export async function postOrRetryLater(
  record: TriageRecord,
  post: (r: TriageRecord) => Promise<TriageRecord['card']>,
  deps: { retries?: CardRetries; log: Logger; now: () => Date },
): Promise<TriageRecord['card'] | null> {
  try {
    return await post(record);
  } catch (err) {
    if (!deps.retries) throw err;
    await deps.retries.schedule(record.alertId, 1, message(err), deps.now());
    deps.log.warn({ alertId: record.alertId, err: message(err) }, 'posting the alert card failed; it is posted later');
    return null;
  }
}

/** Posts the owed cards whose time has come (one instance per card). */
export async function retryOwedCards(deps: CardRetryDeps): Promise<void> {
  const now = deps.now();
  for (const due of await deps.retries.due(now)) {
    if (!(await deps.retries.claim(due, now))) continue;
    const record = (await deps.store.get(due.alertId))?.record;
    if (!record || record.card || record.status !== 'decided' || record.decision === 'auto-close') {
      await deps.retries.done(due.alertId);
      continue;
    }
    try {
      const card = await deps.service.postCard(record);
      if (card) await deps.service.update(record.alertId, (r) => ({ ...r, card }));
      else deps.log.warn({ alertId: record.alertId }, 'no conversation for the alert card: set triage.conversationId or routing');
      await deps.retries.done(due.alertId);
      if (card) deps.log.info({ alertId: record.alertId, attempts: due.attempts + 1 }, 'alert card posted on a later try');
    } catch (err) {
      await deps.retries.schedule(due.alertId, due.attempts + 1, message(err), deps.now());
      deps.log.warn({ alertId: record.alertId, attempts: due.attempts + 1, err: message(err) }, 'posting the alert card failed again; will try later');
    }
  }
}
