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

test('the member cache lists once per TTL, shares a listing in flight, and keeps the last list through an outage', async () => {
  let now = 0;
  let calls = 0;
  let failing = false;
  const cache = createMemberCache({
    ttlMs: 1_000,
    now: () => now,
    source: {
      async list() {
        calls += 1;
        if (failing) throw new Error('Bot Connector unavailable');
        return [member(calls)];
      },
    },
  });
  const [a, b] = await Promise.all([cache.list('19:c'), cache.list('19:c')]);
  assert.equal(calls, 1, 'concurrent callers share one listing');
  assert.deepEqual(a, b);
  now = 999;
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m1']);
  assert.equal(calls, 1, 'fresh within the TTL');
  now = 1_000;
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m2'], 'asked again once expired');
  now = 5_000;
  failing = true;
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m2'], 'the last list stands in during an outage');
  await assert.rejects(cache.list('19:other'), /unavailable/, 'with nothing known, the failure shows');
  const asked = calls;
  await assert.rejects(cache.list('19:other'), /unavailable/);
  assert.equal(calls, asked, 'a conversation that cannot be listed is not asked again at once');
  now += 60_000;
  failing = false;
  assert.equal((await cache.list('19:other')).length, 1, 'asked again after the backoff');
  assert.deepEqual((await cache.list('19:c')).map((m) => m.id), ['29:m6'], 'a failure does not replace the list');
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
