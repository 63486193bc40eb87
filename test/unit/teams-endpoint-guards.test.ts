import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFileConfig } from '../../src/config/load-config';
import { isArgusError } from '../../src/errors/catalog';
import { isLoopbackAddress, isLoopbackHostHeader } from '../../src/net/loopback';
import { createServiceUrlPolicy } from '../../src/teams/service-url-policy';

describe('loopback names and addresses', () => {
  test('Host headers: localhost, 127.x.x.x and [::1] with or without a port; nothing else', () => {
    for (const host of ['localhost', 'localhost:3978', 'LocalHost:1', '127.0.0.1', '127.255.0.9:80', '[::1]', '[::1]:3978'])
      assert.equal(isLoopbackHostHeader(host), true, host);
    for (const host of [undefined, '', 'localhost.example.com', 'evil.localhost.example', '127.0.0.1.nip.io', '127.0.0.256', '128.0.0.1', '0.0.0.0', '[::2]', '::1', 'localhost:80:80', '[::1]x'])
      assert.equal(isLoopbackHostHeader(host), false, String(host));
  });

  test('peer addresses: IPv4, IPv6 and IPv4-mapped loopback only', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(a), true, a);
    for (const a of [undefined, '10.0.0.1', '::ffff:10.0.0.1', 'fd00::2', '192.0.2.2']) assert.equal(isLoopbackAddress(a), false, String(a));
  });
});

describe('serviceUrl allow-list', () => {
  const policy = createServiceUrlPolicy({ hosts: ['smba.trafficmanager.net', '127.0.0.1'], enforce: true });

  test('only https to a listed host (plain http only to a listed loopback address)', () => {
    for (const url of ['https://smba.trafficmanager.net/amer/', 'https://SMBA.trafficmanager.net/teams/', 'http://127.0.0.1:4000/']) assert.equal(policy.allows(url), true, url);
    for (const url of [
      undefined,
      'not a url',
      'http://smba.trafficmanager.net/amer/',
      'https://smba.trafficmanager.net.attacker.example/',
      'https://attacker.example/smba.trafficmanager.net/',
      'https://user:pw@smba.trafficmanager.net/',
      'https://webchat.botframework.com/',
      'http://localhost:4000/',
    ])
      assert.equal(policy.allows(url), false, String(url));
  });

  test('a refusal is ARGUS_SERVICE_URL_NOT_ALLOWED naming the host; dev mode enforces nothing', () => {
    assert.throws(
      () => policy.assert('https://attacker.example/', 'test'),
      (err: unknown) => isArgusError(err, 'ARGUS_SERVICE_URL_NOT_ALLOWED') && err.status === 403 && /attacker\.example/.test(err.message),
    );
    assert.equal(createServiceUrlPolicy({ hosts: ['smba.trafficmanager.net'], enforce: false }).allows('http://localhost:56150/'), true);
  });
});

describe('config: teams', () => {
  test('defaults: 256 KiB activities, the Teams public and government Bot Connector hosts, the public key metadata', () => {
    const { teams } = parseFileConfig('');
    assert.equal(teams.maxBodyBytes, 256 * 1024);
    assert.deepEqual(teams.serviceUrlHosts, ['smba.trafficmanager.net', 'smba.infra.gcc.teams.microsoft.com', 'smba.infra.gov.teams.microsoft.us', 'smba.infra.dod.teams.microsoft.us']);
    assert.equal(teams.openIdMetadataUrl, 'https://login.botframework.com/v1/.well-known/openidconfiguration');
  });

  test('values are read, host names lower-cased; bad values and unknown keys name the key', () => {
    const { teams } = parseFileConfig('teams: { maxBodyBytes: 65536, serviceUrlHosts: [SMBA.Example.net] }');
    assert.equal(teams.maxBodyBytes, 65536);
    assert.deepEqual(teams.serviceUrlHosts, ['smba.example.net']);
    for (const [yaml, path] of [
      ['teams: { maxBodyBytes: 100 }', 'teams.maxBodyBytes'],
      ['teams: { serviceUrlHosts: ["https://smba.trafficmanager.net/"] }', 'teams.serviceUrlHosts[0]'],
      ['teams: { serviceUrlHosts: [] }', 'teams.serviceUrlHosts'],
      ['teams: { bodyLimit: 1 }', 'teams'],
    ]) {
      assert.throws(
        () => parseFileConfig(yaml!),
        (err: unknown) => isArgusError(err, 'ARGUS_CONFIG_INVALID') && err.details.some((d) => d.path === path),
        yaml,
      );
    }
  });
});
