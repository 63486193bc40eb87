import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertRule } from '../../../../src/detections/kql/rule-to-kql';
import type { KqlTarget } from '../../../../src/detections/kql/kql-target';
import { parseRuleFile } from '../../../../src/detections/rule-parser';

/**
 * Golden conversions. The first group are the published expectations of pySigma's Kusto backend
 * (AttackIQ/pySigma-backend-kusto tests/test_backend_kusto.py and test_pipelines_microsoftxdr.py),
 * rule and query as the reference has them; "adapted" ones drop a field where Argus deliberately
 * differs (listed in the last group with the reason).
 */

function convert(detection: string, logsource = 'category: process_creation', target: KqlTarget = 'defender-xdr') {
  const text = `title: Test\nid: 5d2a5c1e-0000-4000-8000-000000000001\nlevel: high\nlogsource:\n    product: windows\n    ${logsource}\ndetection:\n${detection.replace(/^\n/, '')}`;
  const parsed = parseRuleFile(text, 'golden.yml');
  assert.deepEqual(parsed.failures, []);
  return convertRule(parsed.rules[0]!, target).result;
}

function kql(detection: string, logsource?: string, target?: KqlTarget): string {
  const r = convert(detection, logsource, target);
  assert.equal(r.unsupported, undefined, r.unsupported);
  return r.query ?? '';
}

