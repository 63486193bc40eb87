import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnContext, type Activity, type BotAdapter } from 'botbuilder';
import type { RoleDecision } from '../../../src/access/roles';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { createLogger } from '../../../src/logging/logger';
import { createArgusMetrics } from '../../../src/observability/metrics';
import { Authorizer } from '../../../src/teams/authorize';
import type { ConversationStore } from '../../../src/teams/conversation-store';
import { TeamsRegistry } from '../../../src/teams/registry';
import { createTurnHandler } from '../../../src/teams/turn-handler';
import { testUser, type TestUser } from '../../helpers/fake-bot-connector';
import { messageActivity, type ChannelSpot } from '../../helpers/teams-activities';

const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const nobody = testUser('Nina Nobody', '00000000-0000-4000-8000-000000000021', home);
const outsider = testUser('Olaf Outsider', '00000000-0000-4000-8000-000000000022', 'cccccccc-0000-4000-8000-000000000003');
const spot: ChannelSpot = { serviceUrl: 'https://smba.trafficmanager.net/emea/', conversationId: '19:general@thread.tacv2', teamId: '19:general@thread.tacv2', tenantId: home };

function world(submit: () => Promise<{ message: string }>) {
  const audit = new MemoryAuditLog();
  const noRole = { resolve: async (): Promise<RoleDecision> => ({ roles: [], federated: false, reasons: [] }) };
  const registry = new TeamsRegistry().messageAction({
    commandId: 'reportToSoc',
    role: 'member',
    fetchTask: async (ctx) => ({ form: { title: 'Report', card: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: ctx.message?.text ?? '' }] } } }),
    submit,
  });
  const handler = createTurnHandler({
    registry,
    authorizer: new Authorizer(noRole, audit),
    conversations: { get: async () => undefined } as unknown as ConversationStore,
    audit,
    logger: createLogger({ level: 'silent' }),
    metrics: createArgusMetrics(),
    homeTenantId: home,
    help: () => ({}),
    notice: () => ({}),
  });
  async function invoke(user: TestUser, name: string, value: Record<string, unknown>) {
    const sent: Array<Partial<Activity>> = [];
    const adapter = { sendActivities: async (_c: TurnContext, a: Array<Partial<Activity>>) => (sent.push(...a), a.map(() => ({ id: 'x' }))) };
    const activity = { ...messageActivity(spot, user, ''), type: 'invoke', name, value: { commandId: 'reportToSoc', ...value }, channelData: { tenant: { id: user.tenantId } } };
    await handler(new TurnContext(adapter as unknown as BotAdapter, activity as unknown as Partial<Activity>));
    assert.equal(sent.length, 1);
    const response = sent[0]!.value as { status: number; body: any };
    assert.equal(response.status, 200);
    return response.body;
  }
  return { audit, invoke };
}

const payload = { messagePayload: { body: { contentType: 'html', content: '<p>hello <b>there</b></p>' } } };

test('a message action is open to any home-tenant user (no role) and shows the message as plain text', async () => {
  const w = world(async () => ({ message: 'done' }));
  const body = await w.invoke(nobody, 'composeExtension/fetchTask', payload);
  assert.equal(body.task.type, 'continue');
  assert.equal(body.task.value.card.content.body[0].text, 'hello there');
  assert.deepEqual(await w.invoke(nobody, 'composeExtension/submitAction', { ...payload, data: {} }), { task: { type: 'message', value: 'done' } });
});

test('a user of another tenant is refused and the denial audited', async () => {
  const w = world(async () => assert.fail('must not run'));
  const body = await w.invoke(outsider, 'composeExtension/submitAction', { data: {} });
  assert.match(body.task.value, /organisation that runs Argus/);
  const rows = await w.audit.query({ action: 'message-action.reportToSoc' });
  assert.deepEqual(rows.map((r) => [r.outcome, r.actorId]), [['denied', outsider.aadObjectId]]);
});

test('a handler that throws is still answered (never an empty 501)', async () => {
  const w = world(async () => {
    throw new Error('boom');
  });
  const body = await w.invoke(nobody, 'composeExtension/submitAction', { data: {} });
  assert.match(body.task.value, /could not complete this action \(correlation id /);
});
