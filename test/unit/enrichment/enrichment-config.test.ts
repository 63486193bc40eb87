import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFileConfig } from '../../../src/config/load-config';
import { isArgusError } from '../../../src/errors/catalog';

/** The paths (and messages) of what is wrong in `yaml`, which must be refused. */
function problems(yaml: string): Array<{ path: string; message: string }> {
  try {
    parseFileConfig(yaml);
  } catch (err) {
    assert.ok(isArgusError(err, 'ARGUS_CONFIG_INVALID'), String(err));
    return err.details.map((d) => ({ path: d.path ?? '', message: d.message }));
  }
  return assert.fail('expected a config error');
}

test('absent, there is no enrichment section: no lookups', () => {
  assert.equal(parseFileConfig('').enrichment, undefined);
});

test('the defaults are those of ARCHITECTURE §8 (the free tiers)', () => {
  const { enrichment } = parseFileConfig('enrichment:\n  virustotal: {}\n  abuseipdb: {}\n');
  assert.deepEqual(enrichment, {
    virustotal: { apiUrl: 'https://www.virustotal.com/api/v3', weight: 1, quota: { perMinute: 4, perDay: 500 } },
    abuseipdb: { apiUrl: 'https://api.abuseipdb.com/api/v2', weight: 0.8, quota: { perDay: 1000 }, maxAgeInDays: 90 },
    cache: { malicious: 'P7D', clean: 'P1D', unknown: 'PT6H' },
    neverSend: [],
    maxWait: 'PT10M',
  });
});

test('the section as §8 writes it is valid, and a source left out is not used', () => {
  const { enrichment } = parseFileConfig(`
enrichment:
  virustotal: { apiUrl: https://www.virustotal.com/api/v3, weight: 1.0, quota: { perMinute: 4, perDay: 500 } }
  abuseipdb:  { apiUrl: https://api.abuseipdb.com/api/v2, weight: 0.8, quota: { perDay: 1000 }, maxAgeInDays: 90 }
  cache: { malicious: P7D, clean: P1D, unknown: PT6H }
  neverSend: [ 203.0.113.0/24, corp.example.com ]
  maxWait: PT10M
`);
  assert.deepEqual(enrichment?.neverSend, ['203.0.113.0/24', 'corp.example.com']);
  assert.equal(parseFileConfig('enrichment: { abuseipdb: { apiUrl: "http://127.0.0.1:8080/api/v2" } }').enrichment?.virustotal, undefined);
});

test('errors name the key', () => {
  const cases: Array<[yaml: string, path: string, message: RegExp]> = [
    ['enrichment: { virustotal: {}, neverSend: [corp.example.com, "10.0.0.0/33"] }', 'enrichment.neverSend[1]', /IP address, a CIDR network .* or a domain/],
    ['enrichment: { virustotal: {}, cache: { clean: 1 day } }', 'enrichment.cache.clean', /ISO-8601 duration/],
    ['enrichment: { virustotal: {}, maxWait: PT0S }', 'enrichment.maxWait', /above zero/],
    ['enrichment: { abuseipdb: { maxAgeInDays: 400 } }', 'enrichment.abuseipdb.maxAgeInDays', /365/],
    ['enrichment: { virustotal: { quota: { perMinute: 4 } } }', 'enrichment.virustotal.quota.perDay', /./],
    ['enrichment: { virustotal: { apikey: x } }', 'enrichment.virustotal', /apikey/],
    ['enrichment: { virustotal: { apiUrl: "http://vt.example.net/api/v3" } }', 'enrichment.virustotal.apiUrl', /https/],
    ['enrichment: { virustotal: { weight: -1 } }', 'enrichment.virustotal.weight', /./],
    ['enrichment: { cache: { malicious: P7D } }', 'enrichment.virustotal', /at least one source/],
  ];
  for (const [yaml, path, message] of cases) {
    const found = problems(yaml).find((p) => p.path === path);
    assert.ok(found, `${yaml}: expected a problem at ${path}, got ${JSON.stringify(problems(yaml))}`);
    assert.match(found.message, message, yaml);
  }
});
