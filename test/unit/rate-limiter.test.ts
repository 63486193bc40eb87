import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TeamsRateLimiter, conversationWindows } from '../../src/teams/rate-limiter';

/** Books `n` calls on a virtual clock (nothing waits) and returns their due times. */
function book(limiter: TeamsRateLimiter, n: number, conversation = 'c'): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) times.push(limiter.reserve(conversation));
  return times;
}

function maxInWindow(times: number[], ms: number): number {
  let max = 0;
  for (const t of times) max = Math.max(max, times.filter((x) => x >= t && x < t + ms).length);
  return max;
}

test('a burst of 200 calls to one conversation never exceeds 7/1 s, 8/2 s or 60/30 s', () => {
  const clock = { now: 1_000_000 };
  const limiter = new TeamsRateLimiter({ now: () => clock.now, tenantWindows: [{ limit: 1000, ms: 1000 }] });
  const times = book(limiter, 200);
  for (const w of conversationWindows.slice(0, 3)) assert.ok(maxInWindow(times, w.ms) <= w.limit, `${w.limit}/${w.ms}ms holds`);
  assert.equal(maxInWindow(times, 30_000), 60, 'the 30 s window is used fully, not wasted');
  assert.ok(times.at(-1)! - times[0]! < 120_000, 'and the calls are not spread further than the limits need');
});

test('conversations are independent; the tenant limit caps them together', () => {
  const clock = { now: 0 };
  const limiter = new TeamsRateLimiter({ now: () => clock.now, tenantWindows: [{ limit: 10, ms: 1000 }] });
  const all: number[] = [];
  for (let c = 0; c < 5; c += 1) all.push(...book(limiter, 4, `conv-${c}`));
  assert.ok(maxInWindow(all, 1000) <= 10);
  assert.equal(all.filter((t) => t < 1000).length, 10);
});

test('a pause (429 Retry-After) holds the whole conversation', () => {
  const clock = { now: 5_000 };
  const limiter = new TeamsRateLimiter({ now: () => clock.now });
  limiter.pause('c', 3_000);
  const [first] = book(limiter, 1);
  assert.equal(first, 8_000);
  const [other] = book(limiter, 1, 'd');
  assert.equal(other, 5_000);
});

test('seeding with times the limiter already holds does not count them twice', () => {
  const clock = { now: 10_000 };
  const limiter = new TeamsRateLimiter({ now: () => clock.now });
  book(limiter, 5);
  for (let i = 0; i < 10; i += 1) limiter.seed('c', limiter.recent('c'));
  assert.equal(limiter.recent('c').length, 5);
  limiter.seed('c', [9_000]);
  assert.equal(limiter.recent('c').length, 6, 'a call booked by another instance is counted');
});
