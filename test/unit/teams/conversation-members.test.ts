import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allMembers, createMemberCache, type ConversationMember } from '../../../src/teams/conversation-members';

const member = (n: number): ConversationMember => ({ id: `29:m${n}`, aadObjectId: `0000000${n}-0000-4000-8000-000000000000` });

test('allMembers follows continuation tokens until a page comes without one', async () => {
  const pages: Record<string, { members: ConversationMember[]; continuationToken?: string }> = {
    start: { members: [member(1), member(2)], continuationToken: 'p2' },
    p2: { members: [member(3)], continuationToken: 'p3' },
    p3: { members: [member(4)] },
  };
  const asked: Array<string | undefined> = [];
  const all = await allMembers(async (token) => {
    asked.push(token);
    return pages[token ?? 'start']!;
  });
  assert.deepEqual(all.map((m) => m.id), ['29:m1', '29:m2', '29:m3', '29:m4']);
  assert.deepEqual(asked, [undefined, 'p2', 'p3']);
});

test('the member cache lists once per TTL, answers an expired list at once while it lists again, shares a listing in flight, and keeps the last list through an outage', async () => {
  let now = 0;
  let calls = 0;
  let failing = false;
  const cache = createMemberCache({
    ttlMs: 1_000,
    jitter: 0,
    now: () => now,
    source: {
      async list() {
        calls += 1;
        if (failing) throw new Error('Bot Connector unavailable');
        return [member(calls)];
      },
    },
  });
  const settle = () => new Promise((r) => setImmediate(r));
  const [a, b] = await Promise.all([cache.list('19:c'), cache.list('19:c')]);
  assert.equal(calls, 1, 'concurrent callers share one listing');
  assert.deepEqual(a, b);
  now = 999;
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m1']);
  assert.equal(calls, 1, 'fresh within the TTL');
  now = 1_000;
  const expired = await Promise.all([cache.list('19:c'), cache.list('19:c')]);
  assert.deepEqual(expired.flat().map((m) => m.id), ['29:m1', '29:m1'], 'an expired list is answered at once');
  await settle();
  assert.equal(calls, 2, 'and listed again once, in the background');
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m2'], 'then the new list is answered');
  now = 5_000;
  failing = true;
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m2'], 'the last list stands in during an outage');
  await settle();
  const afterFailedRefresh = calls;
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m2']);
  await settle();
  assert.equal(calls, afterFailedRefresh, 'a failed refresh is not tried again at once');
  await assert.rejects(cache.list('19:other'), /unavailable/, 'with nothing known, the failure shows');
  const asked = calls;
  await assert.rejects(cache.list('19:other'), /unavailable/);
  assert.equal(calls, asked, 'a conversation that cannot be listed is not asked again at once');
  now += 60_000;
  failing = false;
  assert.equal((await cache.list('19:other')).length, 1, 'asked again after the backoff');
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m2'], 'a failure did not replace the list; it answers while listed again');
  await settle();
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m6']);
});

test("each list's TTL is drawn around ttlMs, so lists fetched together expire apart", async () => {
  let now = 0;
  const ids = Array.from({ length: 40 }, (_, i) => `19:${'c'.repeat(i + 1)}`);
  // Counts the conversations listed again at each instant.
  let relisted = 0;
  const probe = createMemberCache({ ttlMs: 10_000, now: () => now, source: { list: async () => ((relisted += 1), []) } });
  now = 0;
  for (const id of ids) await probe.list(id);
  relisted = 0;
  now = 8_999;
  for (const id of ids) await probe.list(id);
  assert.equal(relisted, 0, 'none before ttl × 0.9');
  now = 10_000;
  for (const id of ids) await probe.list(id);
  await new Promise((r) => setImmediate(r));
  assert.ok(relisted > 0 && relisted < ids.length, `some but not all expired at ttl (${relisted} of ${ids.length})`);
  now = 11_001;
  for (const id of ids) await probe.list(id);
  await new Promise((r) => setImmediate(r));
  assert.equal(relisted, ids.length, 'all by ttl × 1.1');
});

test('the member cache keeps at most maxConversations lists, dropping the oldest', async () => {
  let calls = 0;
  const cache = createMemberCache({ ttlMs: 60_000, maxConversations: 2, source: { list: async () => [member((calls += 1))] } });
  await cache.list('a');
  await cache.list('b');
  await cache.list('c');
  await cache.list('b');
  assert.equal(calls, 3);
  await cache.list('a');
  assert.equal(calls, 4, 'the oldest list was dropped');
});
