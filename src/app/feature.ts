import type { IncidentCardDecorator } from '../incidents/card-publisher';
import type { WebhookMount } from '../ingress/webhook-routes';
import type { RouteDefinition } from '../ingress/http-types';
import type { CardActionDefinition, CommandDefinition, MessageActionDefinition } from '../teams/registry';


/** Work a feature runs in the background (sweepers): started after the server listens, stopped on shutdown. */
export interface BackgroundTask {
  start(): void;
  stop(): Promise<void>;
}

/**
 * What a feature hands the composition root, as data: src/main.ts and src/ingress mount it, the
 * Teams table (src/app/interactions.ts) registers its verbs and commands. A feature registers
 * nothing itself and receives only the ports it uses. Its event handlers are named fields of its
 * own type, placed in order by the handler table (src/app/handlers.ts).
 */
export interface FeatureParts {
  webhooks?: WebhookMount[];
  /** Other HTTP routes, each doing its own authentication (e.g. signed report links). */
  routes?: RouteDefinition[];
  actions?: CardActionDefinition[];
  commands?: CommandDefinition[];
  /** Manifest message actions (`composeExtensions` action commands). */
  messageActions?: MessageActionDefinition[];
  /** Parts of the incident card this feature owns (a ticket, playbooks…). */
  cardSections?: IncidentCardDecorator[];
  background?: BackgroundTask[];
  /** What /readyz details show without making Argus unready (an intel source refusing its key). */
  readiness?: ReadinessDetail[];
}

/** A part /readyz reports on: `ok: false` names it in `degraded`; the rest goes to callers on this machine. */
export interface ReadinessDetail {
  name: string;
  read(): Promise<{ ok: boolean } & Record<string, unknown>>;
}
