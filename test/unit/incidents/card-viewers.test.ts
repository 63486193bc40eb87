import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Actor, Role, RoleResolver } from '../../../src/access/roles';
import { chooseRefreshUserIds, createCardViewers, type RankedMember } from '../../../src/incidents/card-viewers';
import { ArgusError } from '../../../src/errors/catalog';
import { createLogger } from '../../../src/logging/logger';
import { createMemberCache, type ConversationMember } from '../../../src/teams/conversation-members';

const aad = (n: number) => `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`;
const m = (n: number, role?: Role): RankedMember => ({ id: `29:u${n}`, aadObjectId: aad(n), role });
const never = () => undefined;

test('refresh ids: members with a role only; owner, then recent actors (latest first), then responders and admins, then readers', () => {
  const members = [m(1, 'reader'), m(2), m(3, 'responder'), m(4, 'admin'), m(5, 'responder'), m(6, 'reader'), { id: '29:no-aad' }];
  const active = new Map([[aad(6), 100], [aad(5), 200]]);
  const ids = chooseRefreshUserIds(members, { ownerObjectId: aad(4).toUpperCase(), lastActive: (id) => active.get(id) });
  assert.deepEqual(ids, ['29:u4', '29:u5', '29:u6', '29:u3', '29:u1']);
});

test('refresh ids: at most 60, the most active kept', () => {
  const members = Array.from({ length: 100 }, (_, i) => m(i + 1, i % 2 ? 'responder' : 'reader'));
  const ids = chooseRefreshUserIds(members, { lastActive: (id) => (id === aad(99) ? 1 : undefined) });
  assert.equal(ids.length, 60);
  assert.equal(ids[0], '29:u99');
  assert.equal(ids.filter((id) => Number(id.slice(4)) % 2 === 0).length, 50, 'every responder before any reader');
  assert.deepEqual(chooseRefreshUserIds([m(1), m(2)], { lastActive: never }), []);
});

function viewersOver(listed: () => Promise<ConversationMember[]>, roleOf: Record<string, Role>) {
  let now = 0;
  const asked: Actor[] = [];
  const roles: RoleResolver = {
    async resolve(actor) {
      asked.push(actor);
      const role = roleOf[actor.aadObjectId ?? ''];
      return { role, roles: role ? [role] : [], federated: false, reasons: [] };
    },
  };
  const viewers = createCardViewers({ members: { list: listed }, roles, homeTenantId: 'home', logger: createLogger({ level: 'silent' }), ttlMs: 1_000, now: () => now });
  return { viewers, asked, tick: (ms: number) => (now += ms) };
}

test('card viewers resolve each listed member once per TTL with the same resolver, and put card actors first', async () => {
  const listed = [1, 2, 3].map((n) => ({ id: `29:u${n}`, aadObjectId: aad(n), ...(n === 3 ? { tenantId: 'partner' } : {}) }));
  const { viewers, asked, tick } = viewersOver(async () => listed, { [aad(1)]: 'reader', [aad(2)]: 'responder', [aad(3)]: 'responder' });
  assert.deepEqual(await viewers.refreshUserIds('19:c', {}), ['29:u2', '29:u3', '29:u1']);
  assert.deepEqual(asked.map((a) => a.tenantId), ['home', 'home', 'partner'], "a member's own tenant decides, else the home tenant");
  viewers.noteAction({ aadObjectId: aad(1) }, 'incident.refresh');
  viewers.noteAction({ aadObjectId: aad(3) }, 'incident.acknowledge');
  assert.deepEqual(await viewers.refreshUserIds('19:c', {}), ['29:u3', '29:u2', '29:u1'], 'a refresh is no action; an acknowledgement is');
  assert.equal(asked.length, 3, 'roles reused within the TTL');
  tick(1_000);
  assert.deepEqual(await viewers.refreshUserIds('19:c', {}), ['29:u3', '29:u2', '29:u1'], 'expired roles are answered at once');
  await new Promise((r) => setImmediate(r));
  assert.equal(asked.length, 6, 'and asked again after the TTL, in the background');
});

test('card viewers list the members of the conversations that get cards ahead of their first card, once each, until stopped', async () => {
  const listings: string[] = [];
  let hold: Promise<void> | undefined;
  const roles: RoleResolver = {
    resolve: async () => {
      await hold;
      return { role: 'responder', roles: ['responder'], federated: false, reasons: [] };
    },
  };
  let now = 0;
  const members = createMemberCache({
    ttlMs: 60_000,
    jitter: 0,
    now: () => now,
    source: {
      list: async (id) => {
        listings.push(id);
        if (id === '19:gone') throw new ArgusError('ARGUS_NOT_FOUND', `Argus is not installed in conversation ${id}`);
        return [{ id: `29:${id}`, aadObjectId: aad(listings.length) }];
      },
    },
  });
  const viewers = createCardViewers({
    members,
    now: () => now,
    roles,
    homeTenantId: 'home',
    logger: createLogger({ level: 'silent' }),
    ttlMs: 60_000,
  });
  await viewers.refreshUserIds('19:a', {});
  await viewers.warm!(['19:a', '19:b', '19:c'], { spacingMs: 0 });
  assert.deepEqual(listings, ['19:a', '19:b', '19:c'], 'one listing each; a conversation already known is skipped');
  assert.deepEqual(await viewers.refreshUserIds('19:c', {}), ['29:19:c']);
  assert.equal(listings.length, 3, 'its first card needs no listing');
  let stop = false;
  await viewers.warm!(['19:gone'], { spacingMs: 0 }); // not installed: skipped quietly, nothing thrown
  assert.equal(listings.pop(), '19:gone', 'asked once');
  await viewers.warm!(['19:d', '19:e'], { spacingMs: 0, stopped: () => ((stop = listings.length >= 4), stop) });
  assert.deepEqual(listings.slice(3), ['19:d'], 'stops when told');

  // Once expired, the roles known are answered while the members are listed and resolved again.
  now += 61_000;
  let release!: () => void;
  hold = new Promise<void>((r) => (release = r));
  assert.deepEqual(await viewers.refreshUserIds('19:c', {}), ['29:19:c'], 'not held up by the resolver');
  release();
});

test('card viewers: members that cannot be listed cost the per-user views, never the card', async () => {
  const { viewers } = viewersOver(async () => {
    throw new Error('403 from the Bot Connector');
  }, {});
  assert.deepEqual(await viewers.refreshUserIds('19:c', {}), []);
});
