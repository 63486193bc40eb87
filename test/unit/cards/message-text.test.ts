import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageText } from '../../../src/cards/text';

test('messageText() breaks link syntax and tag openings but keeps the lines and the words', () => {
  assert.equal(
    messageText('Note:\r\n[Re-authenticate](https://evil.example) or [r][1]\n<at>Ada</at> <a href="x">y</a> <https://evil.example>', 500),
    'Note:\n[Re-authenticate] (https://evil.example) or [r] [1]\n< at>Ada< /at> < a href="x">y< /a> < https://evil.example>',
  );
  assert.equal(messageText('[x]\n(https://evil.example)', 100), '[x] (https://evil.example)');
  assert.equal(messageText('a < b and 2<3, ♥ <3', 100), 'a < b and 2<3, ♥ <3');
  assert.equal(messageText('abcdef', 4), 'abc…');
});
