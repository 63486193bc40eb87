import type { TokenCredential } from '@azure/identity';
import { dirname, resolve } from 'node:path';
import type { RoleResolver } from '../access/roles';
import type { AuditLog } from '../audit/audit-log';
import { entraCallerAllowed } from '../config/file-schema';
import type { ArgusConfig } from '../config/load-config';
import { secretNames, type SecretProvider } from '../config/secret-provider';
import { createDetectionsFeature, type DetectionsFeature } from '../detections/feature';
import { TableDetectionOutcomeStore } from '../detections/outcomes/table-outcome-store';
import type { DurableIntake } from '../events/intake';
import type { CardPublisher } from '../incidents/card-publisher';
import { createIncidentsFeature, type IncidentsFeature } from '../incidents/feature';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { SentinelClient } from '../incidents/sentinel-client';
import type { SubscriptionStore } from '../incidents/subscription-store';
import type { Logger } from '../logging/logger';
import { approverChats } from '../playbooks/approver-chats';
import { parseIsoDuration } from '../playbooks/duration';
import { createPlaybooksFeature, type PlaybooksFeature } from '../playbooks/feature';
import { createHttpRunner } from '../playbooks/http-runner';
import { createPlaybookRunner } from '../playbooks/runner';
import { TablePlaybookRunStore } from '../playbooks/run-store';
import { createSentinelRunner } from '../playbooks/sentinel-runner';
import { tableNames, type TableStore } from '../storage/table-store';
import type { CardOutbox } from '../teams/card-outbox';
import type { ConversationStore } from '../teams/conversation-store';
import type { TeamsDelivery } from '../teams/teams-delivery';
import { createTicketingFeature, type TicketingFeature } from '../ticketing/feature';
import type { ResponseFeature } from '../response/feature';
import { createIntelSetup } from '../enrichment/intel-setup';
import { intelMetrics } from '../enrichment/intel-service';
import type { ArgusMetrics } from '../observability/metrics';
import { compileAllowList } from '../triage/allow-list';
import { createTriageFeature, type TriageFeature } from '../triage/feature';
import { TableTriageStore } from '../triage/triage-store';
import { TableTicketLinkStore } from '../ticketing/ticket-link-store';
import { createTicketSystem } from '../ticketing/ticket-system-factory';
import { createUserEmailResolver } from '../ticketing/user-email';
import { composeResponse, lateCloseGate } from './compose-response';
import { composeEvidence } from './compose-evidence';
import type { EvidenceFeature } from '../response/evidence-feature';
import type { BlobConnection } from '../storage/open-table-store';
import type { FeatureParts } from './feature';
import { composeQueries } from './compose-queries';
import type { QueriesFeature } from '../queries/feature';
import { createClocks } from './compose-clocks';
import type { ClocksFeature } from '../response/clocks-feature';
import { triageExtras } from './compose-triage';
import { composeEscalation } from './compose-escalation';
import type { EscalationFeature } from '../triage/escalation-feature';
import { intelPortOf } from './intel-port';
import { composeReporting } from './compose-reporting';
import type { ReportingFeature } from '../reporting/feature';
import type { UserChats } from '../teams/user-chats';
import { composeCardLayouts } from './compose-cards';
import { composeTimeline } from './compose-timeline';
import type { CardLayoutsFeature } from '../layouts/feature';
import { composeReports } from './compose-reports';
import type { ReportsFeature } from '../response/reports/reports-feature';

