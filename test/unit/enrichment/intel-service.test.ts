import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { enrichmentSchema } from '../../../src/config/enrichment-schema';
import { cacheTtls, TableIntelCache } from '../../../src/enrichment/intel-cache';
import { createIntelService, intelMetrics, type AnyIntelSource, type IntelService } from '../../../src/enrichment/intel-service';
import { TableIntelQuota } from '../../../src/enrichment/quota';
import { createSendPolicy } from '../../../src/enrichment/send-policy';
import { createArgusMetrics } from '../../../src/observability/metrics';
import type { EntityTable } from '../../../src/storage/entity-table';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { compileAllowList } from '../../../src/triage/allow-list';
import type { Indicator } from '../../../src/triage/types';
import { abuseIpdbOnFake, virusTotalOnFake } from './intel-setup';

const ttl = cacheTtls(enrichmentSchema.parse({ virustotal: {} }).cache);
const ips = (...last: number[]): Indicator[] => last.map((n) => ({ type: 'ip', value: `185.220.101.${n}` }));

/** Tables shared by the instances of one test (as Table Storage is shared by instances of Argus). */
const sharedTables = () => ({ cache: memoryEntityTable(), quota: memoryEntityTable() });

/** A service over the sources and tables, at a clock the test moves. */
function serviceOn(sources: AnyIntelSource[], tables = sharedTables(), options: { metrics?: ReturnType<typeof createArgusMetrics>; quotaTable?: EntityTable } = {}) {
  const clock = { now: new Date('2026-03-02T10:00:10Z') };
  const now = () => clock.now;
  const quota = new TableIntelQuota(tables.quota, { limits: { virustotal: { perMinute: 4, perDay: 500 }, abuseipdb: { perDay: 1000 } }, now });
  const service: IntelService = createIntelService({
    sources,
    cache: new TableIntelCache(tables.cache, { ttl, now: () => clock.now.getTime() }),
    quota,
    sendPolicy: createSendPolicy(['bad-but-internal.net']),
    allow: compileAllowList({ ips: [], domains: ['corp-allowed.com'], hashes: [] }),
    now,
    ...(options.metrics ? { metrics: intelMetrics(options.metrics) } : {}),
  });
  return { service, quota, clock, tables };
}

async function virusTotalKnowing(t: TestContext, indicators: Indicator[], apiKey?: string | null) {
  const vt = await virusTotalOnFake(t, apiKey === undefined ? {} : { apiKey });
  for (const i of indicators) vt.fake.set('ip_addresses', i.value, { malicious: 5, harmless: 60, undetected: 10, lastAnalysisDate: 1772400000 });
  return vt;
}

test('VirusTotal at 4 a minute with 6 indicators: 4 looked up now, 2 wait for the next minute and are answered then', async (t) => {
  const six = ips(1, 2, 3, 4, 5, 6);
  const { fake, source } = await virusTotalKnowing(t, six);
  const { service, clock } = serviceOn([source]);
  const first = await service.enrich(six);
  assert.equal(fake.requests.length, 4);
  assert.deepEqual(first.indicators.map((i) => i.sources.map((s) => s.verdict)), [['malicious'], ['malicious'], ['malicious'], ['malicious'], [], []]);
  assert.deepEqual(first.waiting, six.slice(4).map((indicator) => ({ source: 'virustotal', indicator, until: '2026-03-02T10:01:00.000Z', why: 'minute' })));
  assert.deepEqual(first.unavailable, []);

  clock.now = new Date(first.waiting[0]!.until);
  const second = await service.enrich(six);
  assert.equal(fake.requests.length, 6, 'the first four come from the cache');
  assert.deepEqual(second.waiting, []);
  assert.deepEqual(second.indicators.map((i) => i.sources.map((s) => `${s.verdict}${s.cached ? ' (cached)' : ''}`)), [...Array(4).fill(['malicious (cached)']), ['malicious'], ['malicious']]);
});

test('the same indicator twice costs one lookup, also for a new instance over the same tables (a restart)', async (t) => {
  const [ip] = ips(7);
  const { fake, source } = await virusTotalKnowing(t, [ip!]);
  const first = serviceOn([source]);
  const once = await first.service.enrich([ip!, ip!]);
  assert.deepEqual(once.indicators.map((i) => i.sources[0]?.cached ?? false), [false, true]);
  const restarted = serviceOn([source], first.tables);
  const again = await restarted.service.enrich([ip!]);
  assert.equal(again.indicators[0]?.sources[0]?.cached, true);
  assert.equal(fake.requests.length, 1);
});

