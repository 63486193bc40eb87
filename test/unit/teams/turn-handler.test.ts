import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnContext, type Activity, type BotAdapter } from 'botbuilder';
import type { Actor, Role, RoleDecision } from '../../../src/access/roles';
import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { ArgusError } from '../../../src/errors/catalog';
import { createLogger } from '../../../src/logging/logger';
import { createArgusMetrics } from '../../../src/observability/metrics';
import { Authorizer } from '../../../src/teams/authorize';
import type { ConversationStore, StoredConversation } from '../../../src/teams/conversation-store';
import { TeamsRegistry, type CardActionResult, type RequestContext } from '../../../src/teams/registry';
import { cardContentType, createTurnHandler, errorContentType } from '../../../src/teams/turn-handler';
import { testUser } from '../../helpers/fake-bot-connector';
import { installActivity, invokeActivity, messageActivity, uninstallActivity, type ChannelSpot } from '../../helpers/teams-activities';

const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const partner = 'bbbbbbbb-0000-4000-8000-000000000002';
const admin = testUser('Ada Admin', '00000000-0000-4000-8000-000000000011', home);
const reader = testUser('Rita Reader', '00000000-0000-4000-8000-000000000012', home);
const stranger = testUser('Sam Stranger', '00000000-0000-4000-8000-000000000013', partner);
const partnerResponder = testUser('Pat Partner', '00000000-0000-4000-8000-000000000015', partner);
const spot: ChannelSpot = { serviceUrl: 'https://smba.trafficmanager.net/emea/', conversationId: '19:soc@thread.tacv2', teamId: '19:soc@thread.tacv2', tenantId: home };

const roleOf: Record<string, Role> = { [admin.aadObjectId]: 'admin', [reader.aadObjectId]: 'reader', [partnerResponder.aadObjectId]: 'responder' };

/** The turn handler over in-memory collaborators; `turn(activity)` runs one turn and returns what was sent. */
function world() {
  const audit = new MemoryAuditLog();
  const roles = {
    async resolve(actor: Actor): Promise<RoleDecision> {
      const role = roleOf[actor.aadObjectId ?? ''];
      return { role, roles: role ? [role] : [], federated: actor.tenantId !== home, reasons: role ? [`test ${role}`] : [] };
    },
  };
  const conversations = new Map<string, StoredConversation>();
  const removed: Array<[string, string | undefined]> = [];
  const store = {
    async get(id: string) {
      return conversations.get(id);
    },
    async upsert(conv: StoredConversation) {
      conversations.set(conv.conversationId, conv);
    },
    async remove(id: string, teamId?: string) {
      removed.push([id, teamId]);
      return conversations.delete(id) ? 1 : 0;
    },
  };
  const metrics = createArgusMetrics();
  const registry = new TeamsRegistry();
  const handler = createTurnHandler({
    registry,
    authorizer: new Authorizer(roles, audit),
    conversations: store as unknown as ConversationStore,
    audit,
    logger: createLogger({ level: 'silent' }),
    metrics,
    homeTenantId: home,
    help: () => ({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'help card' }] }),
    notice: (title, text, style) => ({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: `${title}: ${text}` }], style }),
  });
  async function turn(activity: unknown): Promise<Array<Partial<Activity>>> {
    const sent: Array<Partial<Activity>> = [];
    const adapter = {
      async sendActivities(_context: TurnContext, activities: Array<Partial<Activity>>) {
        sent.push(...activities);
        return activities.map((_, i) => ({ id: `sent-${i}` }));
      },
    };
    await handler(new TurnContext(adapter as unknown as BotAdapter, activity as Partial<Activity>));
    return sent;
  }
  /** Runs an invoke turn and returns the body of its invoke response (the only thing sent). */
  async function invoke(activity: unknown): Promise<{ statusCode: number; type: string; value: any }> {
    const sent = await turn(activity);
    assert.equal(sent.length, 1, 'one activity: the invoke response');
    assert.equal(sent[0]!.type, 'invokeResponse');
    const value = sent[0]!.value as { status: number; body: { statusCode: number; type: string; value: any } };
    assert.equal(value.status, 200, 'Teams always gets HTTP 200; the body says what happened');
    return value.body;
  }
  return { audit, registry, conversations, removed, metrics, turn, invoke, rows: () => audit.query() };
}