const reference: [string, string, string, string?][] = [
  ['process_creation_simple', '  sel:\n    CommandLine: val1\n    Image: val2\n  condition: sel', 'DeviceProcessEvents\n| where ProcessCommandLine =~ "val1" and FolderPath =~ "val2"'],
  ['image_load_simple', '  sel:\n    ImageLoaded: val1\n    sha1: val2\n  condition: sel', 'DeviceImageLoadEvents\n| where FolderPath =~ "val1" and SHA1 =~ "val2"', 'category: image_load'],
  ['file_event_simple', '  sel:\n    TargetFilename: val1\n    Image: val2\n  condition: sel', 'DeviceFileEvents\n| where FolderPath =~ "val1" and InitiatingProcessFolderPath =~ "val2"', 'category: file_event'],
  ['kusto_in_expression', '  sel:\n    CommandLine:\n      - valueA\n      - valueB\n      - valueC*\n  condition: sel', 'DeviceProcessEvents\n| where ProcessCommandLine in~ ("valueA", "valueB") or ProcessCommandLine startswith "valueC"'],
  ['kusto_or_and_expression (adapted: ProcessId is numeric)', '  sel1:\n    CommandLine: valueA1\n    Image: valueB1\n  sel2:\n    CommandLine: valueA2\n    Image: valueB2\n  condition: 1 of sel*', 'DeviceProcessEvents\n| where (ProcessCommandLine =~ "valueA1" and FolderPath =~ "valueB1") or (ProcessCommandLine =~ "valueA2" and FolderPath =~ "valueB2")'],
  ['kusto_and_or_expression (adapted: ProcessId is numeric)', '  sel:\n    CommandLine:\n      - valueA1\n      - valueA2\n    Image:\n      - valueB1\n      - valueB2\n  condition: sel', 'DeviceProcessEvents\n| where (ProcessCommandLine in~ ("valueA1", "valueA2")) and (FolderPath in~ ("valueB1", "valueB2"))'],
  ['kusto_cidr_query', '  sel:\n    SourceIp|cidr: 192.168.0.0/16\n  condition: sel', 'DeviceNetworkEvents\n| where ipv4_is_in_range(LocalIP, "192.168.0.0/16")', 'category: network_connection'],
  ['network_connection_cidr', "  sel:\n    SourceIp|cidr: '10.10.0.0/24'\n    DestinationIp|cidr: '10.11.0.0/24'\n  condition: sel", 'DeviceNetworkEvents\n| where ipv4_is_in_range(LocalIP, "10.10.0.0/24") and ipv4_is_in_range(RemoteIP, "10.11.0.0/24")', 'category: network_connection'],
  ['kusto_negation_basic', "  selection:\n    Image:\n      - '*\\process.exe'\n    CommandLine:\n      - 'this'\n  filter:\n    CommandLine:\n      - 'notthis'\n  condition: selection and not filter", 'DeviceProcessEvents\n| where (FolderPath endswith "\\\\process.exe" and ProcessCommandLine =~ "this") and (not(ProcessCommandLine =~ "notthis"))'],
  ['kusto_negation_contains', "  selection:\n    Image:\n      - '*\\process.exe'\n    CommandLine:\n      - '*this*'\n  filter:\n    CommandLine:\n      - '*notthis*'\n  condition: selection and not filter", 'DeviceProcessEvents\n| where (FolderPath endswith "\\\\process.exe" and ProcessCommandLine contains "this") and (not(ProcessCommandLine contains "notthis"))'],
  ['kusto_grouping', "  selection:\n    Image:\n      - '*\\powershell.exe'\n      - '*\\pwsh.exe'\n    DestinationHostname:\n      - '*pastebin.com*'\n      - '*anothersite.com*'\n  condition: selection", 'DeviceNetworkEvents\n| where (InitiatingProcessFolderPath endswith "\\\\powershell.exe" or InitiatingProcessFolderPath endswith "\\\\pwsh.exe") and (RemoteUrl contains "pastebin.com" or RemoteUrl contains "anothersite.com")', 'category: network_connection'],
  ['kusto_escape_cmdline_slash', "  selection:\n    Image|endswith: '\\schtasks.exe'\n    CommandLine|contains|all:\n      - ' /delete '\n      - '/tn \\*'\n      - ' /f'\n  condition: selection", 'DeviceProcessEvents\n| where FolderPath endswith "\\\\schtasks.exe" and (ProcessCommandLine contains " /delete " and ProcessCommandLine contains "/tn *" and ProcessCommandLine contains " /f")'],
  ['kusto_exists_expression', '  sel:\n    CommandLine|exists: true\n  condition: sel', 'DeviceProcessEvents\n| where isnotempty(ProcessCommandLine)'],
  ['kusto_not_exists_expression', '  sel:\n    CommandLine|exists: false\n  condition: sel', 'DeviceProcessEvents\n| where isempty(ProcessCommandLine)'],
  ['kusto_regex_query (adapted: ProcessId is numeric)', "  sel:\n    CommandLine|re:\n      - foo.*bar\n      - -(W|R)\\s?(\\s|\"|')([0-9a-fA-F]{2}\\s?){2,20}(\\s|\"|')\n    Image: foo\n  condition: sel", 'DeviceProcessEvents\n| where (ProcessCommandLine matches regex "foo.*bar" or ProcessCommandLine matches regex "-(W|R)\\\\s?(\\\\s|\\"|\')([0-9a-fA-F]{2}\\\\s?){2,20}(\\\\s|\\"|\')") and FolderPath =~ "foo"'],
  ['generic_field', '  sel1:\n    CommandLine: whoami\n    ProcessId: 1\n  condition: any of sel*', 'DeviceFileEvents\n| where InitiatingProcessCommandLine =~ "whoami" and InitiatingProcessId == 1', 'category: file_event'],
  ['hashes_values_transformation (sel1)', '  sel1:\n    Hashes:\n      - md5|e708864855f3bb69c4d9a213b9108b9f\n      - sha1|00ea1da4192a2030f9ae023de3b3143ed647bbab\n      - sha256|6bbb0da1891646e58eb3e6a63af3a6fc3c8eb5a0d44824cba581d2e14a0450cf\n  condition: any of sel*', 'DeviceProcessEvents\n| where MD5 =~ "e708864855f3bb69c4d9a213b9108b9f" or SHA1 =~ "00ea1da4192a2030f9ae023de3b3143ed647bbab" or SHA256 =~ "6bbb0da1891646e58eb3e6a63af3a6fc3c8eb5a0d44824cba581d2e14a0450cf"'],
  ['network_connection_field_mapping (adapted: without User)', '  sel:\n    ProcessId: 1\n    Image: C:\\Temp\\notcobaltstrike.exe\n    Protocol: TCP\n    SourceIp: 127.0.0.1\n    SourcePort: 12345\n    DestinationIp: 1.2.3.4\n    DestinationPort: 50050\n    DestinationHostname: notanatp.net\n  condition: sel', 'DeviceNetworkEvents\n| where InitiatingProcessId == 1 and InitiatingProcessFolderPath =~ "C:\\\\Temp\\\\notcobaltstrike.exe" and Protocol =~ "TCP" and LocalIP =~ "127.0.0.1" and LocalPort == 12345 and RemoteIP =~ "1.2.3.4" and RemotePort == 50050 and RemoteUrl =~ "notanatp.net"', 'category: network_connection'],
];