/** The shared ports the composition root makes before the features. */
export interface Platform {
  config: ArgusConfig;
  logger: Logger;
  /** DefaultAzureCredential, made on first use. */
  credential(): TokenCredential;
  secrets: SecretProvider;
  /** Only this file opens a feature's own tables; features get their stores. */
  store: TableStore;
  /** The blob service of the same storage account (evidence content). */
  blobs: BlobConnection;
  audit: AuditLog;
  roles: RoleResolver;
  intake: DurableIntake;
  conversations: ConversationStore;
  delivery: TeamsDelivery;
  outbox: CardOutbox;
  incidents: IncidentRepository;
  subscriptions: SubscriptionStore;
  publisher: CardPublisher;
  /** Absent when `sentinel` is not configured. */
  sentinel?: SentinelClient;
  /** Where the features count what they do (argus_intel_*, argus_triage_decisions_total). */
  metrics?: ArgusMetrics;
  /** Messages to one person's personal chat (report receipts). */
  userChats?: UserChats;
  /** Internal timings tests shorten (not configuration). */
  tuning?: { clocksSweepIntervalMs?: number };
}

export interface Features {
  incidents: IncidentsFeature;
  playbooks: PlaybooksFeature;
  ticketing: TicketingFeature;
  detections: DetectionsFeature;
  triage: TriageFeature;
  /** Escalated alerts into incidents; always made by composeFeatures (optional for tests that build Features by hand). */
  escalation?: EscalationFeature;
  /** The response lifecycle; always made by composeFeatures (optional for tests that build Features by hand). */
  response?: ResponseFeature;
  /** Evidence and its chain of custody; always made by composeFeatures (optional for tests that build Features by hand). */
  evidence?: EvidenceFeature;
  /** Investigation queries on Log Analytics; always made by composeFeatures (optional for tests that build Features by hand). */
  queries?: QueriesFeature;
  /** Compliance clocks and escalation of unacknowledged incidents; always made by composeFeatures (optional for tests that build Features by hand). */
  clocks?: ClocksFeature;
  /** Card layouts from SharePoint; always made by composeFeatures (optional for tests that build Features by hand). */
  cards?: CardLayoutsFeature;
  /** Suspected incidents reported from Teams; always made by composeFeatures (optional for tests that build Features by hand). */
  reporting?: ReportingFeature;
  /** The incident timeline and impact assessment; always made by composeFeatures (optional for tests that build Features by hand). */
  timeline?: FeatureParts;
  /** Reports for every audience with signed links, and post-mortems; always made by composeFeatures (optional for tests that build Features by hand). */
  reports?: ReportsFeature;
}

/** Tables of the features (the platform's own are created by the composition root). */
export const featureTables = [tableNames.playbookRuns, tableNames.tickets, tableNames.detectionOutcomes, tableNames.alerts, tableNames.intelCache, tableNames.intelQuota, tableNames.response, tableNames.clocks, tableNames.evidence, tableNames.suspectedReports, tableNames.reports];