type ActionCtx = RequestContext & { data: Record<string, unknown> };

function refreshAction(w: ReturnType<typeof world>, role: Role, calls: ActionCtx[], answer: (ctx: ActionCtx) => Promise<CardActionResult> = async () => ({ card: { refreshed: true } })) {
  w.registry.action({
    verb: 'incident.refresh',
    role,
    needsIncident: true,
    async handle(ctx) {
      calls.push(ctx);
      return answer(ctx);
    },
  });
}

test('a card action goes to the verb registered for it, after the role check, and its card is the answer', async () => {
  const w = world();
  const calls: ActionCtx[] = [];
  refreshAction(w, 'reader', calls);
  const body = await w.invoke(invokeActivity(spot, reader, 'incident.refresh', { incidentId: 'inc-1', extra: 2 }, 'card-activity'));
  assert.deepEqual(body, { statusCode: 200, type: cardContentType, value: { refreshed: true } });
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]!.data, { incidentId: 'inc-1', extra: 2 });
  assert.equal(calls[0]!.actor.aadObjectId, reader.aadObjectId);
  assert.equal(calls[0]!.decision.role, 'reader');
  assert.equal(calls[0]!.conversationId, spot.conversationId);
  const [row] = await w.rows();
  assert.equal(row?.action, 'card.incident.refresh');
  assert.equal(row?.outcome, 'allowed');
  assert.equal(row?.target, 'inc-1');
  assert.equal(row?.correlationId, calls[0]!.correlationId);
  assert.equal(w.metrics.invokes.get({ verb: 'incident.refresh', outcome: 'ok' }), 1);
});

test('someone below the verb’s role is denied: the handler never runs, the denial is audited and shown', async () => {
  const w = world();
  const calls: ActionCtx[] = [];
  refreshAction(w, 'responder', calls);
  const body = await w.invoke(invokeActivity(spot, reader, 'incident.refresh', { incidentId: 'inc-1' }));
  assert.equal(calls.length, 0);
  assert.equal(body.statusCode, 200);
  assert.equal(body.type, cardContentType);
  assert.match(JSON.stringify(body.value), /Access denied: This needs the responder role; your role is reader\./);
  const rows = await w.rows();
  assert.deepEqual(rows.map((r) => [r.action, r.outcome, r.actorId]), [['card.incident.refresh', 'denied', reader.aadObjectId]]);
  assert.equal(w.metrics.invokes.get({ verb: 'incident.refresh', outcome: 'denied' }), 1);
});

test('a verb’s own denied card is shown instead of the notice when it has one', async () => {
  const w = world();
  w.registry.action({
    verb: 'incident.close',
    role: 'admin',
    needsIncident: true,
    handle: async () => assert.fail('not for a reader'),
    denied: async (ctx, message) => ({ readOnly: ctx.data.incidentId, message }),
  });
  const body = await w.invoke(invokeActivity(spot, reader, 'incident.close', { incidentId: 'inc-9' }));
  assert.deepEqual(body.value, { readOnly: 'inc-9', message: 'This needs the admin role; your role is reader.' });
});

test('an unknown verb is answered with an error body, never a throw', async () => {
  const w = world();
  const body = await w.invoke(invokeActivity(spot, admin, 'incident.explode', { incidentId: 'inc-1' }));
  assert.deepEqual(body, { statusCode: 400, type: errorContentType, value: { code: 'ARGUS_UNKNOWN_VERB', message: "Argus does not know the action 'incident.explode'." } });
  assert.deepEqual(await w.rows(), [], 'nothing to authorize, nothing audited');
});

