import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSendPolicy, parseNeverSendEntry, specialRanges, type RangeClass } from '../../../src/enrichment/send-policy';
import type { Indicator } from '../../../src/triage/types';
import { abuseIpdbOnFake, virusTotalOnFake } from './intel-setup';

/** An address of every class of range that names no one on the internet, IPv4 and IPv6. */
const neverOut: Array<[address: string, kind: RangeClass]> = [
  ['0.0.0.0', 'unspecified'],
  ['10.20.30.40', 'private'],
  ['172.31.255.1', 'private'],
  ['192.168.1.10', 'private'],
  ['127.0.0.1', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['100.64.0.1', 'CGNAT'],
  ['100.127.255.254', 'CGNAT'],
  ['224.0.0.251', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['192.0.2.10', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.99', 'documentation'],
  ['198.18.0.1', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fe80::1', 'link-local'],
  ['fd12:3456:789a::1', 'private'],
  ['ff02::fb', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['100::1', 'reserved'],
];

test('every class of private and reserved range is never sent, IPv4 and IPv6, naming the class and range', () => {
  const policy = createSendPolicy();
  for (const [address, kind] of neverOut) assert.match(policy({ type: 'ip', value: address }) ?? 'sent', new RegExp(`is a ${kind} address \\(`), address);
  assert.deepEqual([...new Set(neverOut.map(([, kind]) => kind))].sort(), [...new Set(specialRanges.map(([, kind]) => kind))].sort(), 'every class is tried');
  for (const publicAddress of ['185.220.101.47', '100.128.0.1', '172.32.0.1', '8.8.8.8', '2a01:4f8::1', '2606:4700::1111'])
    assert.equal(policy({ type: 'ip', value: publicAddress }), undefined, publicAddress);
});

test('an IPv4-mapped or differently spelled private address is still private', () => {
  const policy = createSendPolicy();
  assert.match(policy({ type: 'ip', value: '::ffff:10.1.2.3' }) ?? 'sent', /10\.1\.2\.3 is a private address/);
  assert.match(policy({ type: 'ip', value: 'FE80:0:0:0:0:0:0:1' }) ?? 'sent', /link-local/);
  assert.match(policy({ type: 'url', value: 'http://0x7f.1/admin' }) ?? 'sent', /127\.0\.0\.1 is a loopback address/);
});

test('neverSend: a network matches its addresses; a domain matches itself and its subdomains, not look-alikes', () => {
  const policy = createSendPolicy(['81.2.69.0/24', '2a01:4f8:c010::/48', 'corp.contoso.com']);
  assert.match(policy({ type: 'ip', value: '81.2.69.160' }) ?? 'sent', /81\.2\.69\.160 is in enrichment\.neverSend \(81\.2\.69\.0\/24\)/);
  assert.match(policy({ type: 'ip', value: '2a01:4f8:c010::5' }) ?? 'sent', /neverSend \(2a01:4f8:c010::\/48\)/);
  assert.equal(policy({ type: 'ip', value: '81.2.70.1' }), undefined);
  assert.match(policy({ type: 'domain', value: 'corp.contoso.com' }) ?? 'sent', /neverSend \(corp\.contoso\.com\)/);
  assert.match(policy({ type: 'domain', value: 'fs01.eu.corp.contoso.com' }) ?? 'sent', /neverSend/);
  assert.match(policy({ type: 'url', value: 'https://intranet.corp.contoso.com/payroll' }) ?? 'sent', /^the URL's host .*neverSend/);
  assert.equal(policy({ type: 'domain', value: 'notcorp.contoso.com' }), undefined);
  assert.equal(policy({ type: 'domain', value: 'contoso.com' }), undefined);
});

test('reserved names (localhost, .local, .internal, example.com…) and single-label URL hosts are never sent', () => {
  const policy = createSendPolicy();
  for (const name of ['localhost', 'printer.local', 'db.internal', 'router.home.arpa', 'www.example.com', 'x.test'])
    assert.match(policy({ type: 'domain', value: name }) ?? 'sent', /reserved domain|single-label/, name);
  assert.match(policy({ type: 'url', value: 'http://fileserver/share/x.exe' }) ?? 'sent', /single-label/);
  assert.equal(policy({ type: 'sha256', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856' }), undefined, 'hashes name no place');
});

test('a neverSend entry must be an address, a network or a domain', () => {
  assert.equal(parseNeverSendEntry('203.0.113.0/24').kind, 'network');
  assert.equal(parseNeverSendEntry('2001:db8::/32').kind, 'network');
  assert.equal(parseNeverSendEntry('Corp.Example.com').kind, 'domain');
  for (const bad of ['10.0.0.0/33', 'not a domain', 'http://x.com/']) assert.equal(parseNeverSendEntry(bad).kind, 'invalid', bad);
});

test('what must not be sent never reaches VirusTotal or AbuseIPDB: skipped with the reason, no request made', async (t) => {
  const neverSend = ['81.2.69.0/24', 'corp.contoso.com'];
  const vt = await virusTotalOnFake(t, { neverSend });
  const abuse = await abuseIpdbOnFake(t, { neverSend });
  const indicators: Indicator[] = [
    ...neverOut.map(([value]): Indicator => ({ type: 'ip', value })),
    { type: 'ip', value: '81.2.69.160' },
    { type: 'domain', value: 'fs01.corp.contoso.com' },
    { type: 'url', value: 'http://10.0.0.5:8080/payload.ps1' },
    { type: 'url', value: 'https://vpn.corp.contoso.com/login' },
    { type: 'domain', value: 'printer.local' },
  ];
  for (const indicator of indicators)
    for (const source of [vt.source, abuse.source]) {
      const result = await source.lookup(indicator);
      assert.equal(result.verdict, 'skipped', `${source.name} ${indicator.value}`);
      assert.ok(result.reason, 'with a reason');
    }
  assert.deepEqual(vt.fake.requests, []);
  assert.deepEqual(abuse.fake.requests, []);
  // And what may be sent is: the gate is not simply closed.
  await vt.source.lookup({ type: 'ip', value: '81.2.70.1' });
  assert.equal(vt.fake.requests.length, 1);
});
