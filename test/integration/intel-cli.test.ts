import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { startFakeAbuseIpdb, type FakeAbuseIpdb } from '../helpers/fake-abuseipdb';
import { startFakeVirusTotal, type FakeVirusTotal } from '../helpers/fake-virustotal';
import { runCliHere } from '../helpers/run-cli';

let azurite: TestAzurite;
let vt: FakeVirusTotal;
let abuse: FakeAbuseIpdb;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'argus-intel-cli-'));

before(async () => {
  [azurite, vt, abuse] = await Promise.all([startAzurite(), startFakeVirusTotal(), startFakeAbuseIpdb()]);
  const config = join(dir, 'argus.config.yaml');
  writeFileSync(
    config,
    [
      'enrichment:',
      `  virustotal: { apiUrl: "${vt.apiUrl}", quota: { perMinute: 50, perDay: 2 } }`,
      `  abuseipdb: { apiUrl: "${abuse.apiUrl}" }`,
      'triage:',
      '  allow: { domains: [corp-allowed.com] }',
      '',
    ].join('\n'),
  );
  env = { ...azurite.env, ARGUS_CONFIG: config, ARGUS_SECRET_VIRUSTOTAL_API_KEY: vt.apiKey, ARGUS_SECRET_ABUSEIPDB_API_KEY: abuse.apiKey };
  for (const n of [1, 2, 3]) vt.set('ip_addresses', `185.220.101.${n}`, { malicious: 40, harmless: 30, lastAnalysisDate: 1772400000 });
  abuse.set('185.220.101.1', { abuseConfidenceScore: 90, totalReports: 40, numDistinctUsers: 12 });
});
after(async () => {
  await Promise.all([azurite.stop(), vt.close(), abuse.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function argus(...args: string[]) {
  return runCliHere(args, { env, cwd: dir });
}

const nextMidnight = () => new Date((Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000).toISOString();

test('argus intel quota --json: each configured source with its minute and day left, queued and available', async () => {
  const { code, out, err } = await argus('intel', 'quota', '--json');
  assert.equal(code, 0, err);
  assert.deepEqual(JSON.parse(out), [
    { source: 'virustotal', perMinute: { limit: 50, remaining: 50 }, perDay: { limit: 2, remaining: 2, resetsAt: nextMidnight() }, queued: 0, available: true },
    { source: 'abuseipdb', perDay: { limit: 1000, remaining: 1000, resetsAt: nextMidnight() }, queued: 0, available: true },
  ]);
});

test('argus intel lookup asks each source once, then answers from the cache; over quota it waits', async () => {
  const first = await argus('intel', 'lookup', '185.220.101.1', '--json');
  assert.equal(first.code, 0, first.err);
  const looked = JSON.parse(first.out);
  assert.deepEqual(looked.indicator, { type: 'ip', value: '185.220.101.1' });
  assert.deepEqual(looked.sources.map((s: { source: string; verdict: string; cached?: boolean }) => [s.source, s.verdict, s.cached ?? false]), [
    ['virustotal', 'malicious', false],
    ['abuseipdb', 'malicious', false],
  ]);
  const again = JSON.parse((await argus('intel', 'lookup', '185.220.101.1', '--json')).out);
  assert.deepEqual(again.sources.map((s: { cached?: boolean }) => s.cached), [true, true]);
  assert.deepEqual([vt.requests.length, abuse.requests.length], [1, 1]);

  assert.equal((await argus('intel', 'lookup', '185.220.101.2')).code, 0);
  const over = await argus('intel', 'lookup', '185.220.101.3');
  assert.equal(over.code, 0, over.err);
  assert.match(over.out, new RegExp(`virustotal +waiting until ${nextMidnight().replace(/\./g, '\\.')} \\(the day's quota is spent\\)`));
  assert.match(over.out, /abuseipdb +unknown: nobody reported it to AbuseIPDB/);
  assert.equal(vt.requests.length, 2);

  const quota = await argus('intel', 'quota');
  assert.match(quota.out, /^virustotal +\d+\/50 this minute, 0\/2 today \(resets .*\), available$/m);
  assert.match(quota.out, /^abuseipdb +997\/1000 today/m);
});

test('argus intel lookup: private addresses are skipped and allow-listed names not looked up', async () => {
  const before = vt.requests.length + abuse.requests.length;
  const skipped = JSON.parse((await argus('intel', 'lookup', '10.1.2.3', '--json')).out);
  assert.deepEqual(skipped.sources.map((s: { verdict: string }) => s.verdict), ['skipped', 'skipped']);
  const allowed = await argus('intel', 'lookup', 'Login.Corp-Allowed.com');
  assert.match(allowed.out, /^domain login\.corp-allowed\.com: allow-listed by triage\.allow\.domains corp-allowed\.com, not looked up$/m);
  assert.equal(vt.requests.length + abuse.requests.length, before);
});

test('argus intel: usage errors, and the command is in argus help', async () => {
  assert.equal((await argus('intel')).code, 2);
  const none = await argus('intel', 'lookup');
  assert.equal(none.code, 1);
  assert.match(none.err, /name one indicator\nusage: argus intel quota/);
  assert.match((await argus('intel', 'lookup', 'x', '--type', 'ipv4')).err, /--type must be one of ip, domain/);
  assert.match((await argus('help')).out, /^ {2}intel +Intel source quotas/m);
});