test('malformed card actions and other invokes get a 400 error body', async () => {
  const w = world();
  refreshAction(w, 'reader', []);
  const cases: Array<[unknown, string]> = [
    [{ ...invokeActivity(spot, admin, 'x', {}), value: { nonsense: true } }, 'expected Action.Execute with a verb'],
    [{ ...invokeActivity(spot, admin, 'x', {}), value: { action: { type: 'Action.Submit', verb: 'incident.refresh' } } }, 'expected Action.Execute with a verb'],
    [invokeActivity(spot, admin, 'incident.refresh', {}), 'no valid incidentId'],
    [invokeActivity(spot, admin, 'incident.refresh', { incidentId: 'bad id with spaces' }), 'no valid incidentId'],
    [{ ...invokeActivity(spot, admin, 'incident.refresh', { incidentId: 'i' }), name: 'composeExtension/query' }, "does not handle invoke 'composeExtension/query'"],
  ];
  for (const [activity, message] of cases) {
    const body = await w.invoke(activity);
    assert.equal(body.statusCode, 400);
    assert.equal(body.type, errorContentType);
    assert.equal(body.value.code, 'ARGUS_BAD_REQUEST');
    assert.ok(body.value.message.includes(message), `${body.value.message} mentions ${message}`);
  }
});

test('a handler that throws is answered with an error body: its own message when 4xx, a correlation id when 5xx', async () => {
  const w = world();
  let thrown: unknown = new ArgusError('ARGUS_NOT_FOUND', 'No incident inc-1.');
  const calls: ActionCtx[] = [];
  refreshAction(w, 'reader', calls, async () => {
    throw thrown;
  });
  const notFound = await w.invoke(invokeActivity(spot, reader, 'incident.refresh', { incidentId: 'inc-1' }));
  assert.deepEqual(notFound, { statusCode: 404, type: errorContentType, value: { code: 'ARGUS_NOT_FOUND', message: 'No incident inc-1.' } });
  thrown = new Error('socket hang up (internal detail)');
  const broken = await w.invoke(invokeActivity(spot, reader, 'incident.refresh', { incidentId: 'inc-1' }));
  assert.equal(broken.statusCode, 500);
  assert.equal(broken.value.code, 'ARGUS_INTERNAL');
  assert.equal(broken.value.message, `Argus could not complete this action (correlation id ${calls[1]!.correlationId}).`);
});

test('a command runs with its arguments after the role check; unknown text gets help', async () => {
  const w = world();
  const runs: Array<{ args: string[]; role?: Role }> = [];
  w.registry.command({
    name: 'subscribe',
    usage: 'subscribe [severity…]',
    summary: 'Post incident cards here',
    role: 'admin',
    audited: true,
    run: async (ctx, args) => (runs.push({ args, role: ctx.decision.role }), { text: `subscribed ${args.join(' ')}` }),
  });
  const sent = await w.turn(messageActivity(spot, admin, 'SUBSCRIBE high medium'));
  assert.deepEqual(runs, [{ args: ['high', 'medium'], role: 'admin' }]);
  assert.equal(sent.at(-1)?.text, 'subscribed high medium');
  assert.ok((await w.rows()).some((r) => r.action === 'command.subscribe' && r.outcome === 'allowed'), 'an audited command is audited when allowed');

  const denied = await w.turn(messageActivity(spot, reader, 'subscribe'));
  assert.equal(runs.length, 1, 'a reader may not subscribe');
  assert.match(JSON.stringify(denied.at(-1)?.attachments), /Access denied: This needs the admin role/);
  assert.equal(denied.at(-1)?.attachments?.[0]?.contentType, cardContentType);
  assert.ok((await w.rows()).some((r) => r.action === 'command.subscribe' && r.outcome === 'denied' && r.actorId === reader.aadObjectId));

  const help = await w.turn(messageActivity(spot, reader, 'what can you do'));
  assert.match(JSON.stringify(help.at(-1)?.attachments), /help card/);
});

