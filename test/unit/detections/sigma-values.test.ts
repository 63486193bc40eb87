import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matcher } from './sigma-fixtures';

test('plain values match whole values, case-insensitively by default', () => {
  const m = matcher(`
sel:
    Image: 'C:\\Windows\\System32\\CMD.exe'
condition: sel`);
  assert.equal(m({ Image: 'c:\\windows\\system32\\cmd.exe' }), true);
  assert.equal(m({ Image: 'C:\\Windows\\System32\\cmd.exe.bak' }), false);
  assert.equal(m({ Other: 'C:\\Windows\\System32\\cmd.exe' }), false);
});

test('cased makes a value case-sensitive', () => {
  const m = matcher(`
sel:
    CommandLine|cased|contains: ' -H '
condition: sel`);
  assert.equal(m({ CommandLine: 'curl -H x' }), true);
  assert.equal(m({ CommandLine: 'curl -h x' }), false);
});

test('* and ? wildcards, and their escapes', () => {
  const star = matcher(`
sel:
    Image: 'C:\\Users\\\\\\*\\AppData\\\\?.exe'
condition: sel`);
  // In the YAML value `\\\*` is a backslash and a literal star, `\\?` a backslash then the `?` wildcard.
  assert.equal(star({ Image: 'C:\\Users\\*\\AppData\\a.exe' }), true);
  assert.equal(star({ Image: 'C:\\Users\\bob\\AppData\\a.exe' }), false);
  assert.equal(star({ Image: 'C:\\Users\\*\\AppData\\ab.exe' }), false);

  const escapedStar = matcher(`
sel:
    Image: 'C:\\Users\\*\\AppData'
condition: sel`);
  // `\*` alone escapes the star: the value is `C:\Users*\AppData`.
  assert.equal(escapedStar({ Image: 'C:\\Users*\\AppData' }), true);
  assert.equal(escapedStar({ Image: 'C:\\Users\\bob\\AppData' }), false);

  const wild = matcher(`
sel:
    Image: 'C:\\Users\\\\*\\AppData\\\\?.exe'
condition: sel`);
  assert.equal(wild({ Image: 'C:\\Users\\bob\\AppData\\a.exe' }), true);
  assert.equal(wild({ Image: 'C:\\Users\\bob\\AppData\\ab.exe' }), false);

  const literal = matcher(`
sel:
    Title: 'Really\\?'
condition: sel`);
  assert.equal(literal({ Title: 'really?' }), true);
  assert.equal(literal({ Title: 'reallyx' }), false);

  const unc = matcher(`
sel:
    CommandLine|contains: ' \\\\\\\\'
condition: sel`);
  assert.equal(unc({ CommandLine: 'rundll32 \\\\host\\share\\x.dll' }), true);
  assert.equal(unc({ CommandLine: 'rundll32 \\host\\share\\x.dll' }), false);

  const trailing = matcher(`
sel:
    Image|startswith: 'C:\\Windows\\'
condition: sel`);
  assert.equal(trailing({ Image: 'C:\\Windows\\notepad.exe' }), true);
  assert.equal(trailing({ Image: 'C:\\Windowsx' }), false);
});

test('lists are OR, maps are AND, lists of maps are OR of ANDs', () => {
  const m = matcher(`
sel:
    - Image|endswith: '\\a.exe'
      User: alice
    - Image|endswith:
          - '\\b.exe'
          - '\\c.exe'
condition: sel`);
  assert.equal(m({ Image: 'x\\a.exe', User: 'ALICE' }), true);
  assert.equal(m({ Image: 'x\\a.exe', User: 'bob' }), false);
  assert.equal(m({ Image: 'x\\c.exe' }), true);
  assert.equal(m({ Image: 'x\\d.exe' }), false);
});

test('contains|all needs every value; startswith and endswith anchor', () => {
  const m = matcher(`
sel:
    CommandLine|contains|all: [import, base64, ' -c']
    Image|startswith: 'C:\\Python'
    OriginalFileName|endswith: '.EXE'
condition: sel`);
  const ev = { CommandLine: 'python -c "import base64"', Image: 'c:\\python3\\python.exe', OriginalFileName: 'python.exe' };
  assert.equal(m(ev), true);
  assert.equal(m({ ...ev, CommandLine: 'python -c "import os"' }), false);
  assert.equal(m({ ...ev, Image: 'D:\\C:\\Python' }), false);
});

test('null matches a missing or null field; an empty string matches only an empty value', () => {
  const nul = matcher(`
sel:
    ParentUser: null
condition: sel`);
  assert.equal(nul({ User: 'x' }), true);
  assert.equal(nul({ ParentUser: null }), true);
  assert.equal(nul({ ParentUser: '' }), false);
  const empty = matcher(`
sel:
    ParentUser: ''
condition: sel`);
  assert.equal(empty({ ParentUser: '' }), true);
  assert.equal(empty({}), false);
  assert.equal(empty({ ParentUser: 'x' }), false);
});

test('numbers compare as written text and as numbers', () => {
  const m = matcher(`
sel:
    EventID: 4688
    GrantedAccess: 0x1410
condition: sel`);
  assert.equal(m({ EventID: 4688, GrantedAccess: '0x1410' }), true);
  assert.equal(m({ EventID: '4688', GrantedAccess: '0X1410' }), true);
  assert.equal(m({ EventID: 46880, GrantedAccess: '0x1410' }), false);
  assert.equal(m({ EventID: 4688, GrantedAccess: 5136 }), true, 'the hex value still equals its number');
});

