import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { clockOptions } from '../response/clock-config';
import { createClocksFeature, type ClocksFeature } from '../response/clocks-feature';
import { asEntityTable } from '../storage/entity-table';
import { tableNames } from '../storage/table-store';
import type { ConversationStore } from '../teams/conversation-store';
import type { Platform } from './compose';

/** Compliance clocks and escalation, made from the platform's ports (table ArgusClocks). */
export function createClocks(p: Platform): ClocksFeature {
  const { file } = p.config;
  return createClocksFeature({
    table: asEntityTable(p.store.client(tableNames.clocks)),
    options: clockOptions(file.response.clocks),
    policy: file.escalation,
    incidents: p.incidents,
    cards: p.outbox,
    delivery: p.delivery,
    people: (ids) => personalChatsOf(p.conversations, ids),
    publisher: p.publisher,
    audit: p.audit,
    logger: p.logger.child({ feature: 'clocks' }),
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    sweepIntervalMs: p.tuning?.clocksSweepIntervalMs,
    // With Sentinel every incident arrives as a Sentinel event; without it Argus makes them itself.
    adoptOpenIncidents: !p.sentinel,
  });
}

/**
 * The personal chats people have with Argus (where `personal` escalation steps go) and the names
 * Teams gave them there (for the @mention text), by Entra object id; people without one are absent.
 */
export async function personalChatsOf(
  conversations: Pick<ConversationStore, 'personalChats' | 'get'>,
  ids: readonly string[],
): Promise<Map<string, { conversationId?: string; name?: string }>> {
  const wanted = new Set(ids.map((id) => id.toLowerCase()));
  const out = new Map<string, { conversationId?: string; name?: string }>();
  if (wanted.size === 0) return out;
  for await (const chat of conversations.personalChats()) {
    const id = chat.installedBy.toLowerCase();
    if (!wanted.has(id) || out.has(id)) continue;
    const name = (await conversations.get(chat.conversationId))?.reference.user?.name;
    out.set(id, { conversationId: chat.conversationId, ...(name ? { name } : {}) });
    if (out.size === wanted.size) break;
  }
  // Keyed as configured (object ids are compared without case).
  return new Map(ids.flatMap((id) => (out.has(id.toLowerCase()) ? [[id, out.get(id.toLowerCase())!] as const] : [])));
}
