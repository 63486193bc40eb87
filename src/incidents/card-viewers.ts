import { roleAtLeast, type Actor, type Role, type RoleResolver } from '../access/roles';
import { LruMap } from '../cache/lru-map';
import { MAX_REFRESH_USER_IDS } from '../cards/incident-card-data';
import { incidentVerbs } from '../cards/verbs';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import type { ConversationMember, ConversationMembers } from '../teams/conversation-members';

/** How long a conversation's member list and their roles are kept: 10 minutes. */
export const viewersTtlMs = 10 * 60_000;

/** A member whose role is known. */
export interface RankedMember {
  id: string;
  aadObjectId?: string;
  role?: Role;
}

/**
 * Port: who in a conversation gets the incident card refreshed for them (their own buttons), and
 * who has been acting on cards lately (they come first).
 */
export interface CardViewers {
  /** Teams user ids (29:…), most active responders first, at most 60; [] when the members are unknown. */
  refreshUserIds(conversationId: string, incident: { ownerObjectId?: string }): Promise<string[]>;
  /** Someone used a card action (refreshing or viewing a card does not count). */
  noteAction(actor: Actor, verb: string): void;
  /**
   * Lists the members of `conversationIds` and resolves their roles ahead of their first card (after
   * a start), one conversation at a time, `spacingMs` apart (default 250: a few roster calls a
   * second, well inside Teams' limits); stops early when `stopped()` says so. Failures are logged.
   */
  warm?(conversationIds: readonly string[], options?: { spacingMs?: number; stopped?: () => boolean }): Promise<void>;
}

/**
 * The ids for `refresh.userIds`: members with a role only (the others see the base card), the
 * incident's owner first, then whoever acted on a card lately (the latest first), then responders
 * and admins, then readers; list order within each group; at most `max`.
 */
