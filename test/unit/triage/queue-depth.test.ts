import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quotaView } from '../../../src/cli/intel-command';
import { createArgusMetrics } from '../../../src/observability/metrics';
import { countQueued, queueDepthGauge } from '../../../src/triage/queue-depth';
import { enrichedRig, ips } from './enriched-setup';
import { testAlert } from './triage-setup';

test('queued lookups with VirusTotal at 4/min and 6 indicators: 2 queued (once each, however many alerts wait), 0 once answered', async (t) => {
  const rig = await enrichedRig(t, { enrichment: { virustotal: {} } });
  const six = ips(41, 42, 43, 44, 45, 46);
  for (const i of six) rig.vt.set('ip_addresses', i.value, { malicious: 60, harmless: 5, undetected: 5, lastAnalysisDate: 1772400000 });
  const alert = testAlert({ indicators: six, event: { Computer: 'FIN-WS-042' } });
  assert.equal((await rig.receive(alert)).status, 'pending-intel');
  assert.equal(rig.vt.requests.length, 4);
  assert.deepEqual(await countQueued(rig.store), { virustotal: 2, abuseipdb: 0 });

  const again = testAlert({ indicators: six.slice(4), event: { Computer: 'FIN-WS-043' } });
  assert.equal((await rig.receive(again)).status, 'pending-intel');
  assert.deepEqual(await countQueued(rig.store), { virustotal: 2, abuseipdb: 0 }, 'the same two lookups');

  const metrics = createArgusMetrics();
  const gauge = queueDepthGauge(metrics.registry, ['virustotal']);
  gauge.set(await countQueued(rig.store));
  assert.match(metrics.registry.render(), /^argus_intel_queue_depth\{source="virustotal"\} 2$/m);
  assert.doesNotMatch(metrics.registry.render(), /argus_intel_queue_depth\{source="abuseipdb"\}/, 'only configured sources');

  rig.clock.now = new Date('2026-03-02T10:01:00Z');
  await rig.service.sweep();
  assert.equal((await rig.store.get(alert.id))?.record.status, 'decided');
  assert.deepEqual(await countQueued(rig.store), { virustotal: 0, abuseipdb: 0 });
  gauge.set(await countQueued(rig.store));
  assert.match(metrics.registry.render(), /^argus_intel_queue_depth\{source="virustotal"\} 0$/m);
});

test('argus intel quota view: queued as counted, available false when the key is missing or refused', () => {
  const status = { source: 'virustotal' as const, perMinute: { limit: 4, remaining: 0 }, perDay: { limit: 500, remaining: 496, resetsAt: '2026-03-03T00:00:00.000Z' } };
  assert.deepEqual(quotaView(status, 2, { source: 'virustotal', configured: true, secret: 'virustotal-api-key', keyPresent: true, available: true }), { ...status, queued: 2, available: true });
  const missing = quotaView(status, 0, { source: 'virustotal', configured: true, secret: 'virustotal-api-key', keyPresent: false, available: false, reason: 'the secret virustotal-api-key is not set' });
  assert.deepEqual([missing.available, missing.unavailable], [false, { reason: 'the secret virustotal-api-key is not set' }]);
  const refused = quotaView({ ...status, unavailable: { reason: 'VirusTotal answered 401', since: '2026-03-02T10:00:00.000Z' } }, 0);
  assert.deepEqual([refused.available, refused.unavailable], [false, { reason: 'VirusTotal answered 401', since: '2026-03-02T10:00:00.000Z' }]);
});
