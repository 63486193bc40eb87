import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { TableAuditLog } from '../../src/audit/table-audit-log';
import { verifyAuditChain } from '../../src/audit/verify-chain';
import { EventQueue } from '../../src/events/event-queue';
import { TableEventStore } from '../../src/events/event-store';
import { DurableIntake } from '../../src/events/intake';
import { ReceiptAudit, receiptAction } from '../../src/events/receipt-audit';
import { EventRouter, handle } from '../../src/events/router';
import { intakeWith } from '../helpers/intake-with';
import { createLogger } from '../../src/logging/logger';
import { createQueueFactory } from '../../src/storage/queues';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { waitFor } from '../helpers/wait-for';

/*
 * The receipt of an accepted webhook is audited from the stored event (an outbox): appended to
 * the chain when the event is processed, exactly once, whatever happens to the attempt.
 */
let azurite: TestAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => azurite.stop());

let count = 0;

async function world() {
  count += 1;
  const tableOf = async (name: string) => {
    const t = TableClient.fromConnectionString(azurite.connectionString, `${name}${count}`, { allowInsecureConnection: true });
    await t.createTable();
    return t;
  };
  const events = await tableOf('ReceiptEvents');
  const auditTable = await tableOf('ReceiptAudit');
  const queues = createQueueFactory({ kind: 'connectionString', connectionString: azurite.connectionString });
  const qname = `receipts-${count}`;
  await queues.ensureQueue(qname);
  await queues.ensureQueue(`${qname}-poison`);
  /** One Argus instance: its own audit writer (small segments: searches cross several). */
  const instance = (handler: (key: string) => Promise<void>, concurrency = 16, visibilityTimeoutSeconds = 1) => {
    const router = new EventRouter(handle('alert.received', 'test', (event) => handler(event.idempotencyKey)));
    const audit = new TableAuditLog({ client: auditTable, segmentRows: 5 });
    return intakeWith(new DurableIntake({
      store: new TableEventStore(events),
      queue: new EventQueue(queues.queue(qname), queues.queue(`${qname}-poison`)),
      receipts: new ReceiptAudit(audit),
      logger: createLogger({ level: 'silent' }),
      visibilityTimeoutSeconds,
      baseDelayMs: 50,
      sweepIntervalMs: 60_000,
      maxPollIntervalMs: 100,
      concurrency,
    }), router);
  };
  const receipts = async () => {
    const byEvent = new Map<string, number>();
    for await (const e of auditTable.listEntities<Record<string, unknown>>({ queryOptions: { filter: `action eq '${receiptAction}'` } })) {
      const detail = JSON.parse(String(e.detail)) as { eventId: string };
      byEvent.set(detail.eventId, (byEvent.get(detail.eventId) ?? 0) + 1);
    }
    return byEvent;
  };
  const rows = async () => {
    const out = new Map<string, Record<string, unknown>>();
    for await (const e of events.listEntities<Record<string, unknown>>()) out.set(String(e.eventId), e);
    return out;
  };
  return { instance, receipts, rows, auditTable };
}

const alert = (key: string) => ({
  name: 'alert.received' as const,
  source: 'alerts',
  idempotencyKey: key,
  deliveredBy: 'signature:alerts-webhook-secret',
  payload: { alert: { title: key } },
});

test('each accepted event gets one receipt row, appended when it is processed; the event row keeps its seq', async () => {
  const w = await world();
  const intake = w.instance(async () => undefined);
  const accepted = await Promise.all(Array.from({ length: 23 }, (_, i) => intake.accept(alert(`once-${i}`))));
  assert.equal((await w.receipts()).size, 0, 'acknowledging writes no audit row: the event row carries the receipt');
  intake.start();
  try {
    await intake.idle(15_000);
    const receipts = await w.receipts();
    assert.deepEqual([...receipts.keys()].sort(), accepted.map((a) => a.eventId).sort());
    assert.ok([...receipts.values()].every((n) => n === 1), 'one receipt per event');
    const rows = await w.rows();
    const audited = await new TableAuditLog({ client: w.auditTable }).query({ action: receiptAction });
    for (const record of audited) {
      const row = rows.get(String(record.detail.eventId));
      assert.equal(row?.auditSeq, record.seq, 'the event row records the seq of its receipt');
      assert.equal(record.actorId, 'signature:alerts-webhook-secret');
      assert.equal(record.target, 'alerts');
      assert.equal(record.detail.duplicate, false);
      assert.equal(record.detail.receivedAt, row?.receivedAt);
    }
    const verdict = await verifyAuditChain(w.auditTable);
    assert.ok(verdict.ok, JSON.stringify(verdict));
  } finally {
    await intake.stop();
  }
});

test('a failed attempt keeps its receipt: the retry appends none', async () => {
  const w = await world();
  const tries = new Map<string, number>();
  const intake = w.instance(async (key) => {
    tries.set(key, (tries.get(key) ?? 0) + 1);
    if ((tries.get(key) ?? 0) < 3) throw new Error('downstream unavailable');
  });
  const { eventId } = await intake.accept(alert('flaky'));
  intake.start();
  try {
    await waitFor(async () => (await w.rows()).get(eventId)?.status === 'done', { what: 'the third attempt succeeded', timeoutMs: 15_000 });
    assert.equal(tries.get('flaky'), 3);
    assert.equal((await w.receipts()).get(eventId), 1, 'appended on the first attempt only');
  } finally {
    await intake.stop();
  }
});

test('an instance that dies between the receipt and the outcome: another finds the receipt and appends none', async () => {
  const w = await world();
  // A appends the receipts, then its handler never returns (as if the process died there); it
  // holds one event at a time. Their messages reappear after the visibility timeout and go to B.
  const a = w.instance(() => new Promise<void>(() => undefined), 1);
  const handledLater: string[] = [];
  // B and the filler hold what they take for 10 s: their run (a receipt search across segments) may
  // outlast A's 1 s, and a message that came back meanwhile would be run again by the other, which
  // the design allows for a run longer than the visibility timeout, but is not this scenario.
  const b = w.instance(async (key) => void handledLater.push(key), 16, 10);
  // Another instance's events keep the chain growing over several segments meanwhile.
  const filler = w.instance(async (key) => void handledLater.push(key), 16, 10);
  const { eventId } = await a.accept(alert('orphaned'));
  a.start();
  try {
    await waitFor(async () => (await w.receipts()).get(eventId) === 1, { what: 'A appended the receipt', timeoutMs: 15_000 });
    await a.stop(); // A takes no more messages; its stuck handler never settles the event
    await Promise.all(Array.from({ length: 12 }, (_, i) => filler.accept(alert(`filler-${i}`))));
    filler.start();
    b.start();
    await waitFor(async () => (await w.rows()).get(eventId)?.status === 'done', { what: 'the orphaned event finished', timeoutMs: 15_000 });
    assert.deepEqual(handledLater.filter((k) => k === 'orphaned'), ['orphaned'], 'the handler A never finished ran once elsewhere');
    await filler.idle(15_000);
    const receipts = await w.receipts();
    assert.equal(receipts.get(eventId), 1, 'the receipt A had appended was found, not appended again');
    assert.ok([...receipts.values()].every((n) => n === 1));
    const record = (await new TableAuditLog({ client: w.auditTable }).query({ action: receiptAction })).find((r) => r.detail.eventId === eventId);
    assert.equal((await w.rows()).get(eventId)?.auditSeq, record?.seq);
    const verdict = await verifyAuditChain(w.auditTable);
    assert.ok(verdict.ok, JSON.stringify(verdict));
  } finally {
    await Promise.all([b.stop(), filler.stop()]);
  }
});
