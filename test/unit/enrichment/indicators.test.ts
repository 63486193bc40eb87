import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { cappedEvent } from '../../../src/detections/alert';
import { flattenEvent } from '../../../src/detections/flatten-event';
import { alertIndicators, collectIndicators, maxIndicatorsPerAlert, normaliseDomain, normaliseIp, normaliseUrl } from '../../../src/enrichment/indicators';
import { sharedDir } from '../../helpers/shared';

test('IPs: IPv6 compressed in lower case, IPv4-mapped IPv6 as IPv4, brackets and zone ids dropped', () => {
  assert.deepEqual(normaliseIp('2001:0DB8:0000:0000:0000:ff00:0042:8329'), { ok: true, value: '2001:db8::ff00:42:8329' });
  assert.deepEqual(normaliseIp('[2a01:4f8:0:0:0:0:0:1]'), { ok: true, value: '2a01:4f8::1' });
  assert.deepEqual(normaliseIp('fe80::1%eth0'), { ok: true, value: 'fe80::1' });
  assert.deepEqual(normaliseIp('::ffff:45.155.205.233'), { ok: true, value: '45.155.205.233' });
  assert.deepEqual(normaliseIp(' 45.155.205.233 '), { ok: true, value: '45.155.205.233' });
  for (const bad of ['999.1.1.1', '010.1.1.1', '1.2.3', 'not-an-ip', '1::2::3']) assert.equal(normaliseIp(bad).ok, false, bad);
});

test('domains in lower case without the trailing dot, IDNs in punycode; IPs, single labels and numbers are no domains', () => {
  assert.deepEqual(normaliseDomain('Malware-Drop.XYZ.'), { ok: true, value: 'malware-drop.xyz' });
  assert.deepEqual(normaliseDomain('bücher.example'), { ok: true, value: 'xn--bcher-kva.example' });
  assert.match(JSON.stringify(normaliseDomain('10.1.2.3')), /is an IP address/);
  assert.match(JSON.stringify(normaliseDomain('FILESRV-02')), /single-label/);
  assert.match(JSON.stringify(normaliseDomain('1.2.3')), /last label is a number/);
  assert.equal(normaliseDomain('-bad-.example.com').ok, false);
  for (const bad of ['malware-drop.xyz/path', 'a b.example.com', 'user@malware-drop.xyz', 'malware-drop.xyz:443']) assert.equal(normaliseDomain(bad).ok, false, bad);
  assert.equal(normaliseDomain(`${'a'.repeat(64)}.com`).ok, false);
});

test('URLs: scheme and host in lower case, credentials and fragment removed; other schemes refused', () => {
  assert.deepEqual(normaliseUrl('HTTPS://user:secret@Dl.Malware-Drop.XYZ:443/a/b?x=1#top'), { ok: true, value: 'https://dl.malware-drop.xyz/a/b?x=1' });
  assert.deepEqual(normaliseUrl('http://0x7f.1/x'), { ok: true, value: 'http://127.0.0.1/x' }, 'an obfuscated address is read as the address it is');
  assert.match(JSON.stringify(normaliseUrl('javascript:alert(1)')), /only http, https and ftp/);
  assert.match(JSON.stringify(normaliseUrl('not a url')), /is not a URL/);
});