test('a command that throws is answered with a notice, not a failed turn', async () => {
  const w = world();
  w.registry.command({ name: 'boom', usage: 'boom', summary: '', role: 'anyone', run: async () => Promise.reject(new Error('internal')) });
  const sent = await w.turn(messageActivity(spot, reader, 'boom'));
  assert.match(JSON.stringify(sent.at(-1)?.attachments), /Something went wrong: Argus could not run that command \(correlation id [0-9a-f-]{36}\)/);
});

test('install: the conversation is stored and audited; uninstall: removed and audited', async () => {
  const w = world();
  await w.turn(installActivity(spot, admin));
  const stored = w.conversations.get(spot.conversationId);
  assert.equal(stored?.kind, 'channel');
  assert.equal(stored?.teamId, spot.teamId);
  assert.equal(stored?.installedBy, admin.aadObjectId);
  assert.equal(stored?.reference.serviceUrl, spot.serviceUrl);
  assert.equal(stored?.reference.activityId, undefined, 'the reference points at the conversation, not the install activity');
  let rows = await w.rows();
  assert.deepEqual(rows.map((r) => [r.action, r.outcome, r.target]), [['teams.installed', 'succeeded', spot.conversationId]]);
  assert.deepEqual(rows[0]!.detail, { kind: 'channel', teamId: spot.teamId, basis: 'team install in the home tenant' });

  await w.turn(uninstallActivity(spot, admin));
  assert.deepEqual(w.removed, [[spot.conversationId, spot.teamId]]);
  assert.equal(w.conversations.size, 0);
  rows = await w.rows();
  assert.deepEqual(rows.map((r) => [r.action, r.outcome]).at(-1), ['teams.uninstalled', 'succeeded']);
  assert.deepEqual(rows.at(-1)!.detail, { removed: 1 });
});

test('a team install from the home tenant is kept without a role; from elsewhere only with a role, else audited as denied', async () => {
  const w = world();
  const nobodyAtHome = testUser('Hal Home', '00000000-0000-4000-8000-000000000014', home);
  await w.turn(installActivity(spot, nobodyAtHome));
  assert.ok(w.conversations.has(spot.conversationId));
  assert.equal((await w.rows())[0]!.detail.basis, 'team install in the home tenant');

  const partnerTeam: ChannelSpot = { ...spot, conversationId: '19:partner@thread.tacv2', teamId: '19:partner@thread.tacv2', tenantId: partner };
  await w.turn(installActivity(partnerTeam, partnerResponder));
  assert.ok(w.conversations.has(partnerTeam.conversationId));
  assert.equal((await w.rows()).at(-1)!.detail.basis, 'federated responder');

  const elsewhere: ChannelSpot = { ...spot, conversationId: '19:other@thread.tacv2', teamId: '19:other@thread.tacv2', tenantId: partner };
  await w.turn(installActivity(elsewhere, stranger));
  assert.equal(w.conversations.has(elsewhere.conversationId), false);
  const last = (await w.rows()).at(-1)!;
  assert.deepEqual([last.action, last.outcome, last.target], ['teams.installed', 'denied', elsewhere.conversationId]);
  assert.equal(last.detail.reason, 'the installer has no Argus role');
});

test('installationUpdate add and remove install and uninstall as well', async () => {
  const w = world();
  const base = installActivity(spot, admin);
  await w.turn({ ...base, type: 'installationUpdate', action: 'add', membersAdded: undefined });
  assert.ok(w.conversations.has(spot.conversationId));
  await w.turn({ ...base, type: 'installationUpdate', action: 'remove', membersAdded: undefined });
  assert.equal(w.conversations.size, 0);
  assert.deepEqual((await w.rows()).map((r) => r.action), ['teams.installed', 'teams.uninstalled']);
});
