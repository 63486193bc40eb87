import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInMemoryGroupChecker, type GroupMembershipChecker } from '../../../src/access/group-membership';
import { createRoleResolver } from '../../../src/access/role-resolver';
import { fileConfigSchema } from '../../../src/config/file-schema';
import { ArgusError } from '../../../src/errors/catalog';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';

const home = 'AAAAAAAA-0000-4000-8000-000000000001';
const partner = 'bbbbbbbb-0000-4000-8000-000000000002';
const ann = 'a1a1a1a1-0000-4000-8000-000000000001';
const ben = 'b1b1b1b1-0000-4000-8000-000000000002';
const pia = 'c1c1c1c1-0000-4000-8000-000000000003';
const adminGroup = 'e1e1e1e1-0000-4000-8000-000000000001';
const readerGroup = 'e2e2e2e2-0000-4000-8000-000000000002';

const access = fileConfigSchema.parse({
  tenantId: home,
  access: {
    roles: { admin: { groups: [adminGroup] }, reader: { groups: [readerGroup], users: [ann.toUpperCase(), pia] } },
    federation: [
      { tenantId: partner, maxRole: 'reader', users: [pia] },
      { tenantId: partner.toUpperCase(), maxRole: 'responder', users: [pia] },
    ],
    groupCacheTtlSeconds: 30,
  },
}).access;

function setup(groups: GroupMembershipChecker, overrides: Partial<typeof access> = {}) {
  const stream = createMemoryLogStream();
  const resolver = createRoleResolver({ tenantId: home, access: { ...access, ...overrides }, groups, logger: createLogger({ level: 'debug', destination: stream }) });
  return { resolver, logs: stream.lines };
}

test('ids compare case-insensitively; every applying role is listed, highest first, each with its reason', async () => {
  const directory = createInMemoryGroupChecker({ users: [ann], groups: { [adminGroup]: [readerGroup], [readerGroup]: [ann] } });
  const { resolver } = setup(directory);
  const decision = await resolver.resolve({ aadObjectId: ann, tenantId: home.toLowerCase() });
  assert.deepEqual(decision.roles, ['admin', 'reader']);
  assert.equal(decision.role, 'admin');
  assert.deepEqual(decision.reasons, ['listed as reader user', `member of group ${adminGroup} → admin`, `member of group ${readerGroup} → reader`]);
});

test('no tenant id, no object id or a malformed one: denied without asking the directory', async () => {
  const directory = createInMemoryGroupChecker({ users: [ann], groups: {} });
  const { resolver } = setup(directory);
  for (const actor of [{ aadObjectId: ann }, { tenantId: home }, { tenantId: home, aadObjectId: `${ann}/memberOf` }, { tenantId: home, aadObjectId: '' }]) {
    const decision = await resolver.resolve(actor);
    assert.deepEqual([decision.role, decision.roles], [undefined, []], JSON.stringify(actor));
    assert.equal(decision.reasons.length, 1);
  }
  assert.equal(directory.calls.length, 0);
});

test('without configured groups the directory is never asked', async () => {
  const directory = createInMemoryGroupChecker({ users: [ann], groups: {} });
  const { resolver } = setup(directory, { roles: { admin: { groups: [], users: [] }, responder: { groups: [], users: [ben] }, reader: { groups: [], users: [] } } });
  assert.equal((await resolver.resolve({ aadObjectId: ben, tenantId: home })).role, 'responder');
  assert.equal((await resolver.resolve({ aadObjectId: ann, tenantId: home })).role, undefined);
  assert.equal(directory.calls.length, 0);
});

test('"not in the directory" is remembered like any answer; groupCacheTtlSeconds 0 asks every time', async () => {
  const directory = createInMemoryGroupChecker({ users: [], groups: {} });
  const cached = setup(directory);
  await cached.resolver.resolve({ aadObjectId: ben, tenantId: home });
  const decision = await cached.resolver.resolve({ aadObjectId: ben, tenantId: home });
  assert.equal(decision.role, undefined);
  assert.ok(decision.reasons.includes('not found in the directory, so no group roles'));
  assert.equal(directory.calls.length, 1);

  const uncached = setup(directory, { groupCacheTtlSeconds: 0 });
  await uncached.resolver.resolve({ aadObjectId: ben, tenantId: home });
  await uncached.resolver.resolve({ aadObjectId: ben, tenantId: home });
  assert.equal(directory.calls.length, 3);
});

test('federation: the highest cap among entries listing the user; a lower listed role lowers it', async () => {
  const directory = createInMemoryGroupChecker({ users: [], groups: {} });
  const { resolver } = setup(directory);
  const pi = await resolver.resolve({ aadObjectId: pia, tenantId: partner });
  // Two entries list Pia (reader and responder caps): responder is the cap, her reader listing lowers it.
  assert.deepEqual([pi.role, pi.roles, pi.federated], ['reader', ['reader'], true]);
  assert.deepEqual(pi.reasons, [`federated from tenant ${partner}, capped at responder`, 'listed as reader user']);

  const { resolver: adminListed } = setup(directory, {
    roles: { ...access.roles, admin: { groups: [], users: [pia] }, reader: { groups: [], users: [] } },
  });
  const capped = await adminListed.resolve({ aadObjectId: pia, tenantId: partner });
  assert.deepEqual([capped.role, capped.roles], ['responder', ['responder']]);
  assert.ok(capped.reasons.includes('listed as admin user (capped to responder)'));
  assert.equal(directory.calls.length, 0);
});

test('a failing directory never throws: listed roles stand, the reason and a warning tell why', async () => {
  const failing: GroupMembershipChecker = {
    async checkMemberGroups() {
      throw new ArgusError('ARGUS_DEPENDENCY_FAILED', 'Microsoft Graph checkMemberGroups failed: HTTP 503 serviceNotAvailable');
    },
  };
  const { resolver, logs } = setup(failing);
  const decision = await resolver.resolve({ aadObjectId: ann, tenantId: home });
  assert.equal(decision.role, 'reader');
  assert.ok(decision.reasons.some((r) => r.startsWith('group lookup failed: Microsoft Graph checkMemberGroups failed: HTTP 503')));
  const warning = logs.find((line) => line.level === 40);
  assert.equal(warning?.aadObjectId, ann);
});
