import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs, retryAfterMs } from '../../../src/net/retry';
import { statusOf } from '../../../src/net/status';

test('retryAfterMs reads plain records and get()-style headers (fetch, the Bot Connector) alike', () => {
  const now = Date.parse('2026-11-21T10:00:00Z');
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '3' }), now), 3000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Sat, 21 Nov 2026 10:00:02 GMT' }), now), 2000);
  assert.equal(retryAfterMs(new Headers({ 'x-ms-retry-after-ms': '15' }), now), 15);
  assert.equal(retryAfterMs(new Headers(), now), undefined, 'a missing header is no wait, not zero');
  assert.equal(retryAfterMs({ 'retry-after': '-5' }, now), 0);
  assert.equal(retryAfterMs({ 'retry-after': 'Sat, 21 Nov 2026 09:00:00 GMT' }, now), 0);
  assert.equal(retryAfterMs({ 'retry-after': ' ' }, now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});

test('backoffMs: equal jitter, half fixed and half random, doubling up to the cap', () => {
  const o = { baseDelayMs: 100, maxDelayMs: 1_000 };
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffMs(a, o, () => 0)), [50, 100, 200, 400, 500]);
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffMs(a, o, () => 1)), [100, 200, 400, 800, 1_000]);
});

test('statusOf reads a numeric statusCode and nothing else', () => {
  assert.equal(statusOf({ statusCode: 404 }), 404);
  assert.equal(statusOf({ statusCode: '404' }), undefined);
  assert.equal(statusOf(new Error('x')), undefined);
  assert.equal(statusOf(null), undefined);
});