test('booleans match booleans and their text', () => {
  const m = matcher(`
sel:
    Enabled: true
condition: sel`);
  assert.equal(m({ Enabled: true }), true);
  assert.equal(m({ Enabled: 'True' }), true);
  assert.equal(m({ Enabled: false }), false);
});

test('array fields match when any element matches', () => {
  const m = matcher(`
sel:
    Tags|contains: evil
condition: sel`);
  assert.equal(m({ Tags: ['ok', 'very-evil'] }), true);
  assert.equal(m({ Tags: ['ok'] }), false);
  const nested = matcher(`
sel:
    process.args: '-enc'
condition: sel`);
  assert.equal(nested({ process: { args: ['powershell', '-ENC'] } }), true);
});

test('keywords search every field, OR by default and AND with |all', () => {
  const any = matcher(`
keywords:
    - 'event::clear'
    - 'event::drop'
condition: keywords`);
  assert.equal(any({ Message: 'mimikatz # EVENT::Clear done' }), true);
  assert.equal(any({ Message: 'nothing here' }), false);
  const all = matcher(`
keywords:
    '|all':
        - OabVirtualDirectory
        - ' -ExternalUrl '
condition: keywords`);
  assert.equal(all({ A: 'Set-OabVirtualDirectory', B: 'x -ExternalUrl y' }), true);
  assert.equal(all({ A: 'Set-OabVirtualDirectory' }), false);
});

test('exists checks presence, not value', () => {
  const yes = matcher(`
sel:
    PasswordLastSet|exists: true
condition: sel`);
  assert.equal(yes({ PasswordLastSet: null }), true);
  assert.equal(yes({ Other: 1 }), false);
  const no = matcher(`
sel:
    PasswordLastSet|exists: false
condition: sel`);
  assert.equal(no({ Other: 1 }), true);
  assert.equal(no({ PasswordLastSet: '' }), false);
});

test('lt, lte, gt, gte compare numerically; non-numbers never match', () => {
  const m = matcher(`
sel:
    Port|gte: 1024
    Size|lt: 10
condition: sel`);
  assert.equal(m({ Port: 1024, Size: '9' }), true);
  assert.equal(m({ Port: '1023', Size: 1 }), false);
  assert.equal(m({ Port: 'high', Size: 1 }), false);
  assert.equal(m({ Port: 2000, Size: 10 }), false);
  const gt = matcher(`
sel:
    Level|gt: 3
    Level|lte: 5
condition: sel`);
  assert.equal(gt({ Level: 4 }), true);
  assert.equal(gt({ Level: 3 }), false);
  assert.equal(gt({ Level: 6 }), false);
});

test('neq: present and equal to none of the values', () => {
  const m = matcher(`
sel:
    User|neq:
        - SYSTEM
        - LOCAL SERVICE
condition: sel`);
  assert.equal(m({ User: 'alice' }), true);
  assert.equal(m({ User: 'system' }), false);
  assert.equal(m({ User: 'Local Service' }), false);
  assert.equal(m({}), false);
  const n = matcher(`
sel:
    Port|neq: 443
condition: sel`);
  assert.equal(n({ Port: 80 }), true);
  assert.equal(n({ Port: '443' }), false);
});

test('fieldref compares two fields of the event (case-insensitively), also with neq and contains', () => {
  const same = matcher(`
sel:
    User|fieldref: ParentUser
condition: sel`);
  assert.equal(same({ User: 'CORP\\Alice', ParentUser: 'corp\\alice' }), true);
  assert.equal(same({ User: 'CORP\\Alice', ParentUser: 'corp\\bob' }), false);
  assert.equal(same({ User: 'CORP\\Alice' }), false);
  const differ = matcher(`
sel:
    User|fieldref|neq: ParentUser
condition: sel`);
  assert.equal(differ({ User: 'a', ParentUser: 'b' }), true);
  assert.equal(differ({ User: 'a', ParentUser: 'A' }), false);
  const within = matcher(`
sel:
    CommandLine|fieldref|contains: TargetFilename
condition: sel`);
  assert.equal(within({ CommandLine: 'copy x C:\\t\\y.exe', TargetFilename: 'c:\\T\\Y.EXE' }), true);
});

test('time part modifiers read the timestamp as written', () => {
  const m = matcher(`
sel:
    UtcTime|hour|gte: 22
    UtcTime|year: 2025
condition: sel`);
  assert.equal(m({ UtcTime: '2025-10-25 23:02:36.894' }), true);
  assert.equal(m({ UtcTime: '2025-10-25 17:02:36.894' }), false);
  assert.equal(m({ UtcTime: 'yesterday' }), false);
});

test('long contains lists (one RegExp alternation) match literally, special characters included', () => {
  const m = matcher(`
sel:
    CommandLine|contains:
        - 'a.b'
        - 'x|y'
        - '(z)'
        - '[q]'
        - 'c:\\\\tmp\\\\'
        - 'p+$'
condition: sel`);
  for (const hit of ['run A.B now', 'X|Y', 'f(z)', 'w[Q]', 'copy C:\\tmp\\x', 'ends p+$ here']) assert.equal(m({ CommandLine: hit }), true, hit);
  for (const miss of ['aXb', 'x', 'z', 'q', 'c:tmp', 'pp']) assert.equal(m({ CommandLine: miss }), false, miss);
});
