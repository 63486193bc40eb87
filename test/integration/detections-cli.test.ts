import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, test } from 'node:test';
import type { CliIO } from '../../src/cli/command';
import { runCli } from '../../src/cli/main';
import { detectionAlertSchema } from '../../src/detections/alert';

const repo = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'argus-detect-'));
after(() => rmSync(work, { recursive: true, force: true }));

function capture(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return () => text;
}

async function argus(args: string[], options: { cwd?: string; stdin?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = capture(stdout);
  const err = capture(stderr);
  const io: CliIO = { stdout, stderr, stdin: Readable.from([options.stdin ?? '']), env: {}, cwd: options.cwd ?? repo };
  const code = await runCli(args, io);
  return { code, stdout: out(), stderr: err() };
}

const rule = (detection: string) => `title: Whoami run
id: 0a9d7c1e-5b7e-4a51-9d7e-0c1d2e3f4a5b
level: low
tags: [attack.discovery, attack.t1033]
logsource: {category: process_creation, product: windows}
detection:
${detection}
`;
const whoami = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all' };

test('detect test runs the shipped rules’ tests and prints a passing table', async () => {
  const r = await argus(['detect', 'test']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^RESULT\s+RULE\s+TEST\s+EXPECTED\s+ACTUAL/m);
  for (const name of ['powershell_encoded_command', 'office_spawns_shell', 'certutil_remote_download', 'lsass_memory_read', 'service_user_writable_path'])
    assert.match(r.stdout, new RegExp(`PASS\\s+\\S*${name}`));
  assert.match(r.stdout, /\d+ passed, 0 failed/);
});

test('detect test fails on a wrong expectation, a rule without tests, tests without a rule and an unusable rule', async () => {
  const dir = join(work, 'rules-failing');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'whoami.yml'), rule("    sel:\n        Image|endswith: '\\whoami.exe'\n    condition: sel"));
  writeFileSync(
    join(dir, 'whoami.tests.yml'),
    `tests:\n  - name: should be silent but is not\n    expect: no-match\n    events:\n      - ${JSON.stringify(whoami)}\n  - name: fires\n    expect: match\n    matches: 1\n    events:\n      - ${JSON.stringify(whoami)}\n`,
  );
  writeFileSync(join(dir, 'untested.yml'), rule("    sel:\n        Image|endswith: '\\net.exe'\n    condition: sel"));
  writeFileSync(join(dir, 'orphan.tests.yml'), 'tests:\n  - name: x\n    expect: no-match\n    events: [{a: 1}]\n');
  writeFileSync(join(dir, 'broken.yml'), rule("    sel:\n        Image|contains|base64: x\n    condition: sel"));
  writeFileSync(join(dir, 'broken.tests.yml'), 'tests:\n  - name: x\n    expect: no-match\n    events: [{a: 1}]\n');
  const r = await argus(['detect', 'test', dir], { cwd: work });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /FAIL\s+rules-failing\/whoami\.yml\s+should be silent but is not\s+no match\s+1 match\(es\)/);
  assert.match(r.stdout, /PASS\s+rules-failing\/whoami\.yml\s+fires/);
  assert.match(r.stdout, /FAIL rules-failing\/untested\.yml — \(tests\): no tests: add untested\.tests\.yml/);
  assert.match(r.stdout, /FAIL rules-failing\/orphan\.tests\.yml — \(rule\): tests file without a rule/);
  assert.match(r.stdout, /FAIL rules-failing\/broken\.yml — \(load\): .*'base64' cannot encode a value with wildcards/);
  assert.match(r.stdout, /1 passed, 4 failed/);
});

