import assert from 'node:assert/strict';
import { test } from 'node:test';
import { operationalRoutes } from '../../../src/app/routes';
import { enrichmentSchema } from '../../../src/config/enrichment-schema';
import { createIntelSetup } from '../../../src/enrichment/intel-setup';
import { healthLine, sourceHealth } from '../../../src/enrichment/source-health';
import { MetricsRegistry } from '../../../src/observability/metrics';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import type { TableStore } from '../../../src/storage/table-store';
import { startFakeAbuseIpdb } from '../../helpers/fake-abuseipdb';
import { startFakeVirusTotal } from '../../helpers/fake-virustotal';
import { staticSecrets } from './intel-setup';

test('401 from VirusTotal: the source is unavailable with the reason, AbuseIPDB stays available; a missing key or section says so', async (t) => {
  const [vt, abuse] = await Promise.all([startFakeVirusTotal(), startFakeAbuseIpdb()]);
  t.after(() => Promise.all([vt.close(), abuse.close()]));
  const enrichment = enrichmentSchema.parse({ virustotal: { apiUrl: vt.apiUrl }, abuseipdb: { apiUrl: abuse.apiUrl } });
  const secrets = staticSecrets({ 'virustotal-api-key': 'not-the-key', 'abuseipdb-api-key': abuse.apiKey });
  const intel = createIntelSetup(enrichment, { secrets, tables: { cache: memoryEntityTable(), quota: memoryEntityTable() } });

  const before = await sourceHealth(enrichment, { secrets, quota: intel.quota });
  assert.deepEqual(before.map((h) => [h.source, h.configured, h.keyPresent, h.available]), [['virustotal', true, true, true], ['abuseipdb', true, true, true]]);

  await intel.service.enrich([{ type: 'ip', value: '185.220.101.7' }]);
  const [vtHealth, abuseHealth] = await sourceHealth(enrichment, { secrets, quota: intel.quota });
  assert.equal(vtHealth?.available, false);
  assert.match(vtHealth?.reason ?? '', /VirusTotal refused the key: VirusTotal answered 401 \(WrongCredentialsError: Wrong API key\): check the secret virustotal-api-key/);
  assert.ok(vtHealth?.since);
  assert.equal(abuseHealth?.available, true);
  const line = healthLine(vtHealth!);
  assert.equal(line.ok, false);
  assert.match(line.text, /^configured, key virustotal-api-key present, unavailable since .*: VirusTotal refused the key/);
  assert.deepEqual(healthLine(abuseHealth!), { ok: true, text: 'configured, key abuseipdb-api-key present, available' });

  const noKey = await sourceHealth(enrichmentSchema.parse({ virustotal: { apiUrl: vt.apiUrl } }), { secrets: staticSecrets({}), quota: intel.quota });
  assert.deepEqual(noKey.map((h) => [h.source, h.configured, h.available, h.reason]), [
    ['virustotal', true, false, 'the secret virustotal-api-key is not set'],
    ['abuseipdb', false, false, 'enrichment.abuseipdb is not configured'],
  ]);
  assert.deepEqual(healthLine(noKey[1]!), { ok: true, text: 'not configured (enrichment.abuseipdb is not configured): not looked up' });
  const none = await sourceHealth(undefined, { secrets });
  assert.deepEqual(none.map((h) => h.reason), ['enrichment is not configured', 'enrichment is not configured']);
});

test('/readyz: a degraded part keeps Argus ready, is named in `degraded`, and its details go to callers on this machine only', async () => {
  const sources = [{ source: 'virustotal', available: false, reason: 'VirusTotal refused the key' }];
  const routes = operationalRoutes({
    store: { ping: async () => {} } as unknown as TableStore,
    secrets: staticSecrets({}),
    checkSecrets: false,
    metrics: new MetricsRegistry(),
    queue: async () => 0,
    details: [{ name: 'intel', read: async () => ({ ok: false, sources }) }],
  });
  const readyz = routes.find((r) => r.path === '/readyz')!;
  const ask = (remoteAddress: string) => readyz.handler({ method: 'GET', path: '/readyz', headers: {}, rawBody: Buffer.alloc(0), correlationId: 'c', receivedAt: 0, remoteAddress });
  const local = await ask('127.0.0.1');
  assert.equal(local.status, 200);
  assert.deepEqual((local.body as { details: unknown }).details, { intel: { ok: false, sources } });
  assert.deepEqual((local.body as { degraded: unknown }).degraded, ['intel']);
  const remote = await ask('10.1.2.3');
  assert.deepEqual(remote, { status: 200, body: { status: 'ready', failing: [], degraded: ['intel'] } });

  const broken = operationalRoutes({
    store: { ping: async () => {} } as unknown as TableStore,
    secrets: staticSecrets({}),
    checkSecrets: false,
    metrics: new MetricsRegistry(),
    queue: async () => 0,
    details: [{ name: 'intel', read: async () => Promise.reject(new Error('storage unavailable')) }],
  });
  const failed = await broken.find((r) => r.path === '/readyz')!.handler({ method: 'GET', path: '/readyz', headers: {}, rawBody: Buffer.alloc(0), correlationId: 'c', receivedAt: 0, remoteAddress: '::1' });
  assert.deepEqual((failed.body as { details: unknown }).details, { intel: { ok: false, error: 'storage unavailable' } });
});