test('allow-listed indicators are asked nowhere; never-send ones are skipped without using the quota', async (t) => {
  const { fake, source } = await virusTotalKnowing(t, []);
  const { service, quota } = serviceOn([source]);
  const result = await service.enrich([
    { type: 'domain', value: 'login.corp-allowed.com' },
    { type: 'ip', value: '10.1.2.3' },
    { type: 'domain', value: 'x.bad-but-internal.net' },
  ]);
  assert.equal(fake.requests.length, 0);
  assert.deepEqual(result.indicators[0], { indicator: { type: 'domain', value: 'login.corp-allowed.com' }, sources: [], allowListedBy: 'triage.allow.domains corp-allowed.com' });
  assert.deepEqual(result.indicators.slice(1).map((i) => i.sources.map((s) => s.verdict)), [['skipped'], ['skipped']]);
  assert.match(result.indicators[1]?.sources[0]?.reason ?? '', /private address/);
  assert.equal((await quota.status())[0]?.perMinute?.remaining, 4);
});

test('a 429 with Retry-After holds the source back that long: its lookups wait, then are answered', async (t) => {
  const two = ips(8, 9);
  const { fake, source } = await virusTotalKnowing(t, two);
  const { service, clock } = serviceOn([source]);
  fake.answerNext({ status: 429, retryAfter: '30' });
  const first = await service.enrich(two);
  assert.equal(fake.requests.length, 1, 'the second is not sent into the throttle');
  assert.deepEqual(first.waiting.map((w) => [w.indicator.value, w.until, w.why]), two.map((i) => [i.value, '2026-03-02T10:00:40.000Z', 'throttled']));
  clock.now = new Date('2026-03-02T10:00:39Z');
  assert.equal((await service.enrich(two)).waiting.length, 2);
  assert.equal(fake.requests.length, 1);
  clock.now = new Date('2026-03-02T10:00:40Z');
  const after = await service.enrich(two);
  assert.deepEqual([after.waiting, after.indicators.map((i) => i.sources[0]?.verdict)], [[], ['malicious', 'malicious']]);
});

test('401: the source is unavailable, the indicators are reported without it, and the mark goes once a lookup succeeds', async (t) => {
  const two = ips(10, 11);
  const wrong = await virusTotalKnowing(t, two, 'wrong-key');
  const abuse = await abuseIpdbOnFake(t);
  const { service, quota, tables } = serviceOn([wrong.source, abuse.source]);
  const result = await service.enrich(two);
  assert.equal(wrong.fake.requests.length, 1, 'one refusal is enough for the run');
  assert.deepEqual(result.indicators.map((i) => i.sources.map((s) => `${s.source}: ${s.verdict}`)), two.map(() => ['virustotal: unavailable', 'abuseipdb: unknown']));
  assert.deepEqual(result.unavailable.map((u) => u.source), ['virustotal']);
  assert.match(result.unavailable[0]?.reason ?? '', /401.*virustotal-api-key/);
  assert.match((await quota.status())[0]?.unavailable?.reason ?? '', /401/);

  const fixed = await virusTotalKnowing(t, two);
  const later = serviceOn([fixed.source], tables);
  assert.equal((await later.service.enrich(two.slice(0, 1))).indicators[0]?.sources[0]?.verdict, 'malicious');
  assert.equal((await quota.status())[0]?.unavailable, undefined);
});

test('two instances over one table share the quota: never more than 4 lookups in a minute between them', async (t) => {
  const ten = ips(21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
  const { fake, source } = await virusTotalKnowing(t, ten);
  const tables = sharedTables();
  const [a, b] = [serviceOn([source], tables), serviceOn([source], tables)];
  const results = await Promise.all([a.service.enrich(ten.slice(0, 5)), b.service.enrich(ten.slice(5))]);
  assert.equal(fake.requests.length, 4);
  assert.equal(results.flatMap((r) => r.waiting).length, 6);
  assert.ok(results.flatMap((r) => r.waiting).every((w) => w.until === '2026-03-02T10:01:00.000Z'));
});

test('lookups and the quota left are counted in the metrics', async (t) => {
  const three = ips(31, 32, 33);
  const { source } = await virusTotalKnowing(t, three);
  const metrics = createArgusMetrics();
  const { service } = serviceOn([source], sharedTables(), { metrics });
  await service.enrich([...three, { type: 'ip', value: '10.0.0.1' }, three[0]!]);
  const text = metrics.registry.render();
  assert.match(text, /argus_intel_lookups_total\{result="malicious",source="virustotal"\} 3/);
  assert.match(text, /argus_intel_lookups_total\{result="skipped",source="virustotal"\} 1/);
  assert.match(text, /argus_intel_lookups_total\{result="cached",source="virustotal"\} 1/);
  assert.match(text, /argus_intel_quota_remaining\{source="virustotal",window="minute"\} 1/);
  assert.match(text, /argus_intel_quota_remaining\{source="virustotal",window="day"\} 497/);
});