/** Every feature, made from the platform with only the ports it uses. */
export async function composeFeatures(p: Platform): Promise<Features> {
  const { file } = p.config;
  const closeGate = lateCloseGate();
  const incidents = createIncidentsFeature({
    incidents: p.incidents,
    subscriptions: p.subscriptions,
    publisher: p.publisher,
    audit: p.audit,
    logger: p.logger,
    sentinel: p.sentinel,
    intake: p.intake,
    tenantId: file.tenantId,
    closeGate,
  });

  const playbooksLog = p.logger.child({ feature: 'playbooks' });
  const settings = file.playbooks;
  const playbooks = await createPlaybooksFeature({
    file,
    // A relative folder is read from where the config file is (or the working directory without one).
    catalogDir: resolve(p.config.configPath ? dirname(p.config.configPath) : '.', settings.dir),
    runs: new TablePlaybookRunStore(p.store.client(tableNames.playbookRuns)),
    incidents: p.incidents,
    runner: createPlaybookRunner({
      sentinel: createSentinelRunner({ sentinel: p.sentinel, tenantId: file.tenantId }),
      http: createHttpRunner({ secrets: p.secrets, attempts: settings.triggerAttempts, baseDelayMs: parseIsoDuration(settings.retryBaseDelay), log: playbooksLog }),
    }),
    audit: p.audit,
    intake: p.intake,
    publisher: p.publisher,
    notify: {
      cards: p.outbox,
      delivery: p.delivery,
      approverChats: (run) => approverChats({ conversations: p.conversations, roles: p.roles, tenantId: file.tenantId, run, logger: playbooksLog }),
    },
    callbackAuthenticated: async () => entraCallerAllowed(file, 'playbooks') || Boolean(await p.secrets.get(secretNames.playbookCallback)),
    logger: playbooksLog,
  });

  const ticketingLog = p.logger.child({ feature: 'ticketing' });
  const ticketing = createTicketingFeature({
    itsm: file.itsm,
    links: new TableTicketLinkStore(p.store.client(tableNames.tickets)),
    incidents: p.incidents,
    system: createTicketSystem(file.itsm, p.secrets, ticketingLog),
    emails: createUserEmailResolver({
      homeTenantId: file.tenantId,
      emails: file.itsm.emails,
      graph: { endpoint: file.graph.endpoint, scope: file.graph.scope, credential: p.credential },
      logger: ticketingLog,
    }),
    audit: p.audit,
    publisher: p.publisher,
    intake: p.intake,
    logger: ticketingLog,
  });

  const outcomes = new TableDetectionOutcomeStore(p.store.client(tableNames.detectionOutcomes));
  const detections = createDetectionsFeature({ outcomes });

  const { enrichment } = file;
  const triageLog = p.logger.child({ feature: 'triage' });
  const metrics = p.metrics;
  const intel =
    enrichment &&
    createIntelSetup(enrichment, {
      secrets: p.secrets,
      tables: { cache: p.store.client(tableNames.intelCache), quota: p.store.client(tableNames.intelQuota) },
      allow: compileAllowList(file.triage.allow),
      ...(metrics ? { metrics: intelMetrics(metrics) } : {}),
      log: triageLog,
    });
  const escalation = composeEscalation(p, outcomes);
  const triage = createTriageFeature({
    triage: file.triage,
    routing: file.routing,
    enrichment:
      enrichment && intel
        ? {
            intel: intelPortOf(intel.service),
            weights: { virustotal: enrichment.virustotal?.weight ?? 1, abuseipdb: enrichment.abuseipdb?.weight ?? 0.8 },
            configured: [...(enrichment.virustotal ? (['virustotal'] as const) : []), ...(enrichment.abuseipdb ? (['abuseipdb'] as const) : [])],
            maxWait: enrichment.maxWait,
          }
        : undefined,
    ...(metrics ? { metrics: { decided: (decision) => metrics.triageDecisions.inc({ decision }) } } : {}),
    store: new TableTriageStore(p.store.client(tableNames.alerts)),
    outcomes,
    delivery: p.delivery,
    audit: p.audit,
    logger: triageLog,
    ...triageExtras(p, intel),
    escalation: escalation.port,
  });
  const evidence = composeEvidence(p);
  const response = composeResponse(p, { incidents, playbooks, evidence: evidence.lookup });
  closeGate.bind(response.closeGate);
  const queries = composeQueries(p);
  const clocks = createClocks(p);
  const cards = composeCardLayouts(p);
  const reporting = composeReporting(p);
  const timeline = composeTimeline(p);
  const reports = composeReports(p, { incidents, followUps: ticketing.followUps });
  return { incidents, playbooks, ticketing, detections, triage, escalation, response, queries, clocks, evidence, cards, reporting, timeline, reports };
}

/** The features' parts in registration order (card verbs, commands, card sections, webhooks). */
export function featureParts(f: Features): FeatureParts[] {
  return [f.incidents, f.playbooks, f.ticketing, f.detections, f.triage, ...(f.escalation ? [f.escalation] : []), ...(f.response ? [f.response] : []), ...(f.queries ? [f.queries] : []), ...(f.clocks ? [f.clocks] : []), ...(f.evidence ? [f.evidence] : []), ...(f.cards ? [f.cards] : []), ...(f.reporting ? [f.reporting] : []), ...(f.timeline ? [f.timeline] : []), ...(f.reports ? [f.reports] : [])];
}
