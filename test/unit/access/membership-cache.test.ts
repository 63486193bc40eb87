import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInMemoryGroupChecker } from '../../../src/access/group-membership';
import { createMembershipCache } from '../../../src/access/membership-cache';

const group = 'e1e1e1e1-0000-4000-8000-000000000001';
const users = ['a1a1a1a1-0000-4000-8000-000000000001', 'b1b1b1b1-0000-4000-8000-000000000002', 'c1c1c1c1-0000-4000-8000-000000000003'] as const;
const [first, second, third] = users;

test('at most maxUsers answers are kept: past the cap the oldest answer goes, the newer ones stay', async () => {
  const checker = createInMemoryGroupChecker({ users: [...users], groups: { [group]: [first] } });
  const cache = createMembershipCache({ checker, groupIds: [group], ttlMs: 60_000, now: () => 0, maxUsers: 2 });
  for (const user of users) await cache.lookup(user);
  const asked = () => checker.calls.map((c) => c.userObjectId);
  assert.deepEqual(asked(), [first, second, third]);

  await cache.lookup(second);
  await cache.lookup(third);
  assert.deepEqual(asked(), [first, second, third], 'the two newest answers are still cached');
  const answer = await cache.lookup(first);
  assert.deepEqual(asked(), [first, second, third, first], 'the oldest answer was dropped, so the directory is asked again');
  assert.ok(answer.inDirectory && answer.groups.has(group), 'and answers as before');
});
