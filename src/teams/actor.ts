import type { Activity } from 'botbuilder';
import type { Actor } from '../access/roles';

/** Who sent an activity, as Teams says: aadObjectId and tenant (channelData.tenant.id or conversation.tenantId). */
export function actorFromActivity(activity: Partial<Activity>): Actor {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const tenant = typeof channelData?.tenant?.id === 'string' ? channelData.tenant.id : activity.conversation?.tenantId;
  return {
    aadObjectId: activity.from?.aadObjectId,
    tenantId: tenant,
    name: activity.from?.name,
    teamsUserId: activity.from?.id,
  };
}

/** The bot mention stripped from a message, lower-cased command word and arguments. */
export function parseCommandText(text: string | undefined): { name: string; args: string[] } {
  const cleaned = (text ?? '')
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .trim();
  const [first = '', ...rest] = cleaned.split(/\s+/).filter(Boolean);
  return { name: first.toLowerCase().replace(/^\//, ''), args: rest };
}
