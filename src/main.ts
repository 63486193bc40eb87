import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { createGraphGroupChecker } from './access/graph-group-checker';
import { createInMemoryGroupChecker } from './access/group-membership';
import { createRoleResolver } from './access/role-resolver';
import { startBacklogMonitor } from './app/backlog-monitor';
import { composeFeatures, featureParts, featureTables } from './app/compose';
import { handlerTable } from './app/handlers';
import { teamsTable } from './app/interactions';
import { operationalRoutes } from './app/routes';
import { assertProductionSecrets, createSecretProvider } from './app/secrets';
import { startAuditCheckpoints, type StartCheckpointsOptions } from './audit/checkpoint-setup';
import { RejectionAudit, type RejectionAuditOptions } from './audit/rejection-audit';
import { TableAuditLog } from './audit/table-audit-log';
import { ReceiptAudit } from './events/receipt-audit';
import { renderNoticeCard } from './cards';
import type { ArgusConfig } from './config/load-config';
import { TableEventStore } from './events/event-store';
import { EventQueue } from './events/event-queue';
import { DurableIntake, type IntakeOptions } from './events/intake';
import { EventRouter } from './events/router';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CardDeliveryWorker, type CardDeliveryOptions } from './teams/card-delivery-worker';
import { CardPublisher } from './incidents/card-publisher';
import { createCardViewers, viewersTtlMs } from './incidents/card-viewers';
import { createMemberCache } from './teams/conversation-members';
import { TableDeliveryLeases } from './teams/delivery-lease';
import { templating } from './cards/templating';
import { StoredCardOutbox } from './teams/card-outbox';
import { TableCardOutboxStore } from './teams/card-outbox-store';
import { TableIncidentRepository } from './incidents/incident-repository';
import { routedConversations } from './incidents/routing';
import { createSentinelClient } from './incidents/sentinel-client';
import { TableSubscriptionStore } from './incidents/subscription-store';
import { createEntraWebhookAuthenticator } from './ingress/entra-token';
import { createMessagesRoute } from './ingress/messages-route';
import { createArgusMetrics } from './observability/metrics';
import { createHttpServer, type RequestCounter } from './ingress/server';
import { webhookRoutes } from './ingress/webhook-routes';
import { createLogger, type Logger } from './logging/logger';
import { openTableStore } from './storage/open-table-store';
import { createQueueFactory, queueNames } from './storage/queues';
import { tableNames } from './storage/table-store';
import { createBotAdapter } from './teams/bot-adapter';
import { Authorizer } from './teams/authorize';
import { TableConversationStore } from './teams/conversation-store';
import { createServiceUrlPolicy } from './teams/service-url-policy';
import { helpCard } from './teams/builtin-commands';
import { TeamsRateLimiter } from './teams/rate-limiter';
import { BotTeamsDelivery } from './teams/teams-delivery';
import { botUserChats } from './teams/user-chats';
import { createTurnHandler } from './teams/turn-handler';

export interface StartOptions {
  /** The environment the config came from (for the env secret fallback). */
  env: Record<string, string | undefined>;
  logger?: Logger;
  /** Overrides the configured port (tests pass 0). */
  port?: number;
  /** Card delivery tuning (tests shorten the timings). */
  cardDelivery?: Partial<Pick<CardDeliveryOptions, 'replyIntervalMs' | 'stormThreshold' | 'stormIntervalMs' | 'pollIntervalMs'>>;
  /** Durable intake tuning (tests shorten the timings). */
  intake?: Partial<Pick<IntakeOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'visibilityTimeoutSeconds' | 'concurrency' | 'sweepIntervalMs' | 'maxPollIntervalMs'>>;
  /** Clock and sweep of the audit of rejected webhooks (tests close a minute without waiting for it). */
  rejectionAudit?: Pick<RejectionAuditOptions, 'now' | 'sweepIntervalMs'>;
  /** Clock and tick of the audit checkpointer (tests). */
  auditCheckpoints?: Pick<StartCheckpointsOptions, 'now' | 'tickMs'>;
  /** How often the clock and escalation sweep runs (tests shorten it; 5 s by default). */
  clocks?: { sweepIntervalMs?: number };
}

