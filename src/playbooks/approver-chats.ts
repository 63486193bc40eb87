import { roleAtLeast, type RoleResolver } from '../access/roles';
import type { Logger } from '../logging/logger';
import type { ConversationStore } from '../teams/conversation-store';
import type { PlaybookRun } from './playbook';

/** Approval cards go to at most this many personal chats. */
const maxChats = 25;

/**
 * Personal chats (Argus installed by one user, table ArgusConversations) whose user may approve
 * `run`: of our tenant, not federated, not the requester, with the approver role. Their roles are
 * resolved like any request's, so group-based admins are found too.
 */
export async function approverChats(options: {
  conversations: Pick<ConversationStore, 'personalChats'>;
  roles: RoleResolver;
  tenantId: string;
  run: PlaybookRun;
  logger: Logger;
}): Promise<string[]> {
  const { run } = options;
  const need = run.approval?.approverRole ?? 'admin';
  const out: string[] = [];
  for await (const chat of options.conversations.personalChats()) {
    const { installedBy: user, tenantId } = chat;
    if (!user || tenantId !== options.tenantId || user === run.requestedBy.aadObjectId) continue;
    try {
      const decision = await options.roles.resolve({ aadObjectId: user, tenantId });
      if (!decision.federated && roleAtLeast(decision.role, need)) out.push(chat.conversationId);
    } catch (err) {
      options.logger.warn({ err, user }, 'could not resolve the role of a possible approver; no approval card to their chat');
    }
    if (out.length >= maxChats) break;
  }
  return out;
}