test('detect run prints one alert per match as a JSON line, with the explanation', async () => {
  const events = join(work, 'events.jsonl');
  writeFileSync(events, [JSON.stringify({ ...whoami, Image: 'C:\\x\\cmd.exe' }), JSON.stringify(whoami)].join('\n'));
  const rules = join(work, 'run-rules');
  mkdirSync(rules, { recursive: true });
  writeFileSync(join(rules, 'whoami.yml'), rule("    sel:\n        Image|endswith: '\\whoami.exe'\n    condition: sel"));
  const r = await argus(['detect', 'run', '--rules', rules, '--events', events], { cwd: work });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const alert = detectionAlertSchema.parse(JSON.parse(lines[0] as string));
  assert.equal(alert.ruleId, '0a9d7c1e-5b7e-4a51-9d7e-0c1d2e3f4a5b');
  assert.equal(alert.title, 'Whoami run');
  assert.equal(alert.level, 'low');
  assert.deepEqual(alert.tags, ['attack.discovery', 'attack.t1033']);
  assert.equal(alert.eventIndex, 1);
  assert.equal(alert.source, events);
  assert.deepEqual(alert.explanation.matchedSelections, ['sel']);
  assert.equal(alert.explanation.matches[0]?.field, 'Image');
  assert.equal(alert.event.CommandLine, 'whoami /all');
  assert.match(r.stderr, /2 events, 1 matches/);

  const again = await argus(['detect', 'run', '--rules', rules, '--events', '-'], { cwd: work, stdin: JSON.stringify([whoami]) });
  assert.equal(again.code, 0);
  const fromStdin = JSON.parse(again.stdout.trim()) as { id: string; source: string };
  assert.equal(fromStdin.source, 'stdin');
  assert.equal(fromStdin.id, alert.id, 'the same rule and event give the same alert id');
});

test('detect run takes extra logsource mappings for non-Windows sources', async () => {
  const dir = join(work, 'linux');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'sudo.yml'),
    `title: Sudo to root shell\nid: 5e0c2a9b-1d3f-4e6a-8b7c-9d0e1f2a3b4c\nlogsource: {product: linux, service: auth}\ndetection:\n    sel:\n        CommandLine|contains: 'sudo su'\n    condition: sel\n`,
  );
  writeFileSync(
    join(work, 'linux-logsources.yml'),
    'logsources:\n  - name: linux-auth\n    logsource: { product: linux, service: auth }\n    conditions: { program: sudo }\n    fieldMappings: { CommandLine: cmd }\nunmapped: error\n',
  );
  const events = `${JSON.stringify({ program: 'sudo', cmd: 'sudo su -' })}\n${JSON.stringify({ program: 'bash', cmd: 'sudo su -' })}\n`;
  const mapped = await argus(['detect', 'run', '--rules', dir, '--events', '-', '--logsources', 'linux-logsources.yml'], { cwd: work, stdin: events });
  assert.equal(mapped.code, 0, mapped.stderr);
  const alert = JSON.parse(mapped.stdout.trim()) as { eventIndex: number; explanation: { logsource: string; matches: { eventField: string }[] } };
  assert.equal(alert.eventIndex, 0);
  assert.equal(alert.explanation.logsource, 'linux-auth');
  assert.equal(alert.explanation.matches[0]?.eventField, 'cmd');
  const unmapped = await argus(['detect', 'run', '--rules', dir, '--events', '-'], { cwd: work, stdin: events });
  assert.match(unmapped.stderr, /warning: .*no logsource mapping covers product=linux, service=auth/);
});

test('detect run exits non-zero with the reason for unusable rules or events', async () => {
  const rules = join(work, 'bad-rules');
  mkdirSync(rules, { recursive: true });
  writeFileSync(join(rules, 'agg.yml'), rule('    sel:\n        Image: x\n    condition: sel | count() > 3'));
  const badRules = await argus(['detect', 'run', '--rules', rules, '--events', '-'], { cwd: work });
  assert.equal(badRules.code, 1);
  assert.match(badRules.stderr, /ARGUS_CONFIG_INVALID: bad-rules\/agg\.yml \(Whoami run\) at detection\.condition: aggregation expressions/);

  const good = join(work, 'run-rules');
  const badEvents = await argus(['detect', 'run', '--rules', good, '--events', '-'], { cwd: work, stdin: `${JSON.stringify(whoami)}\n{"broken": }\n` });
  assert.equal(badEvents.code, 1);
  assert.equal(badEvents.stdout.trim().split('\n').length, 1, 'the usable event is still evaluated');
  assert.match(badEvents.stderr, /stdin line 2 \(event 1\): .*JSON/);

  const missing = await argus(['detect', 'run', '--rules', good, '--events', join(work, 'nope.json')], { cwd: work });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read events from .*nope\.json/);

  const usage = await argus(['detect', 'run', '--rules', good], { cwd: work });
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /--events FILE/);
});