for (const [name, detection, expected, logsource] of reference) {
  test(`reference ${name}`, () => assert.equal(kql(detection, logsource), expected));
}

test('modifiers: case rules and operators', () => {
  const where = (d: string) => kql(`  sel:\n    ${d}\n  condition: sel`).split('\n| where ')[1];
  assert.equal(where("CommandLine|startswith: 'a'"), 'ProcessCommandLine startswith "a"');
  assert.equal(where("CommandLine|endswith: 'a'"), 'ProcessCommandLine endswith "a"');
  assert.equal(where("CommandLine|contains|cased: 'Ab'"), 'ProcessCommandLine contains_cs "Ab"');
  assert.equal(where("CommandLine|cased: ['A', 'B']"), 'ProcessCommandLine in ("A", "B")');
  assert.equal(where("CommandLine|startswith|cased: 'A'"), 'ProcessCommandLine startswith_cs "A"');
  assert.equal(where("CommandLine|re|i: 'a.b'"), 'ProcessCommandLine matches regex "(?i)a.b"');
  assert.equal(where("CommandLine|windash: '-x'"), 'ProcessCommandLine in~ ("-x", "/x", "–x", "—x", "―x")');
  assert.equal(where("CommandLine|contains|windash: '-x'"), 'ProcessCommandLine contains "-x" or ProcessCommandLine contains "/x" or ProcessCommandLine contains "–x" or ProcessCommandLine contains "—x" or ProcessCommandLine contains "―x"');
  // base64 is case-significant: the encoded variants compare with _cs.
  assert.equal(where("CommandLine|base64offset|contains: 'http'"), 'ProcessCommandLine contains_cs "aHR0c" or ProcessCommandLine contains_cs "h0dH" or ProcessCommandLine contains_cs "odHRw"');
  assert.equal(where("CommandLine|base64: 'ab'"), 'ProcessCommandLine == "YWI="');
  assert.equal(where("CommandLine|wide|base64offset|contains: 'ping'"), 'ProcessCommandLine contains_cs "cABpAG4AZw" or ProcessCommandLine contains_cs "AAaQBuAGcA" or ProcessCommandLine contains_cs "wAGkAbgBnA"');
  assert.equal(where('CommandLine: null'), 'isempty(ProcessCommandLine)');
  assert.equal(where("CommandLine|neq: 'x'"), 'isnotempty(ProcessCommandLine) and (not(ProcessCommandLine =~ "x"))');
  assert.equal(where('ProcessId|gte: 4'), 'ProcessId >= 4');
  assert.equal(where("ProcessId: '0x10'"), 'ProcessId == 16');
  assert.equal(where("Image|fieldref: ParentImage"), '(isnotempty(FolderPath) and FolderPath =~ InitiatingProcessFolderPath)');
});

test('wildcards inside a value become an anchored, case-insensitive RE2 match', () => {
  const where = (d: string) => kql(`  sel:\n    ${d}\n  condition: sel`).split('\n| where ')[1];
  assert.equal(where("Image: 'C:\\Windows*\\process.exe'"), 'FolderPath matches regex "(?is)^C:\\\\\\\\Windows.*\\\\\\\\process\\\\.exe$"');
  assert.equal(where("CommandLine|contains: 'a?b'"), 'ProcessCommandLine matches regex "(?is)a.b"');
  assert.equal(where("CommandLine: 'foo*'"), 'ProcessCommandLine startswith "foo"');
  assert.equal(where("CommandLine: '*'"), 'isnotempty(ProcessCommandLine)');
});

