import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrichmentSchema } from '../../../src/config/enrichment-schema';
import { quotaLimits, TableIntelQuota, type SourceLimits } from '../../../src/enrichment/quota';
import type { EntityTable } from '../../../src/storage/entity-table';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';

const at = (iso: string) => new Date(iso);
const limits: SourceLimits = { virustotal: { perMinute: 4, perDay: 500 }, abuseipdb: { perDay: 3 } };
const quotaOn = (table: EntityTable = memoryEntityTable()) => new TableIntelQuota(table, { limits });

test('the limits come from enrichment.<source>.quota: the free tiers by default, only configured sources', () => {
  assert.deepEqual(quotaLimits(enrichmentSchema.parse({ virustotal: {}, abuseipdb: {} })), { virustotal: { perMinute: 4, perDay: 500 }, abuseipdb: { perDay: 1000 } });
  assert.deepEqual(quotaLimits(enrichmentSchema.parse({ abuseipdb: { quota: { perDay: 5 } } })), { abuseipdb: { perDay: 5 } });
  assert.deepEqual(quotaLimits(undefined), {});
});

test('per minute: the fifth lookup of a clock minute waits for the next minute, then is granted', async () => {
  const quota = quotaOn();
  const now = at('2026-03-02T10:00:20Z');
  const grants = [];
  for (let i = 0; i < 4; i++) grants.push(await quota.take('virustotal', now));
  assert.deepEqual(
    grants.map((g) => g.granted && g.remaining),
    [3, 2, 1, 0].map((minute, i) => ({ minute, day: 499 - i })),
  );
  assert.deepEqual(await quota.take('virustotal', at('2026-03-02T10:00:59.999Z')), { granted: false, waitUntil: at('2026-03-02T10:01:00Z'), why: 'minute' });
  const next = await quota.take('virustotal', at('2026-03-02T10:01:00Z'));
  assert.deepEqual(next, { granted: true, remaining: { minute: 3, day: 495 } });
});

test('per day: spent, the source waits until 00:00 UTC, when the day starts afresh', async () => {
  const quota = quotaOn();
  for (let i = 0; i < 3; i++) assert.equal((await quota.take('abuseipdb', at('2026-03-02T08:00:00Z'))).granted, true);
  assert.deepEqual(await quota.take('abuseipdb', at('2026-03-02T23:59:59Z')), { granted: false, waitUntil: at('2026-03-03T00:00:00Z'), why: 'day' });
  assert.deepEqual(await quota.take('abuseipdb', at('2026-03-03T00:00:00Z')), { granted: true, remaining: { day: 2 } });
});

test('instances over one table share the quota: of 12 concurrent takes in a minute, exactly 4 are granted', async () => {
  const table = memoryEntityTable();
  const [a, b, c] = [quotaOn(table), quotaOn(table), quotaOn(table)];
  const now = at('2026-03-02T10:00:00Z');
  const grants = await Promise.all([a, b, c].flatMap((q) => Array.from({ length: 4 }, () => q.take('virustotal', now))));
  assert.equal(grants.filter((g) => g.granted).length, 4);
  const [vt] = await a.status(now);
  assert.deepEqual(vt?.perMinute, { limit: 4, remaining: 0 });
  assert.equal(vt?.perDay.remaining, 496);
});

test('a 429 holds the source back until its Retry-After; a shorter one later does not cut that short', async () => {
  const quota = quotaOn();
  const now = at('2026-03-02T10:00:00Z');
  await quota.throttled('virustotal', 30_000, now);
  await quota.throttled('virustotal', 5_000, now);
  assert.deepEqual(await quota.take('virustotal', at('2026-03-02T10:00:29Z')), { granted: false, waitUntil: at('2026-03-02T10:00:30Z'), why: 'throttled' });
  assert.equal((await quota.status(at('2026-03-02T10:00:29Z')))[0]?.throttledUntil, '2026-03-02T10:00:30.000Z');
  assert.equal((await quota.take('virustotal', at('2026-03-02T10:00:30Z'))).granted, true);
  assert.equal((await quota.status(at('2026-03-02T10:00:30Z')))[0]?.throttledUntil, undefined);
});

test('unavailable (401/403) is shown by status and told to the next taker until a lookup succeeds', async () => {
  const quota = quotaOn();
  const now = at('2026-03-02T10:00:00Z');
  await quota.unavailable('abuseipdb', 'AbuseIPDB answered 401', now);
  const [, abuse] = await quota.status(now);
  assert.deepEqual(abuse, { source: 'abuseipdb', perDay: { limit: 3, remaining: 3, resetsAt: '2026-03-03T00:00:00.000Z' }, unavailable: { reason: 'AbuseIPDB answered 401', since: now.toISOString() } });
  assert.deepEqual(await quota.take('abuseipdb', now), { granted: true, remaining: { day: 2 }, unavailable: 'AbuseIPDB answered 401' });
  await quota.available('abuseipdb');
  assert.equal((await quota.status(now))[1]?.unavailable, undefined);
  assert.deepEqual(await quota.take('abuseipdb', now), { granted: true, remaining: { day: 1 } });
});

test('a source without a configured quota is refused', async () => {
  const quota = new TableIntelQuota(memoryEntityTable(), { limits: { abuseipdb: { perDay: 1 } } });
  await assert.rejects(quota.take('virustotal'), /no quota is configured for virustotal/);
  assert.deepEqual((await quota.status()).map((s) => s.source), ['abuseipdb']);
});