export function chooseRefreshUserIds(
  members: readonly RankedMember[],
  context: { ownerObjectId?: string; lastActive: (aadObjectId: string) => number | undefined },
  max = MAX_REFRESH_USER_IDS,
): string[] {
  const owner = context.ownerObjectId?.toLowerCase();
  const ranked = members
    .filter((m) => m.role !== undefined)
    .map((m, order) => {
      const aad = m.aadObjectId?.toLowerCase();
      const active = aad ? context.lastActive(aad) : undefined;
      const tier = aad && aad === owner ? 0 : active !== undefined ? 1 : roleAtLeast(m.role, 'responder') ? 2 : 3;
      return { id: m.id, tier, active: active ?? 0, order };
    })
    .sort((a, b) => a.tier - b.tier || b.active - a.active || a.order - b.order);
  return [...new Set(ranked.map((r) => r.id))].slice(0, max);
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of the results. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface CardViewersOptions {
  /** The conversation's members (cached: createMemberCache). */
  members: ConversationMembers;
  /** The same resolver every click goes through; its group answers are cached. */
  roles: RoleResolver;
  /** A member listed without a tenant id is taken to be of this one. */
  homeTenantId: string;
  logger: Logger;
  /** How long a conversation's resolved roles are kept (ms). */
  ttlMs: number;
  /** Members whose roles are resolved at most per conversation (the most active first). */
  maxResolved?: number;
  /** How long a card action counts as recent (ms). */
  activeWindowMs?: number;
  now?: () => number;
}

/**
 * Lists a conversation's members, resolves their roles in small batches (each a normal role
 * decision, so federation caps and group answers apply), and picks who gets per-user refreshes.
 * A failure to list or resolve costs the refresh list, never the card: it is sent without one.
 */
export function createCardViewers(options: CardViewersOptions): CardViewers {
  const now = options.now ?? Date.now;
  const maxResolved = options.maxResolved ?? 300;
  const activeWindowMs = options.activeWindowMs ?? 7 * 24 * 3_600_000;
  const log = options.logger.child({ component: 'card-viewers' });
  const active = new LruMap<string, number>(5_000);
  const resolved = new LruMap<string, { members: RankedMember[]; expiresAt: number; from: ConversationMember[] }>(1_000);

  const lastActive = (aad: string): number | undefined => {
    const at = active.get(aad);
    return at !== undefined && now() - at < activeWindowMs ? at : undefined;
  };

  const resolving = new Map<string, Promise<RankedMember[]>>();

  /**
   * The members of a conversation with their roles. Roles resolved before are answered at once even
   * when their list changed or they expired (they only choose who gets a per-user refresh; what a
   * viewer sees is decided by their own role when the refresh comes), and resolved again in the
   * background; only a conversation never resolved waits.
   */
  async function rolesOf(conversationId: string, ownerObjectId: string | undefined): Promise<RankedMember[]> {
    const listed = await options.members.list(conversationId);
    const cached = resolved.get(conversationId);
    if (cached && cached.from === listed && cached.expiresAt > now()) return cached.members;
    const again = resolving.get(conversationId) ?? resolve(conversationId, listed, ownerObjectId);
    if (!cached) return again;
    again.catch((err: unknown) => log.warn({ err, conversationId }, 'could not resolve the roles of the conversation members again'));
    return cached.members;
  }

  function resolve(conversationId: string, listed: ConversationMember[], ownerObjectId: string | undefined): Promise<RankedMember[]> {
    const run = resolveRoles(conversationId, listed, ownerObjectId).finally(() => resolving.delete(conversationId));
    resolving.set(conversationId, run);
    return run;
  }

  async function resolveRoles(conversationId: string, listed: ConversationMember[], ownerObjectId: string | undefined): Promise<RankedMember[]> {
    const owner = ownerObjectId?.toLowerCase();
    const first = (m: ConversationMember) => {
      const aad = m.aadObjectId?.toLowerCase();
      return aad && (aad === owner || lastActive(aad) !== undefined) ? 0 : 1;
    };
    const chosen = [...listed].sort((a, b) => first(a) - first(b)).slice(0, maxResolved);
    const members = await mapLimited(chosen, 8, async (m): Promise<RankedMember> => {
      if (!m.aadObjectId) return { id: m.id };
      const decision = await options.roles.resolve({ aadObjectId: m.aadObjectId, tenantId: m.tenantId ?? options.homeTenantId, name: m.name, teamsUserId: m.id });
      return { id: m.id, aadObjectId: m.aadObjectId, role: decision.role };
    });
    resolved.set(conversationId, { members, expiresAt: now() + options.ttlMs, from: listed });
    return members;
  }

  return {
    async refreshUserIds(conversationId, incident) {
      try {
        const members = await rolesOf(conversationId, incident.ownerObjectId);
        return chooseRefreshUserIds(members, { ownerObjectId: incident.ownerObjectId, lastActive });
      } catch (err) {
        log.warn({ err, conversationId }, 'could not list the conversation members: the card goes without per-user views');
        return [];
      }
    },
    async warm(conversationIds, o = {}) {
      const spacingMs = o.spacingMs ?? 250;
      for (const conversationId of conversationIds) {
        if (o.stopped?.()) return;
        if (!resolved.has(conversationId))
          await rolesOf(conversationId, undefined).catch((err: unknown) =>
            // Routing may name a conversation Argus is not installed in (yet): nothing to list there.
            err instanceof ArgusError && err.code === 'ARGUS_NOT_FOUND'
              ? log.debug({ conversationId }, 'a conversation routing names is not installed: no members to list')
              : log.warn({ err, conversationId }, 'could not list the conversation members ahead of its cards'),
          );
        if (spacingMs > 0) await new Promise((r) => setTimeout(r, spacingMs));
      }
    },
    noteAction(actor, verb) {
      const aad = actor.aadObjectId?.toLowerCase();
      if (!aad || verb === incidentVerbs.refresh || verb === incidentVerbs.view) return;
      active.set(aad, now());
    },
  };
}
