import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { ReceiptAudit, receiptAction } from '../../../src/events/receipt-audit';
import { waitFor } from '../../helpers/wait-for';
import { alert, world } from './intake-world';

const webhook = { deliveredBy: 'signature:alerts-webhook-secret' };

/** The receipt rows in the chain, by idempotency key. */
async function receipts(audit: MemoryAuditLog): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const r of await audit.query({ action: receiptAction })) out.set(String(r.detail.key), [...(out.get(String(r.detail.key)) ?? []), r.seq]);
  return out;
}

test("a webhook's receipt is audited once, before its handler runs, and its seq kept on the row", async () => {
  const audit = new MemoryAuditLog();
  const w = world({ receipts: new ReceiptAudit(audit), baseDelayMs: 20 });
  const seenByHandler = new Map<string, number>();
  let failed = false;
  w.handle(async (event) => {
    seenByHandler.set(event.idempotencyKey, (await receipts(audit)).get(event.idempotencyKey)?.length ?? 0);
    if (event.idempotencyKey === 'flaky' && !failed) {
      failed = true;
      throw new Error('once');
    }
  });
  w.start();
  try {
    await w.intake.accept(alert('flaky', webhook));
    await w.intake.accept(alert('direct', webhook));
    await w.intake.accept(alert('internal'));
    await waitFor(() => ['flaky', 'direct', 'internal'].every((k) => w.events.byKey(k)?.status === 'done'), { what: 'the three events done', timeoutMs: 5_000, intervalMs: 10 });
    await w.intake.idle(5_000);
    const rows = await receipts(audit);
    assert.deepEqual([...rows.keys()].sort(), ['direct', 'flaky'], 'a receipt for each webhook event; none for an event of Argus itself');
    assert.equal(rows.get('flaky')!.length, 1, 'one receipt, not one per attempt');
    assert.deepEqual(Object.fromEntries(seenByHandler), { flaky: 1, direct: 1, internal: 0 }, 'the receipt is in the chain before the handler runs');
    for (const key of ['flaky', 'direct']) assert.equal(w.events.byKey(key)?.auditSeq, rows.get(key)![0], `the row of ${key} keeps its receipt's seq`);
  } finally {
    await w.intake.stop();
  }
});

test('a delivery that may follow an interrupted one finds the receipt already in the chain instead of appending another', async () => {
  const audit = new MemoryAuditLog();
  const receiptAudit = new ReceiptAudit(audit);
  // Instance A takes the event, appends its receipt and stalls; its message comes back for B.
  const a = world({ receipts: receiptAudit, visibilityTimeoutSeconds: 0.1 });
  const b = world({ receipts: receiptAudit, visibilityTimeoutSeconds: 5 }, { events: a.events, queue: a.queue });
  let releaseA!: () => void;
  a.handle(() => new Promise<void>((r) => (releaseA = r)));
  a.start();
  try {
    await a.intake.accept(alert('orphan', webhook));
    await waitFor(() => a.runs.length === 1, { what: 'A running the event', timeoutMs: 5_000, intervalMs: 5 });
    assert.equal(a.events.byKey('orphan')?.auditSeq, undefined, 'A has not recorded the seq on the row');
    b.start();
    await waitFor(() => b.events.byKey('orphan')?.status === 'done', { what: 'B finishing the event', timeoutMs: 5_000, intervalMs: 10 });
    const rows = await receipts(audit);
    assert.deepEqual(rows.get('orphan')?.length, 1, 'B found the receipt A appended');
    assert.equal(b.events.byKey('orphan')?.auditSeq, rows.get('orphan')![0]);
  } finally {
    releaseA?.();
    await Promise.all([a.intake.stop(), b.intake.stop()]);
  }
});

/** Receipts that count how often the chain is searched for one (a search reads the chain's recent segments). */
class CountingReceipts extends ReceiptAudit {
  searches = 0;
  override find(...args: Parameters<ReceiptAudit['find']>) {
    this.searches += 1;
    return super.find(...args);
  }
}

test("a fresh message read late (a backlog) is still its event's first delivery: no search of the chain, unless a sweep pointed at the event", async () => {
  const audit = new MemoryAuditLog();
  const receiptAudit = new CountingReceipts(audit);
  // Stored before processing starts, read a visibility timeout and more later: the row is read.
  const w = world({ receipts: receiptAudit, visibilityTimeoutSeconds: 0.1 });
  for (const key of ['late-1', 'late-2', 'swept']) await w.intake.accept(alert(key, webhook));
  const swept = w.events.byKey('swept')!;
  w.events.touch(swept, { sweptAt: new Date().toISOString() }); // another instance's sweep sent a pointer to it
  await new Promise((r) => setTimeout(r, 150));
  w.start();
  try {
    await waitFor(() => ['late-1', 'late-2', 'swept'].every((k) => w.events.byKey(k)?.status === 'done'), { what: 'the three events done', timeoutMs: 5_000, intervalMs: 10 });
    assert.equal(receiptAudit.searches, 1, 'only the swept event looked for a receipt in the chain');
    const rows = await receipts(audit);
    for (const key of ['late-1', 'late-2', 'swept']) assert.equal(rows.get(key)?.length, 1, `one receipt for ${key}`);
  } finally {
    await w.intake.stop();
  }
});