test('string literals escape quotes, backslashes and line breaks', () => {
  const q = kql("  sel:\n    CommandLine|contains: \"say \\\"hi\\\"\\n\\\\\\\\x\"\n  condition: sel");
  assert.equal(q, 'DeviceProcessEvents\n| where ProcessCommandLine contains "say \\"hi\\"\\n\\\\x"');
});

test('condition shapes: all of, 1 of them, nested not and parentheses, several conditions', () => {
  const d = "  a1:\n    Image|endswith: '\\a.exe'\n  a2:\n    CommandLine|contains: x\n  f:\n    CommandLine|contains: y\n";
  // `all of` is a group of its own, parenthesised inside the `and` (as pySigma writes it).
  assert.equal(kql(`${d}  condition: all of a* and not f`).split('\n| where ')[1], '(FolderPath endswith "\\\\a.exe" and ProcessCommandLine contains "x") and (not(ProcessCommandLine contains "y"))');
  assert.equal(kql(`${d}  condition: 1 of them`).split('\n| where ')[1], 'FolderPath endswith "\\\\a.exe" or ProcessCommandLine contains "x" or ProcessCommandLine contains "y"');
  assert.equal(kql(`${d}  condition: not (a1 or a2) and f`).split('\n| where ')[1], '(not((FolderPath endswith "\\\\a.exe" or ProcessCommandLine contains "x"))) and ProcessCommandLine contains "y"');
  assert.equal(kql(`${d}  condition:\n    - a1\n    - a2 and not f`).split('\n| where ')[1], 'FolderPath endswith "\\\\a.exe" or (ProcessCommandLine contains "x" and (not(ProcessCommandLine contains "y")))');
});

test('deliberate differences from the reference, each with its reason', () => {
  // Reference: `AccountName =~ "username2" and AccountDomain =~ "domain2"`. XDR splits DOMAIN\user;
  // Argus rebuilds Sysmon's form once, so contains/endswith on User stay exact too.
  assert.equal(
    kql("  sel:\n    User|contains: 'AUTHORI'\n  condition: sel"),
    'DeviceProcessEvents\n| extend User = iff(isempty(AccountDomain), AccountName, strcat(AccountDomain, "\\\\", AccountName))\n| where User contains "AUTHORI"',
  );
  // Reference: `RegistryKey =~ …` with the value name compared against the key. XDR keeps the value
  // name apart; DWORDs are decimal in XDR and `DWORD (0x…)` in Sysmon; registry_set is one ActionType.
  assert.equal(
    kql("  sel:\n    TargetObject|endswith: '\\Enabled'\n    Details: 'DWORD (0x00000000)'\n  condition: sel", 'category: registry_set'),
    'DeviceRegistryEvents\n| where ActionType == "RegistryValueSet"\n' +
      '| extend TargetObject = iff(isempty(RegistryValueName), RegistryKey, strcat(RegistryKey, "\\\\", RegistryValueName))\n' +
      '| extend Details = iff(RegistryValueType =~ "Dword", strcat("DWORD (0x", tohex(tolong(RegistryValueData), 8), ")"), RegistryValueData)\n' +
      '| where TargetObject endswith "\\\\Enabled" and Details =~ "DWORD (0x00000000)"',
  );
  // Reference: `foo.*bar` (unanchored and case-sensitive, so `xFOOyBARz` differs from Sigma).
  assert.match(kql("  sel:\n    Image: 'foo*bar'\n  condition: sel"), /matches regex "\(\?is\)\^foo\.\*bar\$"$/);
  // Reference: drops IMPHASH values silently (a narrower rule); Argus names it.
  assert.match(convert("  sel:\n    Hashes|contains: 'IMPHASH=1a6cca4d5460b1710a12dea39e4a592c'\n  condition: sel").unsupported ?? '', /no column for IMPHASH/);
  // Reference: `InitiatingProcessParentFileName =~ "cmd.exe"` for a full path too (any folder's cmd.exe).
  assert.equal(kql("  sel:\n    ParentImage|endswith: '\\cmd.exe'\n  condition: sel", 'category: file_event').split('\n| where ')[1], 'InitiatingProcessParentFileName =~ "cmd.exe"');
  assert.match(convert("  sel:\n    ParentImage: 'C:\\Windows\\System32\\cmd.exe'\n  condition: sel", 'category: file_event').unsupported ?? '', /only a file name/);
  // Reference: `ProcessVersionInfoProductVersion == 1`, a number against a text column (a KQL error).
  assert.equal(kql('  sel:\n    FileVersion: 1\n  condition: sel').split('\n| where ')[1], 'ProcessVersionInfoProductVersion =~ "1"');
});

