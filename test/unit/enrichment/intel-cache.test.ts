import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrichmentSchema } from '../../../src/config/enrichment-schema';
import { cacheTtls, TableIntelCache } from '../../../src/enrichment/intel-cache';
import type { LookupResult } from '../../../src/enrichment/intel-source';
import { LruMap } from '../../../src/cache/lru-map';
import type { EntityTable } from '../../../src/storage/entity-table';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import type { Indicator } from '../../../src/triage/types';

const hour = 3_600_000;
const ttl = cacheTtls(enrichmentSchema.parse({ virustotal: {} }).cache);
const t0 = Date.parse('2026-03-02T10:00:00Z');
const ip: Indicator = { type: 'ip', value: '185.220.101.47' };
const hash: Indicator = { type: 'sha256', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856' };

const vtAnswer = (verdict: LookupResult['verdict'], extra: Partial<LookupResult> = {}): LookupResult =>
  ({
    source: 'virustotal',
    verdict,
    fetchedAt: new Date(t0).toISOString(),
    detail: { lastAnalysisStats: { malicious: 14, suspicious: 2, harmless: 55, undetected: 23, timeout: 0 }, reputation: -31 },
    ...extra,
  }) as LookupResult;

/** A cache on a memory table whose reads are counted, at a clock the test moves. */
function cacheAt(options: { memoryEntries?: number; table?: EntityTable } = {}) {
  const table = options.table ?? memoryEntityTable();
  const clock = { now: t0 };
  const reads = { count: 0 };
  const counting: EntityTable = { ...table, get: (pk, rk) => ((reads.count += 1), table.get(pk, rk)) };
  const cache = new TableIntelCache(counting, { ttl, memoryEntries: options.memoryEntries, now: () => clock.now });
  return { cache, clock, reads, table };
}

test('the TTLs come from enrichment.cache: malicious P7D, clean (and suspicious) P1D, unknown PT6H', () => {
  assert.deepEqual(ttl, { malicious: 168 * hour, suspicious: 24 * hour, clean: 24 * hour, unknown: 6 * hour });
});

test('an answer is served from the cache within its TTL, marked cached, and missed after it', async () => {
  const { cache, clock } = cacheAt();
  assert.equal(await cache.get('virustotal', ip), undefined);
  assert.equal(await cache.put(ip, vtAnswer('malicious', { quota: { remaining: 3 }, retryAfterMs: 5 })), true);
  clock.now = t0 + 168 * hour - 1;
  const hit = await cache.get('virustotal', ip);
  assert.deepEqual(hit, { ...vtAnswer('malicious'), cached: true }, 'kept as answered, without how that call went');
  clock.now = t0 + 168 * hour;
  assert.equal(await cache.get('virustotal', ip), undefined);
});

test('each verdict keeps its own TTL: unknown for hours, clean for a day', async () => {
  const { cache, clock } = cacheAt();
  await cache.put(hash, vtAnswer('unknown', { detail: undefined, reason: 'VirusTotal has no record of it' }));
  await cache.put(ip, vtAnswer('clean'));
  clock.now = t0 + 7 * hour;
  assert.equal(await cache.get('virustotal', hash), undefined);
  assert.equal((await cache.get('virustotal', ip))?.verdict, 'clean');
});

test('unavailable and skipped answers are never kept', async () => {
  const { cache, table } = cacheAt();
  assert.equal(await cache.put(ip, vtAnswer('unavailable', { detail: undefined, failure: 'throttled', reason: 'virustotal answered 429' })), false);
  assert.equal(await cache.put(ip, vtAnswer('skipped', { detail: undefined, reason: 'private' })), false);
  assert.equal(await cache.get('virustotal', ip), undefined);
  assert.deepEqual(await table.list({}), []);
});

test('answers are per source, and survive a restart (a new cache on the same table)', async () => {
  const first = cacheAt();
  await first.cache.put(ip, vtAnswer('malicious'));
  assert.equal(await first.cache.get('abuseipdb', ip), undefined);
  const second = cacheAt({ table: first.table });
  const hit = await second.cache.get('virustotal', ip);
  assert.equal(hit?.verdict, 'malicious');
  assert.equal(hit?.cached, true);
  assert.equal(second.reads.count, 1, 'read from the table');
  await second.cache.get('virustotal', ip);
  assert.equal(second.reads.count, 1, 'then from memory');
});

test('the memory in front is bounded: the least recently used answer is read from the table again', async () => {
  const { cache, reads } = cacheAt({ memoryEntries: 2 });
  const ips = ['81.2.70.1', '81.2.70.2', '81.2.70.3'].map((value): Indicator => ({ type: 'ip', value }));
  for (const i of ips) await cache.put(i, vtAnswer('clean'));
  reads.count = 0;
  await cache.get('virustotal', ips[2]!);
  await cache.get('virustotal', ips[1]!);
  assert.equal(reads.count, 0, 'the two most recent are held');
  assert.equal((await cache.get('virustotal', ips[0]!))?.verdict, 'clean');
  assert.equal(reads.count, 1, 'the oldest went to the table');
});

test('LruMap keeps at most its capacity, dropping the least recently read', () => {
  const lru = new LruMap<string, number>(2);
  lru.set('a', 1);
  lru.set('b', 2);
  assert.equal(lru.get('a'), 1);
  lru.set('c', 3);
  assert.deepEqual([lru.size, lru.get('a'), lru.get('b'), lru.get('c')], [2, 1, undefined, 3]);
  const none = new LruMap<string, number>(0);
  none.set('a', 1);
  assert.equal(none.size, 0);
});
