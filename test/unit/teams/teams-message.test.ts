import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageActivity } from '../../../src/teams/teams-delivery';

test('a card goes as an Adaptive Card attachment with its summary', () => {
  const card = { type: 'AdaptiveCard', version: '1.5', body: [] };
  assert.deepEqual(messageActivity({ card, summary: 'Incident 7: Phish' }), {
    type: 'message',
    summary: 'Incident 7: Phish',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
  });
});

test('text goes as plain text, link syntax split, cut to one message', () => {
  const activity = messageActivity({ text: 'See [Re-authenticate](https://evil.example) <a href="x">now</a>' });
  assert.equal(activity.textFormat, 'plain');
  assert.equal(activity.text, 'See [Re-authenticate] (https://evil.example) < a href="x">now< /a>');
  const long = messageActivity({ text: 'x'.repeat(20_000) });
  assert.ok((long.text ?? '').length <= 8_000);
  assert.equal(long.attachments, undefined);
});
