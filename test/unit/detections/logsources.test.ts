import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogsourceConfig } from '../../../src/detections/logsource-config';
import { isArgusError } from '../../../src/errors/catalog';
import { compile } from './sigma-fixtures';

const processRule = `
title: Whoami
id: 11111111-2222-4333-8444-555555555555
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\\whoami.exe'
        ParentImage|endswith: '\\cmd.exe'
    condition: selection
level: low
`;

const sysmon = (eventId: number, data: Record<string, unknown>) => ({
  Event: { System: { EventID: eventId, Channel: 'Microsoft-Windows-Sysmon/Operational' }, EventData: data },
});

test('process_creation covers Sysmon 1 and Security 4688 (with its field names), nothing else', () => {
  const engine = compile(processRule, null);
  const sysmonHit = engine.evaluate(sysmon(1, { Image: 'C:\\Windows\\System32\\whoami.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe' }));
  assert.equal(sysmonHit.matches.length, 1);
  assert.equal(sysmonHit.matches[0]?.explanation.logsource, 'sysmon-process-creation');

  const security = {
    Event: {
      System: { EventID: 4688, Channel: 'Security' },
      EventData: { NewProcessName: 'C:\\Windows\\System32\\whoami.exe', ParentProcessName: 'C:\\Windows\\System32\\cmd.exe' },
    },
  };
  const secHit = engine.evaluate(security).matches[0];
  assert.equal(secHit?.explanation.logsource, 'security-process-creation');
  assert.deepEqual(
    secHit?.explanation.matches.map((m) => [m.field, m.eventField]),
    [
      ['Image', 'NewProcessName'],
      ['ParentImage', 'ParentProcessName'],
    ],
  );

  // Same fields, wrong event type: a Sysmon file event or another channel does not qualify.
  assert.equal(engine.evaluate(sysmon(11, { Image: 'C:\\x\\whoami.exe', ParentImage: 'C:\\x\\cmd.exe' })).matches.length, 0);
  assert.equal(engine.evaluate({ EventID: 1, Channel: 'Application', Image: 'C:\\whoami.exe', ParentImage: 'C:\\cmd.exe' }).matches.length, 0);
  // Flat events qualify by the same Channel and EventID fields.
  assert.equal(engine.evaluate({ EventID: '1', Channel: 'Microsoft-Windows-Sysmon/Operational', Image: 'C:\\whoami.exe', ParentImage: 'C:\\cmd.exe' }).matches.length, 1);
});

test('registry_add needs Sysmon 12 with EventType CreateKey (a residual condition)', () => {
  const engine = compile(
    `title: Key
logsource: {product: windows, category: registry_add}
detection:
    sel:
        TargetObject|contains: '\\Run'
    condition: sel
`,
    null,
  );
  assert.equal(engine.evaluate(sysmon(12, { EventType: 'CreateKey', TargetObject: 'HKU\\x\\Run' })).matches.length, 1);
  assert.equal(engine.evaluate(sysmon(12, { EventType: 'DeleteKey', TargetObject: 'HKU\\x\\Run' })).matches.length, 0);
});

test('a service rule follows its channel; product-only rules see every Windows event', () => {
  const engine = compile(
    `title: Explicit creds
logsource: {product: windows, service: security}
detection:
    sel:
        EventID: 4648
    condition: sel
---
title: Any windows
logsource: {product: windows}
detection:
    sel:
        Computer: host9
    condition: sel
`,
    null,
  );
  assert.equal(engine.evaluate({ Event: { System: { EventID: 4648, Channel: 'Security', Computer: 'h' } , EventData: {} } }).matches.length, 1);
  assert.equal(engine.evaluate({ EventID: 4648, Channel: 'System' }).matches.length, 0);
  assert.equal(engine.evaluate({ EventID: 7, Channel: 'Whatever', Computer: 'HOST9' }).matches.length, 1);
  assert.equal(engine.evaluate({ Computer: 'host9' }).matches.length, 0, 'not a Windows event record');
});

test('rules with no mapping run on every event with a warning, or are refused when configured so', () => {
  const text = `title: Linux
logsource: {product: linux, service: auth}
detection:
    keywords: ['Accepted password']
    condition: keywords
`;
  const lenient = compile(text, null);
  assert.match(lenient.warnings[0] ?? '', /no logsource mapping covers product=linux, service=auth/);
  assert.equal(lenient.evaluate({ message: 'sshd: Accepted password for root' }).matches.length, 1);
  const config = parseLogsourceConfig('logsources: []\nunmapped: error\n', 'logsources.yml');
  assert.throws(() => compile(text, config), /no logsource mapping covers/);
});

test('custom mappings add sources with their own conditions and field names', () => {
  const config = parseLogsourceConfig(
    `logsources:
  - name: linux-auth
    logsource: { product: linux, service: auth }
    conditions: { source: auth.log }
    fieldMappings: { CommandLine: cmd }
`,
    'logsources.yml',
  );
  const engine = compile(
    `title: Sudo
logsource: {product: linux, service: auth}
detection:
    sel:
        CommandLine|contains: 'sudo su'
    condition: sel
`,
    config,
  );
  assert.equal(engine.warnings.length, 0);
  assert.equal(engine.evaluate({ source: 'auth.log', cmd: 'sudo su -' }).matches.length, 1);
  assert.equal(engine.evaluate({ source: 'syslog', cmd: 'sudo su -' }).matches.length, 0);
});

test('a malformed mapping file is refused naming the key', () => {
  assert.throws(
    () => parseLogsourceConfig('logsources:\n  - name: x\n    logsource: {}\n    bogus: 1\n', 'logsources.yml'),
    (err: unknown) => isArgusError(err, 'ARGUS_CONFIG_INVALID') && /logsources\[0\]/.test(err.message),
  );
});