test('what does not convert is named, with where it is in the rule', () => {
  const why = (d: string, logsource?: string, target?: KqlTarget) => convert(`  sel:\n    ${d}\n  condition: sel`, logsource, target).unsupported ?? '';
  assert.match(why("CurrentDirectory: 'x'"), /^detection\.sel\.CurrentDirectory: field 'CurrentDirectory' has no column in DeviceProcessEvents$/);
  assert.match(convert("  sel:\n    - 'evil'\n  condition: sel").unsupported ?? '', /keyword search/);
  assert.match(why("CommandLine|re: '(?<=a)b'"), /lookahead or lookbehind/);
  assert.match(why("CommandLine|utf16le|contains: 'a'"), /'utf16le' without base64 matches raw UTF-16 bytes/);
  assert.match(why('ProcessId: abc'), /number column/);
  assert.match(why("OriginalFileName: x", undefined, 'azure-monitor'), /field 'OriginalFileName' has no column in SecurityEvent/);
  assert.match(why("Image: x", 'service: security'), /logsource product=windows, service=security has no table on defender-xdr/);
  assert.match(why("CommandLine|expand: '%x%'"), /placeholders/);
});

test('other targets: ASIM parsers and the Log Analytics event tables', () => {
  assert.equal(kql("  sel:\n    Image|endswith: '\\foo.exe'\n    User: 'NT AUTHORITY\\SYSTEM'\n  condition: sel", undefined, 'sentinel-asim'), 'imProcessCreate\n| where TargetProcessName endswith "\\\\foo.exe" and TargetUsername =~ "NT AUTHORITY\\\\SYSTEM"');
  assert.equal(
    kql("  sel:\n    EventID: [4624, 4625]\n    IpAddress|cidr: ['10.0.0.0/8', '192.168.0.0/16']\n    TargetUserName|endswith: '$'\n  condition: sel", 'service: security', 'azure-monitor'),
    'SecurityEvent\n| where (EventID in (4624, 4625)) and (ipv4_is_in_any_range(IpAddress, "10.0.0.0/8", "192.168.0.0/16")) and TargetUserName endswith "$"',
  );
  assert.equal(kql("  sel:\n    Image|endswith: '\\a.exe'\n  condition: sel", undefined, 'azure-monitor'), 'SecurityEvent\n| where EventID == 4688\n| where NewProcessName endswith "\\\\a.exe"');
  assert.equal(kql('  sel:\n    EventID: 7045\n  condition: sel', 'service: system', 'azure-monitor'), 'Event\n| where EventLog == "System"\n| where EventID == 7045');
  // Other logs' data fields are read from the EventData XML by name, entities decoded.
  const data = kql("  sel:\n    ServiceName|contains: 'a&b'\n  condition: sel", 'service: system', 'azure-monitor').split('\n');
  assert.equal(data[1], '| where EventLog == "System"');
  assert.match(data[2] ?? '', /^\| extend ServiceName = replace_string\(.*extract\("<Data Name=\\"Service \?Name\\">\(\[\^<\]\*\)<\/Data>", 1, EventData\), "&lt;", "<"\).*"&amp;", "&"\)$/);
  assert.equal(data[3], '| where ServiceName contains "a&b"');
});
