import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createInMemoryGroupChecker } from '../../../src/access/group-membership';
import { createRoleResolver } from '../../../src/access/role-resolver';
import type { Actor } from '../../../src/access/roles';
import { fileConfigSchema } from '../../../src/config/file-schema';
import { createLogger } from '../../../src/logging/logger';
import { registerBuiltinCommands } from '../../../src/teams/builtin-commands';
import { TeamsRegistry, type RequestContext } from '../../../src/teams/registry';
import { textOf } from '../cards/card-checker';

const id = (n: number, prefix = '0') => `${prefix.repeat(8)}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const home = id(1, 'a');
const partner = id(2, 'b');
const adminGroup = id(101, 'e');
const socGroup = id(102, 'e');
const ada = { name: 'Ada Admin', aadObjectId: id(11), tenantId: home };
const rui = { name: 'Rui Responder', aadObjectId: id(12), tenantId: home };
const pat = { name: 'Pat Partner', aadObjectId: id(21), tenantId: partner };

const logger = createLogger({ level: 'silent' });
const access = fileConfigSchema.parse({
  tenantId: home,
  access: {
    roles: { admin: { groups: [adminGroup] }, responder: { groups: [socGroup] }, reader: {} },
    federation: [{ tenantId: partner, maxRole: 'responder', users: [pat.aadObjectId] }],
  },
}).access;
const roles = createRoleResolver({
  tenantId: home,
  access,
  groups: createInMemoryGroupChecker({ users: [ada.aadObjectId, rui.aadObjectId], groups: { [adminGroup]: [ada.aadObjectId], [socGroup]: [rui.aadObjectId] } }),
  logger,
});
const registry = new TeamsRegistry();
registerBuiltinCommands(registry, roles);

async function whoami(actor: Actor): Promise<string> {
  const command = registry.commands.get('whoami');
  assert.ok(command);
  const ctx: RequestContext = {
    actor,
    decision: await roles.resolve(actor),
    conversationId: 'a:personal',
    rawConversationId: 'a:personal',
    conversationKind: 'personal',
    correlationId: 'c-1',
    log: logger,
  };
  const reply = await command.run(ctx, []);
  return textOf(reply.card);
}

test('whoami shows an admin the group ids and federation details behind the role', async () => {
  const text = await whoami(ada);
  for (const expected of ['Ada Admin', home, 'admin', adminGroup, 'Federated', ada.aadObjectId]) assert.ok(text.includes(expected), `${expected} in\n${text}`);
});

test('whoami shows a responder name, tenant and role, but no group ids', async () => {
  const text = await whoami(rui);
  for (const expected of ['Rui Responder', home, 'responder', 'shown to Argus administrators only']) assert.ok(text.includes(expected), `${expected} in\n${text}`);
  for (const secret of [socGroup, adminGroup, 'member of group', 'Federated', rui.aadObjectId]) assert.ok(!text.includes(secret), `${secret} leaked in\n${text}`);
});

test('whoami shows a federated user name, tenant and role, but not the federation entry', async () => {
  const text = await whoami(pat);
  for (const expected of ['Pat Partner', partner, 'responder']) assert.ok(text.includes(expected), `${expected} in\n${text}`);
  for (const secret of ['capped', 'federated from', 'Federated', pat.aadObjectId]) assert.ok(!text.includes(secret), `${secret} leaked in\n${text}`);
});

test('whoami tells a user without a role that everything is denied, without the access design', async () => {
  const text = await whoami({ name: 'Sam Stranger', aadObjectId: id(13), tenantId: id(3, 'c') });
  assert.match(text, /You have no Argus role: every action is denied/);
  assert.ok(!text.includes('not federated'), text);
});