export interface RunningArgus {
  url: string;
  port: number;
  intake: DurableIntake;
  logger: Logger;
  /** Resolves when stored events and card work are all done (tests and benchmarks). */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The composition root: config → adapters → router → server. */
export async function startArgus(config: ArgusConfig, options: StartOptions): Promise<RunningArgus> {
  const logger = options.logger ?? createLogger({ level: config.env.LOG_LEVEL });
  let credential: TokenCredential | undefined;
  const getCredential = () => (credential ??= new DefaultAzureCredential());
  const file = config.file;

  if (config.devMode)
    logger.warn(
      { host: config.host },
      'DEV MODE: no MICROSOFT_APP_ID, so Bot Framework authentication is OFF. Argus listens on loopback only; do not expose it.',
    );
  const secrets = createSecretProvider(config, options.env, getCredential, logger);
  await assertProductionSecrets(config, secrets);

  const opened = await openTableStore(config.storage, { logger, credential: config.storage.kind === 'accountUrl' ? getCredential() : undefined });
  const { store } = opened;
  logger.info({ storage: store.describe() }, opened.embedded ? 'storage: embedded Azurite (dev)' : 'storage ready');
  const coreTables = [tableNames.audit, tableNames.events, tableNames.incidents, tableNames.conversations, tableNames.cards, tableNames.delivery, tableNames.subscriptions];
  // Side by side: on a restart every table exists, and each check is one round trip.
  await Promise.all([...coreTables, ...featureTables].map((t) => store.ensureTable(t)));

  const metrics = createArgusMetrics();
  const audit = new TableAuditLog({ client: store.client(tableNames.audit), logger });
  const checkpoints = await startAuditCheckpoints({
    config,
    cwd: process.cwd(),
    credential: getCredential,
    logger,
    store,
    audit,
    onOutcome: (outcome) => metrics.auditCheckpoints.inc({ outcome }),
    ...options.auditCheckpoints,
  });
  const rejections = new RejectionAudit({ audit, logger, ...file.audit.rejectedWebhooks, ...options.rejectionAudit });
  rejections.start();
  const anyGroups = Object.values(file.access.roles).some((r) => r.groups.length > 0);
  const roles = createRoleResolver({
    tenantId: file.tenantId,
    access: file.access,
    groups: anyGroups
      ? createGraphGroupChecker({ endpoint: file.graph.endpoint, scope: file.graph.scope, credential: getCredential(), logger })
      : createInMemoryGroupChecker({ users: [], groups: {} }),
    logger,
  });
  const sentinel = file.sentinel ? createSentinelClient({ config: file.sentinel, credential: getCredential(), log: logger }) : undefined;
  if (!sentinel) logger.warn('sentinel is not configured: Argus keeps incident state itself and cards say so');

  const requests: RequestCounter = { inFlight: 0 };
  const eventStore = new TableEventStore(store.client(tableNames.events));
  const queues = createQueueFactory(opened.queueConnection);
  await Promise.all(Object.values(queueNames).map((q) => queues.ensureQueue(q)));
  const intake = new DurableIntake({
    store: eventStore,
    queue: new EventQueue(queues.queue(queueNames.events), queues.queue(queueNames.eventsPoison)),
    logger,
    receipts: new ReceiptAudit(audit),
    ...file.intake,
    // More than a few webhooks waiting for their acknowledgement: let intake have storage first.
    intakeBusy: () => requests.inFlight > 16,
    ...options.intake,
    onProcessed: (event, outcome) => metrics.events.inc({ event: event.name, outcome }),
  });

  // Outside dev mode, Argus talks only to Teams' own Bot Connector hosts (inbound, stored, outbound).
  const serviceUrls = createServiceUrlPolicy({ hosts: file.teams.serviceUrlHosts, enforce: !config.devMode });
  const adapter = await createBotAdapter({ config, secrets, logger, serviceUrls });
  const conversations = new TableConversationStore(store.client(tableNames.conversations), { serviceUrls, cacheMs: 30_000 });
  const limiter = new TeamsRateLimiter();
  const delivery = new BotTeamsDelivery({ adapter, appId: config.bot.appId ?? '', conversations, logger, metrics, limiter });
  const incidents = new TableIncidentRepository(store.client(tableNames.incidents));
  const subscriptions = new TableSubscriptionStore(store.client(tableNames.subscriptions));
  const outbox = new StoredCardOutbox(new TableCardOutboxStore(store.client(tableNames.cards)));
  // Who sees their own buttons: the conversation's members (Bot Connector), by the same role resolver.
  const members = createMemberCache({ source: { list: (id) => delivery.members(id) }, ttlMs: viewersTtlMs });
  const viewers = createCardViewers({ members, roles, homeTenantId: file.tenantId, logger, ttlMs: viewersTtlMs });
  const publisher = new CardPublisher({
    viewers,
    outbox,
    incidents,
    subscriptions,
    routing: file.routing,
    sentinelConnected: sentinel !== undefined,
    logger,
  });
  const cardWorker = new CardDeliveryWorker({
    outbox,
    content: (incidentName, conversationId) => publisher.content(incidentName, conversationId),
    delivery,
    leases: new TableDeliveryLeases(store.client(tableNames.delivery), `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`),
    limiter,
    logger,
    ...options.cardDelivery,
  });
  const features = await composeFeatures({ config, logger, credential: getCredential, secrets, store, blobs: opened.blobConnection, audit, roles, intake, conversations, delivery, userChats: botUserChats({ adapter, appId: config.bot.appId ?? '', logger }), outbox, incidents, subscriptions, publisher, sentinel, metrics, tuning: { clocksSweepIntervalMs: options.clocks?.sweepIntervalMs } });
  const parts = featureParts(features);
  for (const section of parts.flatMap((p) => p.cardSections ?? [])) publisher.decorate(section);
  const registry = teamsTable(roles, parts);
  const webhookDeps = {
    secrets,
    intake,
    audit,
    metrics,
    logger,
    // Managed identities (a Logic App) may call webhooks with an Entra ID token instead of an HMAC.
    authenticators: file.webhookAuth.entra ? [createEntraWebhookAuthenticator({ ...file.webhookAuth.entra, logger })] : [],
    rejections,
  };
  const turn = createTurnHandler({
    registry,
    authorizer: new Authorizer(roles, audit),
    conversations,
    audit,
    logger,
    metrics,
    homeTenantId: file.tenantId,
    onCardAction: (actor, verb) => viewers.noteAction(actor, verb),
    help: () => helpCard(registry),
    notice: (title, text, style) => renderNoticeCard({ title, text, style }),
  });

  const server = createHttpServer({
    logger,
    bodyLimitBytes: file.bodyLimitBytes,
    loopbackHostOnly: config.devMode,
    requests,
    routes: [
      createMessagesRoute({ adapter, logic: turn, logger, audit, rejections, metrics, serviceUrls, bodyLimitBytes: file.teams.maxBodyBytes }),
      ...webhookRoutes(parts.flatMap((p) => p.webhooks ?? []), webhookDeps),
      ...parts.flatMap((p) => p.routes ?? []),
      ...operationalRoutes({ store, secrets, checkSecrets: config.secrets.kind === 'keyVault', metrics: metrics.registry, queue: () => intake.depth(), details: parts.flatMap((p) => p.readiness ?? []) }),
    ],
  });
  const { url, port } = await server.listen(options.port ?? config.port, config.host);
  intake.start(new EventRouter(handlerTable(features)));
  cardWorker.start();
  const background = parts.flatMap((p) => p.background ?? []);
  for (const task of background) task.start();
  const backlog = startBacklogMonitor({ intake, metrics, logger });
  logger.info({ url, devMode: config.devMode }, 'Argus is listening');
  // The card templating engine is loaded once the service answers, not before (see templating.ts).
  setImmediate(() => void templating());
  let stopped: Promise<void> | undefined;
  // The members (and roles) of the conversations that get cards are listed ahead of their first
  // card, a few a second: otherwise every first card after a start waits for a roster call, and
  // those calls count against Teams' per-tenant limit just when cards arrive.
  const warming = subscriptions
    .list()
    .then((subscribed) => viewers.warm?.(routedConversations(file.routing, subscribed).slice(0, 500), { stopped: () => stopped !== undefined }))
    .catch((err: unknown) => logger.warn({ err }, 'could not list the conversations that get cards'));

  return {
    url,
    port,
    intake,
    logger,
    async idle(timeoutMs = 60_000) {
      // Events make card work, and card actions make events: settle both, twice.
      for (let round = 0; round < 2; round += 1) {
        await intake.idle(timeoutMs);
        await cardWorker.idle(timeoutMs);
      }
    },
    stop: () =>
      (stopped ??= (async () => {
        logger.info('shutting down: no new requests, finishing work in flight');
        await server.close();
        backlog.stop();
        await intake.stop();
        await cardWorker.stop();
        // The warm-up stops at its next conversation; a roster call in flight is not waited for long.
        await Promise.race([warming, new Promise((r) => setTimeout(r, 1_000).unref())]);
        for (const task of background) await task.stop();
        await rejections.stop();
        await checkpoints.stop();
        await store.close();
        logger.info('stopped');
      })()),
  };
}

