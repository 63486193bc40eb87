import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IntelPort } from '../../../src/triage/intel-port';
import { enrichedRig, ips } from './enriched-setup';
import { malicious, socChannel, testAlert, triageRig } from './triage-setup';

const alertOn = (indicators: ReturnType<typeof ips>) => testAlert({ indicators, event: { Computer: 'FIN-WS-042' } });
const sourcesOf = (record: { indicators: Array<{ sources: Array<{ source: string; verdict: string }> }> } | undefined) =>
  record?.indicators.map((i) => i.sources.map((s) => `${s.source}:${s.verdict}`));

test('VirusTotal at 4 a minute, 6 indicators: the alert waits, and the sweep after the minute decides it with all 6 answered', async (t) => {
  const rig = await enrichedRig(t, { enrichment: { virustotal: {} } });
  const six = ips(1, 2, 3, 4, 5, 6);
  for (const i of six) rig.vt.set('ip_addresses', i.value, { malicious: 60, harmless: 5, undetected: 5, lastAnalysisDate: 1772400000 });
  const alert = alertOn(six);

  const pending = await rig.receive(alert);
  assert.equal(pending.status, 'pending-intel');
  assert.equal(pending.pending?.nextTry, '2026-03-02T10:01:00.000Z', 'tried again when the quota allows');
  assert.equal(rig.vt.requests.length, 4);
  assert.equal(rig.posts.length, 0);
  assert.equal((await rig.store.get(alert.id))?.record.status, 'pending-intel', 'the pending record is stored');

  rig.clock.now = new Date('2026-03-02T10:00:40Z');
  await rig.service.sweep();
  assert.equal((await rig.store.get(alert.id))?.record.status, 'pending-intel', 'not due yet: left alone');
  assert.equal(rig.vt.requests.length, 4);

  rig.clock.now = new Date('2026-03-02T10:01:00Z');
  await rig.service.sweep();
  const decided = (await rig.store.get(alert.id))?.record;
  assert.equal(decided?.status, 'decided');
  assert.equal(decided?.decision, 'escalate');
  assert.deepEqual(sourcesOf(decided), Array(6).fill(['virustotal:malicious']));
  assert.equal(rig.vt.requests.length, 6, 'the first four answers come from the cache');
  assert.equal(decided?.pending, undefined);
  assert.deepEqual(rig.posts.map((p) => p.conversationId), [socChannel]);
  assert.equal((await rig.outcomes.get(alert.ruleId, alert.id))?.state, 'escalated');
  assert.equal(rig.decisions('escalate'), 1);

  await rig.service.sweep();
  await rig.service.decide(alert);
  assert.equal(rig.posts.length, 1, 'decided once: no second card');
  assert.equal(rig.decisions('escalate'), 1);
});

test('a source answering 401 is left out at once: decided without it, and the reasons say so', async (t) => {
  const rig = await enrichedRig(t, { virusTotalKey: 'not-the-key' });
  const [ip] = ips(9);
  rig.abuse.set(ip!.value, { abuseConfidenceScore: 100, totalReports: 80, numDistinctUsers: 40 });
  const record = await rig.receive(alertOn([ip!]));
  assert.equal(record.status, 'decided');
  assert.equal(record.decision, 'escalate');
  assert.match(record.reasons.join('\n'), /VirusTotal was missing: unavailable \(.*401.*\); decided without it/);
  assert.deepEqual(sourcesOf(record)?.[0]?.filter((s) => s.startsWith('abuseipdb')), ['abuseipdb:malicious']);
  assert.equal(rig.decisions('escalate'), 1);
});

