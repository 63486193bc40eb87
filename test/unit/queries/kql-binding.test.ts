import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Incident, IncidentEntity } from '../../../src/incidents/incident';
import { BindingError, bindParameters, composeQuery, kqlDatetime, kqlInt, kqlString } from '../../../src/queries/kql-binding';
import { newIncident } from '../cards/incident-fixtures';

/** Reads a double-quoted KQL string literal back the way Kusto does (\\, \", \t, \n), or undefined when it is not one whole literal. */
function readKqlString(literal: string): string | undefined {
  const m = /^"((?:[^"\\\n]|\\[\\"tn])*)"$/.exec(literal);
  if (!m) return undefined;
  return m[1]!.replace(/\\([\\"tn])/g, (_, c: string) => ({ '\\': '\\', '"': '"', t: '\t', n: '\n' })[c]!);
}

const hostile = [
  'FIN-WS-042',
  'x"; DeviceProcessEvents | take 100000 //',
  'a\\"; union * //',
  'trailing backslash\\',
  "single ' quote and \"double\"",
  'line one\nline two\tand a tab',
  '} | evaluate bag_unpack(x) ; let y = "',
  'ünïcødé ✓ 𝔘',
];

test('a string parameter becomes one KQL string literal that reads back as exactly the value', () => {
  for (const value of hostile) {
    const literal = kqlString(value);
    assert.equal(readKqlString(literal), value, `${JSON.stringify(value)} → ${literal}`);
    assert.doesNotMatch(literal, /\n/, 'no raw line break ends the statement early');
  }
});

test('values a literal cannot carry safely are refused, naming the parameter', () => {
  for (const value of ['nul\u0000byte', 'carriage\rreturn', 'escape\u001b[31m', 'line\u2028separator', 'x'.repeat(5000)])
    assert.throws(() => kqlString(value, 'host'), (err: unknown) => err instanceof BindingError && err.parameter === 'host');
});

test('datetime and int parameters are checked and re-written from their parsed value', () => {
  assert.equal(kqlDatetime('2024-05-01T10:00:00Z'), 'datetime(2024-05-01T10:00:00.000Z)');
  assert.equal(kqlDatetime('2024-05-01T12:00:00.1234567+02:00'), 'datetime(2024-05-01T10:00:00.123Z)');
  for (const bad of ['2024-05-01', '2024-05-01T10:00:00', 'now()', '2024-05-01T10:00:00Z) | union *', 42, null])
    assert.throws(() => kqlDatetime(bad, 'since'), BindingError, String(bad));
  assert.equal(kqlInt(48213), 'int(48213)');
  assert.equal(kqlInt(' -7 '), 'int(-7)');
  for (const bad of ['1; union *', '1.5', 2 ** 31, Number.NaN, '99999999999', true]) assert.throws(() => kqlInt(bad, 'n'), BindingError, String(bad));
});

function hostEntity(hostName: unknown): IncidentEntity {
  return { kind: 'Host', id: 'h1', displayName: String(hostName), properties: { HostName: hostName, dnsDomain: 'corp.contoso.com' } };
}

test('parameters are bound from entity properties (ignoring case) and incident fields, as let statements in order', () => {
  const incident: Incident = { ...newIncident(), firstActivityTimeUtc: '2024-05-01T08:00:00Z' };
  const bound = bindParameters(
    { parameters: { host: { from: 'hostName', type: 'string' }, since: { from: 'incident.firstActivityTimeUtc', type: 'datetime' }, n: { from: 'incident.number', type: 'int' } } },
    hostEntity('x"; union *'),
    incident,
  );
  assert.deepEqual(bound.lets, ['let host = "x\\"; union *";', 'let since = datetime(2024-05-01T08:00:00.000Z);', `let n = int(${incident.number});`]);
  assert.deepEqual(bound.values, { host: 'x"; union *', since: '2024-05-01T08:00:00Z', n: String(incident.number) });
});

test('a missing, empty or non-text value is a BindingError naming the parameter', () => {
  const incident = newIncident();
  const q = { parameters: { host: { from: 'netBiosName', type: 'string' as const } } };
  assert.throws(() => bindParameters(q, hostEntity('A'), incident), /has no netBiosName for host/);
  assert.throws(() => bindParameters({ parameters: { host: { from: 'hostName', type: 'string' } } }, hostEntity(''), incident), BindingError);
  assert.throws(() => bindParameters({ parameters: { host: { from: 'hostName', type: 'string' } } }, hostEntity({ nested: true }), incident), /host is not text/);
});

test('the query sent is the lets, the query without trailing semicolons, and a take one above the row cap', () => {
  assert.equal(composeQuery(['let host = "A";'], 'DeviceProcessEvents\n| where DeviceName =~ host;\n  ', 1000), 'let host = "A";\nDeviceProcessEvents\n| where DeviceName =~ host\n| take 1001');
  assert.equal(composeQuery([], 'T // note', 5), 'T // note\n| take 6');
});
