import type { Actor, Role, RoleDecision } from '../access/roles';
import type { ErrorCode } from '../errors/catalog';
import type { Logger } from '../logging/logger';

export type AdaptiveCard = Record<string, unknown>;

export interface RequestContext {
  actor: Actor;
  decision: RoleDecision;
  /** The conversation the request came from (channel id without ;messageid=). */
  conversationId: string;
  /** The raw conversation id (may carry ;messageid= in a channel thread). */
  rawConversationId: string;
  conversationKind: 'channel' | 'groupChat' | 'personal';
  correlationId: string;
  log: Logger;
}

/** What a card action answers: the refreshed card, or an error Teams shows. */
export type CardActionResult = { card: AdaptiveCard } | { error: { status: number; code: ErrorCode; message: string } };

export interface CardActionDefinition {
  verb: string;
  /** The least role allowed; checked (and denials audited) before `handle` runs. */
  role: Role;
  /** Whether `data.incidentId` must be present. */
  needsIncident: boolean;
  handle(ctx: RequestContext & { data: Record<string, unknown> }): Promise<CardActionResult>;
  /** The card shown to someone denied this action (a read-only view with the reason). */
  denied?(ctx: RequestContext & { data: Record<string, unknown> }, message: string): Promise<AdaptiveCard | undefined>;
}

export interface CommandReply {
  card?: AdaptiveCard;
  text?: string;
}

export interface CommandDefinition {
  name: string;
  usage: string;
  summary: string;
  /** The least role allowed; `anyone` for help and whoami. */
  role: Role | 'anyone';
  /** Audit allowed runs too (security-relevant commands such as subscribe). */
  audited?: boolean;
  run(ctx: RequestContext, args: string[]): Promise<CommandReply>;
}

/** Verb → card action, name → command: each domain registers its own. */
export class TeamsRegistry {
  readonly actions = new Map<string, CardActionDefinition>();
  readonly commands = new Map<string, CommandDefinition>();

  action(def: CardActionDefinition): this {
    if (this.actions.has(def.verb)) throw new Error(`card verb ${def.verb} registered twice`);
    this.actions.set(def.verb, def);
    return this;
  }

  command(def: CommandDefinition): this {
    if (this.commands.has(def.name)) throw new Error(`command ${def.name} registered twice`);
    this.commands.set(def.name, def);
    return this;
  }
}
