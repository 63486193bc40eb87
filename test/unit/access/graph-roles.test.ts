import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGraphGroupChecker, type GraphGroupCheckerOptions } from '../../../src/access/graph-group-checker';
import { createRoleResolver } from '../../../src/access/role-resolver';
import { fileConfigSchema, type FileConfig } from '../../../src/config/file-schema';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { startGraphTestbed, type FakeGraph, type GraphTestbed } from '../../helpers/fake-graph';

const id = (n: number, prefix = '0') => `${prefix.repeat(8)}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const home = id(1, 'a');
const partner = id(2, 'b');
const stranger = id(3, 'c');
const alice = id(11); // listed as admin
const bob = id(12); // responder through a nested group
const carol = id(13); // reader through a group
const dave = id(14); // in the directory, in no group
const frank = id(21); // partner user, listed as admin: capped at responder
const grace = id(22); // partner user, listed as reader
const heidi = id(23); // partner user, not listed for the partner tenant
const socEngineers = id(101, 'e');
const socTier1 = id(102, 'e');
const readers = id(103, 'e');
const admins = id(104, 'e');
const filler = Array.from({ length: 23 }, (_, i) => id(200 + i, 'f'));

let testbed: GraphTestbed;
let graph: FakeGraph;
let config: FileConfig;

before(async () => {
  testbed = await startGraphTestbed({
    users: [alice, bob, carol, dave],
    groups: { [socEngineers]: [socTier1], [socTier1]: [bob], [readers]: [carol], [admins]: [], ...Object.fromEntries(filler.map((g) => [g, []])) },
  });
  graph = testbed.graph;
  config = fileConfigSchema.parse({
    tenantId: home,
    graph: { endpoint: graph.endpoint },
    access: {
      roles: {
        admin: { groups: [admins], users: [alice, frank] },
        responder: { groups: [socEngineers] },
        reader: { groups: [readers, ...filler], users: [grace] },
      },
      federation: [{ tenantId: partner, maxRole: 'responder', users: [frank, grace] }],
      groupCacheTtlSeconds: 60,
    },
  });
});

after(() => testbed.close());

function makeResolver(options: { now?: () => number; retry?: GraphGroupCheckerOptions['retry'] } = {}) {
  const stream = createMemoryLogStream();
  const logger = createLogger({ level: 'debug', destination: stream });
  const groups = createGraphGroupChecker({ endpoint: config.graph.endpoint, scope: config.graph.scope, credential: testbed.credential, logger, retry: options.retry });
  return { resolver: createRoleResolver({ tenantId: config.tenantId, access: config.access, groups, logger, now: options.now }), logs: stream.lines };
}

test('home users: admin by list, responder through a nested group, reader, and unknown denied', async () => {
  const { resolver } = makeResolver();
  const a = await resolver.resolve({ aadObjectId: alice, tenantId: home });
  assert.equal(a.role, 'admin');
  assert.equal(a.federated, false);
  assert.ok(a.reasons.includes('listed as admin user'), a.reasons.join('; '));

  const b = await resolver.resolve({ aadObjectId: bob, tenantId: home });
  assert.deepEqual([b.role, b.roles], ['responder', ['responder']]);
  assert.ok(b.reasons.includes(`member of group ${socEngineers} → responder`), b.reasons.join('; '));

  const c = await resolver.resolve({ aadObjectId: carol, tenantId: home });
  assert.deepEqual([c.role, c.roles], ['reader', ['reader']]);

  const d = await resolver.resolve({ aadObjectId: dave, tenantId: home });
  assert.deepEqual([d.role, d.roles], [undefined, []]);
  assert.ok(d.reasons.length > 0);

  const e = await resolver.resolve({ aadObjectId: id(99), tenantId: home });
  assert.equal(e.role, undefined);
  assert.ok(e.reasons.some((r) => r.includes('not found in the directory')), e.reasons.join('; '));

  // The token asked for Graph's own audience, although the endpoint is local.
  assert.ok(testbed.identity.issued.length > 0);
  assert.ok(testbed.identity.issued.every((resource) => resource === 'https://graph.microsoft.com'), testbed.identity.issued.join(', '));
});

test('26 configured groups are checked in two calls of at most 20', async () => {
  const { resolver } = makeResolver();
  const before = graph.checks().length;
  await resolver.resolve({ aadObjectId: bob, tenantId: home });
  const calls = graph.checks().slice(before);
  assert.deepEqual(calls.map((c) => c.groupIds.length).sort((x, y) => y - x), [20, 6]);
  assert.deepEqual(new Set(calls.flatMap((c) => c.groupIds)).size, 26);
});

test('a second resolve is served from the cache; after the TTL Graph is asked again; bursts share one lookup', async () => {
  let clock = 1_000_000;
  const { resolver } = makeResolver({ now: () => clock });
  const start = graph.checks().length;
  await Promise.all(Array.from({ length: 5 }, () => resolver.resolve({ aadObjectId: carol, tenantId: home })));
  assert.equal(graph.checks().length - start, 2, 'five concurrent clicks: one lookup (two batches)');
  await resolver.resolve({ aadObjectId: carol, tenantId: home });
  clock += 59_000;
  assert.equal((await resolver.resolve({ aadObjectId: carol, tenantId: home })).role, 'reader');
  assert.equal(graph.checks().length - start, 2, 'cache hit: no new Graph call');
  clock += 1_000;
  assert.equal((await resolver.resolve({ aadObjectId: carol, tenantId: home })).role, 'reader');
  assert.equal(graph.checks().length - start, 4, 'TTL expired: asked again');
});

test('federated users are decided from the federation list alone and never reach Graph', async () => {
  const { resolver } = makeResolver();
  const attempts = graph.attempts().length;
  const f = await resolver.resolve({ aadObjectId: frank, tenantId: partner });
  assert.deepEqual([f.role, f.roles, f.federated], ['responder', ['responder'], true]);
  assert.ok(f.reasons.includes(`federated from tenant ${partner}, capped at responder`), f.reasons.join('; '));

  const g = await resolver.resolve({ aadObjectId: grace, tenantId: partner });
  assert.deepEqual([g.role, g.roles], ['reader', ['reader']]);

  const h = await resolver.resolve({ aadObjectId: heidi, tenantId: partner });
  assert.deepEqual([h.role, h.roles, h.federated], [undefined, [], true]);

  // Alice is an admin at home, but the same object id from an unfederated tenant is nobody.
  const s = await resolver.resolve({ aadObjectId: alice, tenantId: stranger });
  assert.deepEqual([s.role, s.federated], [undefined, true]);
  assert.equal(graph.attempts().length, attempts, 'no Graph request for other tenants');
});

test('Graph down: configured users keep their role, group roles lapse, the reason and a warning say why', async () => {
  const { resolver, logs } = makeResolver({ retry: { maxRetries: 0 } });
  graph.failNext(4, 503); // two lookups × two batches
  const a = await resolver.resolve({ aadObjectId: alice, tenantId: home });
  assert.equal(a.role, 'admin');
  assert.ok(a.reasons.some((r) => /^group lookup failed: .*503/.test(r)), a.reasons.join('; '));
  const b = await resolver.resolve({ aadObjectId: bob, tenantId: home });
  assert.equal(b.role, undefined);
  assert.ok(b.reasons.some((r) => r.startsWith('group lookup failed')), b.reasons.join('; '));
  assert.ok(logs.some((line) => line.level === 40 && String(line.msg).includes('group lookup failed')));
  // Failures are not cached: once Graph is back, the next click gets the group role.
  assert.equal((await resolver.resolve({ aadObjectId: bob, tenantId: home })).role, 'responder');
});
