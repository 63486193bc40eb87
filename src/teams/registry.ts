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
  /** The Bot Connector the request came through and the bot's account there (for a reply in the sender's personal chat). */
  origin?: { serviceUrl: string; botId: string };
}

/** `member`: any user of the home tenant, with or without an Argus role (reporting a suspected incident). */
export type AccessLevel = Role | 'member';

/** What a card action answers: the refreshed card, or an error Teams shows. */
export type CardActionResult = { card: AdaptiveCard } | { error: { status: number; code: ErrorCode; message: string } };

export interface CardActionDefinition {
  verb: string;
  /** The least role allowed; checked (and denials audited) before `handle` runs. */
  role: AccessLevel;
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
  role: AccessLevel | 'anyone';
  /** Audit allowed runs too (security-relevant commands such as subscribe). */
  audited?: boolean;
  run(ctx: RequestContext, args: string[]): Promise<CommandReply>;
}

/** What a task module (or a message action's submit) answers: a form card, or a message that closes it. */
export type TaskModuleResult = { form: { title: string; card: AdaptiveCard } } | { message: string };

/** The message that a message action was started on, as Teams sends it (`messagePayload`). */
export interface ActedOnMessage {
  id?: string;
  text: string;
  senderName?: string;
  senderAadObjectId?: string;
  link?: string;
  createdAt?: string;
}

/**
 * A manifest message action (a `composeExtensions` action command): `fetchTask` opens its task
 * module, `submit` receives the form. Answered through `composeExtension/fetchTask` and
 * `composeExtension/submitAction` invokes.
 */
export interface MessageActionDefinition {
  commandId: string;
  role: AccessLevel;
  fetchTask(ctx: RequestContext & { message?: ActedOnMessage }): Promise<TaskModuleResult>;
  submit(ctx: RequestContext & { message?: ActedOnMessage; data: Record<string, unknown> }): Promise<TaskModuleResult>;
}

/** Verb → card action, name → command: each domain registers its own. */
export class TeamsRegistry {
  readonly actions = new Map<string, CardActionDefinition>();
  readonly commands = new Map<string, CommandDefinition>();
  readonly messageActions = new Map<string, MessageActionDefinition>();

  messageAction(def: MessageActionDefinition): this {
    if (this.messageActions.has(def.commandId)) throw new Error(`message action ${def.commandId} registered twice`);
    this.messageActions.set(def.commandId, def);
    return this;
  }

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