test('an alert\'s own indicators list is normalised, deduplicated and validated, each bad value with its reason', () => {
  const set = alertIndicators({
    indicators: [
      { type: 'sha256', value: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B856' },
      { type: 'sha256', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856' },
      { type: 'ip', value: '2001:db8:0:0::1' },
      { type: 'ip', value: '2001:DB8::1' },
      { type: 'md5', value: 'abc' },
      { type: 'md5', value: '00000000000000000000000000000000' },
      { type: 'ipv4', value: '1.2.3.4' },
      { type: 'domain', value: 'Malware-Drop.xyz' },
    ],
    event: { DestinationIp: '45.155.205.233' },
  });
  assert.deepEqual(set.indicators, [
    { type: 'sha256', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856' },
    { type: 'ip', value: '2001:db8::1' },
    { type: 'domain', value: 'malware-drop.xyz' },
  ]);
  assert.deepEqual(
    set.rejected.map((r) => r.reason),
    ['"abc" is not a valid MD5 hash (32 hexadecimal characters)', '"00000000000000000000000000000000" is all zeros, a placeholder rather than a hash', 'unknown indicator type "ipv4" (one of ip, domain, url, sha256, sha1, md5)'],
  );
});

test('from a real Sysmon process creation: MD5 and SHA256 of Hashes (IMPHASH is no indicator) and the URL on the command line', () => {
  const raw = JSON.parse(readFileSync(resolve(sharedDir, 'sigma/cases/proc_creation_win_bitsadmin_download_direct_ip/events.json'), 'utf8')) as Record<string, unknown>;
  const set = alertIndicators({ event: cappedEvent(flattenEvent(raw)) });
  assert.deepEqual(set.indicators, [
    { type: 'url', value: 'https://12.34.45.67/calc.dll' },
    { type: 'md5', value: '4fcfe1d61e6d962f06ce2b61fc11bc0f' },
    { type: 'sha256', value: '6feb16602a2fd1158c6f7e56e3b05a5e9ac01e88089535978c890ec6954a5afa' },
  ]);
  assert.deepEqual(set.rejected, []);
});

test('from Sysmon network and DNS events: address and host fields, - ignored, a bad value rejected with its field', () => {
  const network = {
    EventID: 3,
    Image: 'C:\\Users\\Public\\svch0st.exe',
    Protocol: 'tcp',
    Initiated: 'true',
    SourceIsIpv6: 'false',
    SourceIp: '10.20.30.40',
    SourceHostname: 'WKS-0042.corp.example.com',
    SourcePort: 49852,
    DestinationIsIpv6: 'false',
    DestinationIp: '185.220.101.47',
    DestinationHostname: 'tor-exit.example-relay.net',
    DestinationPort: 443,
  };
  assert.deepEqual(alertIndicators({ event: network }).indicators, [
    { type: 'ip', value: '10.20.30.40' },
    { type: 'ip', value: '185.220.101.47' },
    { type: 'domain', value: 'tor-exit.example-relay.net' },
  ]);
  const dns = { EventID: 22, QueryName: 'C2.Malware-Drop.xyz', QueryStatus: '0', QueryResults: 'type:  5 cdn.malware-drop.xyz;::ffff:45.155.205.233;', Image: '-' };
  assert.deepEqual(alertIndicators({ event: dns }).indicators, [{ type: 'domain', value: 'c2.malware-drop.xyz' }]);
  const logon = { EventID: 4624, IpAddress: '-', IpPort: '-', WorkstationName: 'WKS-0042' };
  assert.deepEqual(alertIndicators({ event: logon }), { indicators: [], rejected: [] });
  const bad = alertIndicators({ event: { DestinationIp: '300.1.1.1', 'file.hash.sha1': 'A94A8FE5CCB19BA61C4C0873D391E987982FBBD3' } });
  assert.deepEqual(bad.indicators, [{ type: 'sha1', value: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3' }]);
  assert.deepEqual(bad.rejected, [{ type: 'ip', value: '300.1.1.1', field: 'DestinationIp', reason: 'DestinationIp: "300.1.1.1" is not an IP address' }]);
});

test('an alert carrying an indicators list is not also read for event fields; an empty list means none', () => {
  assert.deepEqual(alertIndicators({ indicators: [], event: { DestinationIp: '185.220.101.47' } }).indicators, []);
});

test(`at most ${maxIndicatorsPerAlert} indicators are kept; the rest are rejected as too many`, () => {
  const many = Array.from({ length: maxIndicatorsPerAlert + 3 }, (_, i) => ({ type: 'ip', value: `81.2.${Math.floor(i / 200)}.${i % 200}` }));
  const set = collectIndicators(many);
  assert.equal(set.indicators.length, maxIndicatorsPerAlert);
  assert.equal(set.rejected.length, 3);
  assert.match(set.rejected[0]?.reason ?? '', /more than 50 indicators/);
});
