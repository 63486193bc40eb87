import type { TableClient } from '@azure/data-tables';
import { roleAtLeast, type RoleResolver } from '../access/roles';
import type { Logger } from '../logging/logger';
import type { PlaybookRun } from './playbook';

/** Approval cards go to at most this many personal chats. */
const maxChats = 25;

/**
 * Personal chats (Argus installed by one user, table ArgusConversations) whose user may approve
 * `run`: of our tenant, not federated, not the requester, with the approver role. Their roles are
 * resolved like any request's, so group-based admins are found too.
 */
export async function approverChats(options: {
  conversations: TableClient;
  roles: RoleResolver;
  tenantId: string;
  run: PlaybookRun;
  logger: Logger;
}): Promise<string[]> {
  const { run } = options;
  const need = run.approval?.approverRole ?? 'admin';
  const out: string[] = [];
  const filter = "PartitionKey eq 'conversation' and kind eq 'personal'";
  for await (const e of options.conversations.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
    const user = typeof e.installedBy === 'string' ? e.installedBy : '';
    const tenantId = typeof e.tenantId === 'string' ? e.tenantId : '';
    if (!user || tenantId !== options.tenantId || user === run.requestedBy.aadObjectId) continue;
    try {
      const decision = await options.roles.resolve({ aadObjectId: user, tenantId });
      if (!decision.federated && roleAtLeast(decision.role, need)) out.push(String(e.conversationId));
    } catch (err) {
      options.logger.warn({ err, user }, 'could not resolve the role of a possible approver; no approval card to their chat');
    }
    if (out.length >= maxChats) break;
  }
  return out;
}
