import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Harness } from './argus-harness';
import { botId, type TestUser } from './fake-bot-connector';

/** Bot Framework activities as Teams sends them, addressed to a channel of a team. */
export interface ChannelSpot {
  serviceUrl: string;
  conversationId: string;
  teamId: string;
  tenantId: string;
}

function base(spot: ChannelSpot, from: TestUser) {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: spot.serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: botId, name: 'Argus' },
    conversation: { id: spot.conversationId, conversationType: 'channel', isGroup: true, tenantId: from.tenantId },
    channelData: { tenant: { id: from.tenantId }, team: { id: spot.teamId }, channel: { id: spot.conversationId } },
  };
}

export function installActivity(spot: ChannelSpot, by: TestUser) {
  return {
    ...base(spot, by),
    type: 'conversationUpdate',
    membersAdded: [{ id: botId }],
    channelData: { tenant: { id: spot.tenantId }, team: { id: spot.teamId }, eventType: 'teamMemberAdded' },
  };
}

export function uninstallActivity(spot: ChannelSpot, by: TestUser) {
  return {
    ...base(spot, by),
    type: 'conversationUpdate',
    membersRemoved: [{ id: botId }],
    channelData: { tenant: { id: spot.tenantId }, team: { id: spot.teamId }, eventType: 'teamMemberRemoved' },
  };
}

export function messageActivity(spot: ChannelSpot, from: TestUser, text: string) {
  return {
    ...base(spot, from),
    type: 'message',
    text: `<at>Argus</at> ${text}`,
    entities: [{ type: 'mention', mentioned: { id: botId, name: 'Argus' }, text: '<at>Argus</at>' }],
  };
}

export function invokeActivity(spot: ChannelSpot, from: TestUser, verb: string, data: Record<string, unknown>, replyToId?: string) {
  return {
    ...base(spot, from),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId,
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

/** The body of Argus's answer to a card action: the refreshed card, or an error Teams shows. */
export interface InvokeAnswer {
  statusCode: number;
  type: string;
  value: any;
}

/**
 * A press of a card button: posts the `adaptiveCard/action` invoke to /api/messages (replying to
 * the card's activity `replyToId`) and resolves with the answer's body; the HTTP status must be
 * 200, as Teams expects of every invoke.
 */
export async function invoke(
  h: Pick<Harness, 'activity'>,
  spot: ChannelSpot,
  from: TestUser,
  verb: string,
  data: Record<string, unknown>,
  replyToId?: string,
): Promise<InvokeAnswer> {
  const res = await h.activity(invokeActivity(spot, from, verb, data, replyToId));
  assert.equal(res.status, 200, `invoke ${verb} answered ${res.status}: ${res.text}`);
  return res.json as InvokeAnswer;
}