test('lookups still waiting past maxWait: decided without that source, the reason names it and maxWait', async (t) => {
  const rig = await enrichedRig(t, { enrichment: { virustotal: { quota: { perMinute: 4, perDay: 1 } }, abuseipdb: {}, maxWait: 'PT10M' } });
  const two = ips(11, 12);
  for (const i of two) rig.abuse.set(i.value, { abuseConfidenceScore: 0, totalReports: 0, numDistinctUsers: 0 });
  const alert = alertOn(two);
  const pending = await rig.receive(alert);
  assert.equal(pending.status, 'pending-intel', 'one VirusTotal lookup waits for tomorrow');
  assert.equal(pending.pending?.nextTry, '2026-03-02T10:10:10.000Z', 'tried again at maxWait, before the quota allows it');

  rig.clock.now = new Date('2026-03-02T10:05:00Z');
  await rig.service.sweep();
  assert.equal((await rig.store.get(alert.id))?.record.status, 'pending-intel');

  rig.clock.now = new Date('2026-03-02T10:10:10Z');
  await rig.service.sweep();
  const decided = (await rig.store.get(alert.id))?.record;
  assert.equal(decided?.status, 'decided');
  assert.match(decided!.reasons.join('\n'), /VirusTotal was missing: its lookup waited longer than maxWait \(PT10M\); decided without it/);
  assert.doesNotMatch(decided!.reasons.join('\n'), /AbuseIPDB was missing/);
  assert.equal(rig.decisions(decided!.decision!), 1);
});

test('a malicious IP answered by both sources is escalated, with both contributions', async (t) => {
  const rig = await enrichedRig(t);
  const [ip] = ips(23);
  rig.vt.set('ip_addresses', ip!.value, { malicious: 55, suspicious: 4, harmless: 10, undetected: 5, lastAnalysisDate: 1772400000 });
  rig.abuse.set(ip!.value, { abuseConfidenceScore: 97, totalReports: 120, numDistinctUsers: 45 });
  const record = await rig.receive(alertOn([ip!]));
  assert.equal(record.decision, 'escalate');
  const sources = record.indicators[0]!.sources;
  assert.deepEqual(sources.map((s) => [s.source, s.verdict, s.weight]), [['virustotal', 'malicious', 1], ['abuseipdb', 'malicious', 0.8]]);
  assert.ok(sources.every((s) => (s.probability ?? 0) > 0.7), JSON.stringify(sources));
  // AbuseIPDB alone (p 0.989 × 0.8) gives 0.974; with VirusTotal's p 0.738 × 1 on top, 0.99.
  assert.ok(record.score > 0.985, `score ${record.score}`);
  assert.match(record.reasons.join('\n'), /at or above escalateAtOrAbove 0\.8/);
  assert.deepEqual(rig.posts.map((p) => p.conversationId), [socChannel]);
});

test('two instances sweeping the same pending alert: one decides it and posts the card', async (t) => {
  const rig = await enrichedRig(t, { enrichment: { virustotal: {} } });
  const six = ips(31, 32, 33, 34, 35, 36);
  for (const i of six) rig.vt.set('ip_addresses', i.value, { malicious: 60, harmless: 5, undetected: 5, lastAnalysisDate: 1772400000 });
  const alert = alertOn(six);
  await rig.receive(alert);
  rig.clock.now = new Date('2026-03-02T10:01:00Z');
  await Promise.all([rig.service.sweep(), rig.instance().sweep()]);
  assert.equal((await rig.store.get(alert.id))?.record.status, 'decided');
  assert.equal(rig.posts.length, 1);
  assert.equal(rig.decisions('escalate'), 1);
  assert.equal((await rig.outcomes.get(alert.ruleId, alert.id))?.history.filter((s) => s.actor === 'argus-triage').length, 1);
});

test('the triage feature sweeps pending alerts in the background (only with enrichment), and stops cleanly', async () => {
  let calls = 0;
  const intel: IntelPort = {
    async enrich(indicators) {
      calls += 1;
      const waiting = calls === 1 ? indicators.map((indicator) => ({ indicator, source: 'virustotal' as const, until: new Date(Date.now() - 1000).toISOString() })) : [];
      return { results: indicators.map((indicator) => ({ indicator, sources: malicious })), waiting, missing: [] };
    },
  };
  assert.deepEqual(triageRig().feature.background, [], 'no enrichment: nothing waits, no sweeper');
  const rig = triageRig({ intel, sweepIntervalMs: 10 });
  const alert = testAlert();
  assert.equal((await rig.receive(alert))?.status, 'pending-intel');
  const [sweeper] = rig.feature.background ?? [];
  sweeper!.start();
  for (let i = 0; i < 100 && (await rig.store.get(alert.id))?.record.status !== 'decided'; i++) await new Promise((r) => setTimeout(r, 10));
  await sweeper!.stop();
  assert.equal((await rig.store.get(alert.id))?.record.decision, 'escalate');
  assert.equal(rig.posts.length, 1);
});
