import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parseFileConfig } from '../../../src/config/load-config';
import { isArgusError } from '../../../src/errors/catalog';
import { loadQueryCatalog, parseQuery } from '../../../src/queries/catalog';
import { bindQuery } from '../../../src/queries/query-run';
import { newIncident } from '../cards/incident-fixtures';

const shipped = resolve(__dirname, '../../../queries');

const valid = `id: host-processes
title: Process events on {entity}
appliesTo: host
parameters:
  host: { from: hostName }
timespan: P1D
kql: DeviceProcessEvents | where DeviceName =~ host
`;

/** The error's details as "file: key — message" lines. */
function problems(text: string, file = 'bad.yaml'): string[] {
  try {
    parseQuery(text, file);
  } catch (err) {
    assert.ok(isArgusError(err, 'ARGUS_CONFIG_INVALID'), String(err));
    return err.details.map((d) => `${d.path} — ${d.message}`);
  }
  return [];
}

test('a definition parses with defaults: kind spelled as Sentinel does, string parameters, the responder role', () => {
  const q = parseQuery(valid, 'host-processes.yaml');
  assert.equal(q.definition.appliesTo, 'Host');
  assert.deepEqual(q.definition.parameters, { host: { from: 'hostName', type: 'string' } });
  assert.equal(q.definition.requiredRole, 'responder');
  assert.equal(q.timespanMs, 86_400_000);
});

test('a bad definition is refused, naming the file and the key', () => {
  const cases: Array<[string, RegExp]> = [
    [valid.replace('appliesTo: host', 'appliesTo: Laptop'), /bad\.yaml: appliesTo — 'Laptop' is not a Sentinel entity kind/],
    [valid.replace('timespan: P1D', 'timespan: 1 day'), /bad\.yaml: timespan — must be an ISO-8601 duration/],
    [valid.replace('timespan: P1D', 'timespan: P3Y'), /bad\.yaml: timespan/],
    [valid.replace('{ from: hostName }', '{ from: hostName, type: bool }'), /bad\.yaml: parameters\.host\.type/],
    [valid.replace('{ from: hostName }', '{ from: "host name" }'), /bad\.yaml: parameters\.host\.from/],
    [valid.replace('{ from: hostName }', '{ from: incident.title }'), /bad\.yaml: parameters\.host\.from — an incident field must be one of/],
    [valid.replace('  host: { from: hostName }', '  host: { from: hostName }\n  "1st": { from: hostName }'), /bad\.yaml: parameters\.1st — must be a KQL identifier/],
    [valid.replace('  host: { from: hostName }', '  host: { from: hostName }\n  domain: { from: dnsDomain }'), /bad\.yaml: parameters\.domain — 'domain' is not used in kql/],
    [`${valid}requiredRole: owner\n`, /bad\.yaml: requiredRole/],
    [`${valid}sql: SELECT 1\n`, /bad\.yaml — Unrecognized key: "sql"/],
    [valid.replace(/^kql:.*$/m, ''), /bad\.yaml: kql/],
    ['id: [unclosed', /bad\.yaml — /],
  ];
  for (const [text, expected] of cases) {
    const found = problems(text);
    assert.ok(found.some((p) => expected.test(p)), `${expected} in ${JSON.stringify(found)}`);
  }
});

test('a folder with two definitions of one id stops the start naming both files; a missing folder is an empty catalog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-queries-'));
  try {
    writeFileSync(join(dir, 'a.yaml'), valid);
    writeFileSync(join(dir, 'b.yml'), valid);
    assert.throws(() => loadQueryCatalog(dir), /b\.yml is invalid: id: 'host-processes' is already defined in a\.yaml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(loadQueryCatalog(join(tmpdir(), 'argus-no-such-queries-folder')).queries.length, 0);
});

test('the shipped catalog loads and covers Host, Account, Ip, Url and FileHash against the standard Sentinel tables', () => {
  const catalog = loadQueryCatalog(shipped);
  for (const kind of ['Host', 'Account', 'Ip', 'Url', 'FileHash']) assert.ok(catalog.forKind(kind).length >= 2, `${kind} has queries`);
  const text = catalog.queries.map((q) => q.definition.kql).join('\n');
  for (const table of ['SigninLogs', 'DeviceProcessEvents', 'DeviceNetworkEvents', 'CommonSecurityLog', 'DeviceFileEvents']) assert.match(text, new RegExp(`^${table}$`, 'm'), table);
  // Every shipped query binds to the matching entity of a real incident (the entity properties are Sentinel's).
  const incident = newIncident();
  for (const q of catalog.queries) {
    const entity = incident.entities.find((e) => e.kind === q.definition.appliesTo)!;
    const bound = bindQuery(q, entity, incident, 1000);
    assert.ok('text' in bound, `${q.definition.id}: ${'reason' in bound ? bound.reason : ''}`);
  }
});

test('the logAnalytics section: defaults, and errors that name the key', () => {
  const cfg = parseFileConfig('logAnalytics: { workspaceId: 7e2c4a10-3b5d-4f6e-8a9b-0c1d2e3f4a5b }');
  assert.deepEqual(cfg.logAnalytics, {
    workspaceId: '7e2c4a10-3b5d-4f6e-8a9b-0c1d2e3f4a5b',
    endpoint: 'https://api.loganalytics.io',
    scope: 'https://api.loganalytics.io/.default',
    queriesDir: './queries',
    timeout: 'PT1M',
    maxRows: 1000,
    adhocTimespan: 'P1D',
  });
  const bad: Array<[string, RegExp]> = [
    ['{ workspaceId: sentinel-ws }', /logAnalytics\.workspaceId: must be a GUID/],
    ['{ workspaceId: 7e2c4a10-3b5d-4f6e-8a9b-0c1d2e3f4a5b, endpoint: "http://api.loganalytics.io" }', /logAnalytics\.endpoint: must use https/],
    ['{ workspaceId: 7e2c4a10-3b5d-4f6e-8a9b-0c1d2e3f4a5b, timeout: PT11M }', /logAnalytics\.timeout: .*at most PT10M/],
    ['{ workspaceId: 7e2c4a10-3b5d-4f6e-8a9b-0c1d2e3f4a5b, maxRows: 0 }', /logAnalytics\.maxRows/],
    ['{ workspaceId: 7e2c4a10-3b5d-4f6e-8a9b-0c1d2e3f4a5b, workspaceName: soc }', /workspaceName/],
  ];
  for (const [section, expected] of bad) assert.throws(() => parseFileConfig(`logAnalytics: ${section}`), (err: unknown) => isArgusError(err) && expected.test(`${err.message} ${JSON.stringify(err.details)}`), section);
  assert.equal(parseFileConfig('logAnalytics: { workspaceId: 7e2c4a10-3b5d-4f6e-8a9b-0c1d2e3f4a5b, endpoint: "http://127.0.0.1:8080" }').logAnalytics?.endpoint, 'http://127.0.0.1:8080');
});
