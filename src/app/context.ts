import type { TokenCredential } from '@azure/identity';
import type { RoleResolver } from '../access/roles';
import type { AuditLog } from '../audit/audit-log';
import type { ArgusConfig } from '../config/load-config';
import type { SecretProvider } from '../config/secret-provider';
import type { DurableIntake } from '../events/intake';
import type { EventRouter } from '../events/router';
import type { CardPublisher } from '../incidents/card-publisher';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { IncidentService } from '../incidents/incident-service';
import type { SentinelClient } from '../incidents/sentinel-client';
import type { SubscriptionStore } from '../incidents/subscription-store';
import type { RouteDefinition } from '../ingress/http-types';
import type { ArgusMetrics } from '../ingress/metrics';
import type { WebhookDeps } from '../ingress/webhook-handler';
import type { Logger } from '../logging/logger';
import type { TableStore } from '../storage/table-store';
import type { ConversationStore } from '../teams/conversation-store';
import type { TeamsRegistry } from '../teams/registry';
import type { TeamsDelivery } from '../teams/teams-delivery';

/**
 * What the composition root hands each feature. A feature registers its event handlers, card
 * verbs, commands, card sections and HTTP routes here; it never edits another feature's code.
 */
export interface AppContext {
  config: ArgusConfig;
  env: Record<string, string | undefined>;
  logger: Logger;
  metrics: ArgusMetrics;
  /** DefaultAzureCredential, made on first use. */
  credential(): TokenCredential;
  secrets: SecretProvider;
  store: TableStore;
  audit: AuditLog;
  roles: RoleResolver;
  router: EventRouter;
  intake: DurableIntake;
  registry: TeamsRegistry;
  conversations: ConversationStore;
  delivery: TeamsDelivery;
  incidents: IncidentRepository;
  subscriptions: SubscriptionStore;
  publisher: CardPublisher;
  service: IncidentService;
  /** Absent when `sentinel` is not configured. */
  sentinel?: SentinelClient;
  webhookDeps: WebhookDeps;
  /** HTTP routes; features push theirs before the server starts. */
  routes: RouteDefinition[];
  /** Work to run on shutdown, after the server stopped taking requests. */
  onStop(fn: () => Promise<void>): void;
}

export interface Feature {
  name: string;
  /** Tables the feature uses; created at start. */
  tables?: string[];
  register(ctx: AppContext): void | Promise<void>;
}
