import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { Logger } from '../logging/logger';
import { messageActivity, type TeamsMessage } from './teams-delivery';

/** Where a person's personal chat with Argus is reached: their Teams id, tenant, and the Bot Connector of a request of theirs. */
export interface UserChatTarget {
  teamsUserId: string;
  tenantId: string;
  serviceUrl: string;
  botId: string;
}

/** Port: a message to one person's personal chat with Argus (made by Teams if there is none yet). */
export interface UserChats {
  send(target: UserChatTarget, message: TeamsMessage): Promise<{ conversationId: string; activityId?: string }>;
}

/**
 * Through the Bot Connector: `POST /v3/conversations` with the user as the one member and the
 * message as its first activity. Teams answers the existing 1:1 conversation when there is one,
 * so every message to a person lands in the same chat.
 */
export function botUserChats(options: { adapter: CloudAdapter; appId: string; logger: Logger }): UserChats {
  return {
    async send(target, message) {
      const reference: Partial<ConversationReference> = {
        channelId: 'msteams',
        serviceUrl: target.serviceUrl,
        bot: { id: target.botId, name: 'Argus' },
        conversation: { id: `personal:${target.teamsUserId}`, isGroup: false, conversationType: 'personal', name: '' },
      };
      let answer: { conversationId: string; activityId?: string } | undefined;
      let failure: { err: unknown } | undefined;
      await options.adapter.continueConversationAsync(options.appId, reference, async (ctx) => {
        try {
          const client = ctx.turnState.get<ConnectorClient>(ctx.adapter.ConnectorClientKey);
          const res = await client.conversations.createConversation({
            isGroup: false,
            bot: reference.bot!,
            members: [{ id: target.teamsUserId, name: '' }],
            tenantId: target.tenantId,
            channelData: { tenant: { id: target.tenantId } },
            activity: { ...messageActivity(message), from: reference.bot } as Activity,
          });
          answer = { conversationId: res.id, activityId: res.activityId };
        } catch (err) {
          failure = { err };
        }
      });
      if (failure) throw failure.err;
      return answer ?? { conversationId: '' };
    },
  };
}
