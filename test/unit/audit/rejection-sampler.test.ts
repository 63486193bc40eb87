import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { RejectionAudit, rejectionSummaryAction } from '../../../src/audit/rejection-audit';
import { callerSource, overflowSource, RejectionSampler } from '../../../src/audit/rejection-sampler';
import { createLogger } from '../../../src/logging/logger';

const t0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const route = '/api/webhooks/sentinel';
const reject = (source: string, reason = 'signature-missing') => ({ route, target: 'sentinel', source, reason });

test('the first 20 rejections per route and caller in a minute are admitted, the rest summarized when the minute ends', () => {
  const sampler = new RejectionSampler({ perSourcePerMinute: 20, maxSources: 10 });
  const admitted = Array.from({ length: 50 }, (_, i) => sampler.admit(reject('203.0.113.7', i % 2 ? 'signature-stale' : 'signature-missing'), t0 + i * 100));
  assert.equal(admitted.filter(Boolean).length, 20);
  assert.deepEqual(admitted.slice(0, 20), Array(20).fill(true));
  // Another caller and another route have their own allowance.
  assert.equal(sampler.admit(reject('198.51.100.1'), t0 + 6_000), true);
  assert.equal(sampler.admit({ ...reject('203.0.113.7'), route: '/api/webhooks/alerts' }, t0 + 6_000), true);

  assert.deepEqual(sampler.takeClosed(t0 + 59_999), [], 'the minute has not ended');
  const summaries = sampler.takeClosed(t0 + 60_000);
  assert.deepEqual(summaries, [
    {
      route,
      target: 'sentinel',
      source: '203.0.113.7',
      from: '2025-06-01T12:00:00.000Z',
      to: '2025-06-01T12:01:00.000Z',
      audited: 20,
      suppressed: 30,
      reasons: { 'signature-stale': 15, 'signature-missing': 15 },
    },
  ]);
  assert.deepEqual(sampler.takeClosed(t0 + 61_000), [], 'each summary is returned once');
  assert.equal(sampler.admit(reject('203.0.113.7'), t0 + 61_000), true, 'a new minute, a new allowance');
});

test('memory is bounded: beyond maxSources distinct callers, the rest share one window per route', () => {
  const sampler = new RejectionSampler({ perSourcePerMinute: 2, maxSources: 100 });
  for (let i = 0; i < 10_000; i += 1) sampler.admit(reject(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`), t0 + 1);
  assert.equal(sampler.size, 101);
  const overflow = sampler.drain().find((s) => s.source === overflowSource);
  assert.equal(overflow?.audited, 2);
  assert.equal(overflow?.suppressed, 10_000 - 100 - 2);
  assert.equal(sampler.size, 0);
});

test('callers: IPv4-mapped addresses as IPv4, IPv6 by /64 prefix', () => {
  assert.equal(callerSource('::ffff:203.0.113.9'), '203.0.113.9');
  assert.equal(callerSource('203.0.113.9'), '203.0.113.9');
  assert.equal(callerSource('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(callerSource('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(callerSource('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(callerSource('::1'), '0:0:0:0::/64');
  assert.equal(callerSource(undefined), 'unknown');
});

test('RejectionAudit writes admitted rows at once and one summary row when the minute closes', async () => {
  let now = t0;
  const audit = new MemoryAuditLog();
  const rejections = new RejectionAudit({ audit, logger: createLogger({ level: 'silent' }), now: () => now });
  const entry = { action: 'webhook.received', outcome: 'rejected' as const, target: 'sentinel', detail: { reason: 'signature-missing' } };
  const outcomes = [];
  for (let i = 0; i < 50; i += 1) outcomes.push(await rejections.record({ route, address: '::ffff:192.0.2.10', reason: 'signature-missing', entry }));
  assert.equal(outcomes.filter((o) => o === 'audited').length, 20);
  assert.equal(audit.records.length, 20);
  assert.equal(audit.records[0]?.detail.caller, '192.0.2.10');

  await rejections.flush();
  assert.equal(audit.records.length, 20, 'no summary before the minute ends');
  now = t0 + 60_000;
  await rejections.flush();
  const summary = audit.records.at(-1);
  assert.equal(summary?.action, rejectionSummaryAction);
  assert.equal(summary?.outcome, 'rejected');
  assert.equal(summary?.target, 'sentinel');
  assert.deepEqual(summary?.detail, {
    route,
    caller: '192.0.2.10',
    from: '2025-06-01T12:00:00.000Z',
    to: '2025-06-01T12:01:00.000Z',
    count: 30,
    auditedRows: 20,
    reasons: { 'signature-missing': 30 },
  });

  // At shutdown the minute in progress is summarized too.
  for (let i = 0; i < 25; i += 1) await rejections.record({ route, address: '192.0.2.10', reason: 'signature-missing', entry });
  await rejections.stop();
  assert.equal(audit.records.at(-1)?.detail.count, 5);
  assert.equal(audit.verify().ok, true);
});
