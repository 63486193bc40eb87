import { z } from 'zod';
import { enrichmentSchema } from './enrichment-schema';
import { logAnalyticsSchema } from './log-analytics-schema';
import { cardsSchema } from './cards-schema';
import { responseSchema } from './response-schema';
import { escalationSchema } from '../response/escalation';
import { llmSchema, triageSchema } from './triage-schema';
import { detectionsSchema } from './detections-schema';

/** Schema of `argus.config.yaml` (ARCHITECTURE §3). Unknown keys are errors, not ignored. */

const guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID');
export const severitySchema = z.enum(['High', 'Medium', 'Low', 'Informational']);
export const roleSchema = z.enum(['admin', 'responder', 'reader']);
/** ISO-8601 duration such as PT15M, P1D. */
export const isoDuration = z.string().regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'must be an ISO-8601 duration such as PT15M');

const roleMembers = z.strictObject({
  groups: z.array(guid).default([]),
  users: z.array(guid).default([]),
});

const federationEntry = z.strictObject({
  tenantId: guid,
  maxRole: roleSchema,
  users: z.array(guid).default([]),
});

const accessSchema = z.strictObject({
  roles: z
    .strictObject({
      admin: roleMembers.default({ groups: [], users: [] }),
      responder: roleMembers.default({ groups: [], users: [] }),
      reader: roleMembers.default({ groups: [], users: [] }),
    })
    .default({ admin: { groups: [], users: [] }, responder: { groups: [], users: [] }, reader: { groups: [], users: [] } }),
  federation: z.array(federationEntry).default([]),
  /** How long a Graph group-membership answer is trusted. */
  groupCacheTtlSeconds: z.number().int().min(0).max(3600).default(300),
});

const routingRule = z.strictObject({
  match: z
    .strictObject({
      severity: z.array(severitySchema).optional(),
      tactics: z.array(z.string()).optional(),
      labels: z.array(z.string()).optional(),
    })
    .default({}),
  conversationId: z.string().min(1),
});

const routingSchema = z.strictObject({
  default: z.string().min(1).optional(),
  rules: z.array(routingRule).default([]),
});

const sentinelSchema = z.strictObject({
  subscriptionId: guid,
  resourceGroup: z.string().min(1),
  workspaceName: z.string().min(1),
  armEndpoint: z.url().default('https://management.azure.com'),
  apiVersion: z.string().default('2024-09-01'),
  /** Token audience for ARM; sovereign clouds change it. */
  armScope: z.string().optional(),
});

const graphSchema = z.strictObject({
  endpoint: z.url().default('https://graph.microsoft.com'),
  scope: z.string().optional(),
});

/** Argus's ticket states; ITSM states are mapped onto them. */
export const ticketStatusSchema = z.enum(['new', 'in_progress', 'on_hold', 'resolved', 'closed', 'canceled']);
const perClassification = z.strictObject({
  TruePositive: z.string().min(1).optional(),
  BenignPositive: z.string().min(1).optional(),
  FalsePositive: z.string().min(1).optional(),
  Undetermined: z.string().min(1).optional(),
});

const servicenowSchema = z
  .strictObject({
    instanceUrl: z.url(),
    auth: z.enum(['basic', 'oauth']).default('basic'),
    username: z.string().optional(),
    clientId: z.string().optional(),
    assignmentGroup: z.string().optional(),
    callerId: z.string().optional(),
    /** Incident state value → Argus state, merged over the out-of-the-box map (1 New … 8 Canceled). */
    states: z.record(z.string().regex(/^-?\d{1,4}$/, 'must be a state value such as 6'), ticketStatusSchema).optional(),
    /** close_code sent when Argus resolves a ticket; per classification where they differ. */
    closeCode: z.string().min(1).default('Solution provided'),
    closeCodes: perClassification.optional(),
  })
  .superRefine((sn, ctx) => {
    if (sn.auth === 'basic' && !sn.username) ctx.addIssue({ code: 'custom', path: ['username'], message: 'required with auth: basic' });
    if (sn.auth === 'oauth' && !sn.clientId) ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'required with auth: oauth' });
  });

const jiraSchema = z.strictObject({
  baseUrl: z.url(),
  email: z.string().min(1),
  serviceDeskId: z.string().min(1),
  requestTypeId: z.string().min(1),
  /** Where the Sentinel incident name goes: labels (as argus-<name>) or a text custom field. */
  correlationField: z.string().regex(/^(labels|customfield_\d{1,12})$/, 'must be labels or customfield_<id>').default('labels'),
  /** Transition names; default: the first transition into the Done / In Progress category. */
  resolveTransition: z.string().min(1).optional(),
  startTransition: z.string().min(1).optional(),
  /** Resolution name sent with the resolve transition, when its screen asks for one. */
  resolution: z.string().min(1).optional(),
  /** Jira priority names per severity; absent: Argus does not set priorities. */
  priorities: z.strictObject({ High: z.string().min(1), Medium: z.string().min(1), Low: z.string().min(1), Informational: z.string().min(1) }).optional(),
});

const itsmSchema = z.strictObject({
  provider: z.enum(['servicenow', 'jira', 'none']).default('none'),
  createFor: z.array(severitySchema).default(['High', 'Medium']),
  servicenow: servicenowSchema.optional(),
  jira: jiraSchema.optional(),
  /** Resolve the linked ticket when the incident is closed (otherwise only a work note says so). */
  resolveTicketOnClose: z.boolean().default(true),
  /** aadObjectId → ITSM email, for users Microsoft Graph cannot answer for (other tenants) or whose ITSM email differs. */
  emails: z.record(guid, z.string().regex(/^[^\s@=,]{1,64}@[A-Za-z0-9.-]{1,190}$/, 'must be an email address')).default({}),
  /** While the ITSM is down, ticket work is retried with backoff from baseSeconds up to maxSeconds, without end. */
  retry: z
    .strictObject({
      baseSeconds: z.number().min(0.05).max(3600).default(15),
      maxSeconds: z.number().min(0.05).max(86_400).default(900),
      sweepSeconds: z.number().min(0.05).max(3600).default(30),
    })
    .prefault({}),
});

/** Routes an Entra ID token may be allowed to call, each for the callers that name it. */
export const webhookRouteNames = ['sentinel', 'playbooks', 'alerts', 'itsm-servicenow', 'itsm-jira', 'evidence'] as const;
export type WebhookRouteName = (typeof webhookRouteNames)[number];

/** One calling identity (object id, or client id for app-only tokens) and the webhook routes it may call. */
const entraCaller = z.strictObject(
  { id: z.string().min(1), routes: z.array(z.enum(webhookRouteNames)).min(1) },
  // A bare id (the earlier form) allowed every route: say how to name them instead of "expected object".
  { error: (issue) => (typeof issue.input === 'string' ? `must be { id: ${issue.input}, routes: [...] } naming the webhook routes this caller may call (${webhookRouteNames.join(', ')}); see docs/deploy.md` : undefined) },
);

/** Whether some Entra caller may call `route`: then a missing HMAC secret does not leave it unusable. */
export function entraCallerAllowed(file: { webhookAuth: { entra?: { allowedCallers: ReadonlyArray<{ routes: readonly WebhookRouteName[] }> } } }, route: WebhookRouteName): boolean {
  return file.webhookAuth.entra?.allowedCallers.some((c) => c.routes.includes(route)) ?? false;
}

const entraWebhookAuth = z.strictObject({
  tenantId: guid,
  audience: z.string().min(1),
  allowedCallers: z.array(entraCaller).min(1),
  openIdConfigUrl: z.url().optional(),
});

const webhookAuthSchema = z.strictObject({
  entra: entraWebhookAuth.optional(),
});

/** Bot Connector hosts of Teams: public cloud, GCC, GCC High, DoD (Microsoft Learn, "Send proactive messages"). */
export const teamsServiceUrlHosts = ['smba.trafficmanager.net', 'smba.infra.gcc.teams.microsoft.com', 'smba.infra.gov.teams.microsoft.us', 'smba.infra.dod.teams.microsoft.us'];
const hostName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a host name such as smba.trafficmanager.net')
  .transform((h) => h.toLowerCase());

/** POST /api/messages and the Bot Connector (README, "HTTP endpoints"). */
const teamsSchema = z.strictObject({
  /** Largest accepted activity in bytes; Teams activities are a few KiB. */
  maxBodyBytes: z.number().int().min(16 * 1024).max(4 * 1024 * 1024).default(256 * 1024),
  /** Hosts an activity's or a stored conversation's serviceUrl may name (enforced outside dev mode). */
  serviceUrlHosts: z.array(hostName).min(1).default(teamsServiceUrlHosts),
  /** Where the Bot Framework publishes the keys that sign Teams' tokens. */
  openIdMetadataUrl: z.url().default('https://login.botframework.com/v1/.well-known/openidconfiguration'),
});

/** Playbook orchestration (docs/playbooks.md). */
const playbooksSchema = z.strictObject({
  dir: z.string().default('./playbooks'),
  /** How often runs are checked for an expired approval or a timeout. */
  sweepInterval: isoDuration.default('PT15S'),
  /** Calls to a Logic App HTTP trigger per run, the first included (429, 5xx and network failures are retried). */
  triggerAttempts: z.number().int().min(1).max(10).default(4),
  /** First retry delay (doubling, with jitter) when the Logic App sends no Retry-After. */
  retryBaseDelay: isoDuration.default('PT1S'),
});

/** The audit chain: signed checkpoints and sampling of rejected webhooks (docs/security.md). */
const auditSchema = z.strictObject({
  checkpoints: z
    .strictObject({
      /** A checkpoint is signed once the chain grew this many rows since the last one… */
      everyRows: z.number().int().min(1).max(1_000_000).default(1000),
      /** …or when this long passed and the chain grew at all. */
      interval: isoDuration.default('PT10M'),
      /** Sign with a Key Vault key (only the `sign` permission needed). Absent: a local key file under ARGUS_DATA_DIR. */
      keyVault: z
        .strictObject({
          vaultUrl: z.url(),
          keyName: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be a Key Vault key name'),
          algorithm: z.enum(['ES256', 'RS256']).default('ES256'),
        })
        .optional(),
    })
    .prefault({}),
  /** Unauthenticated webhook rejections: the first per route and caller per minute get their own row, the rest one summary row. */
  rejectedWebhooks: z
    .strictObject({
      perSourcePerMinute: z.number().int().min(1).max(10_000).default(20),
      maxSources: z.number().int().min(1).max(100_000).default(1000),
    })
    .prefault({}),
});

export const fileConfigSchema = z
  .strictObject({
    tenantId: guid.default('00000000-0000-0000-0000-000000000000'),
    publicUrl: z.url().optional(),
    access: accessSchema.default(accessSchema.parse({})),
    routing: routingSchema.default({ rules: [] }),
    sentinel: sentinelSchema.optional(),
    graph: graphSchema.default({ endpoint: 'https://graph.microsoft.com' }),
    playbooks: playbooksSchema.prefault({}),
    itsm: itsmSchema.prefault({}),
    webhookAuth: webhookAuthSchema.default({}),
    teams: teamsSchema.prefault({}),
    audit: auditSchema.prefault({}),
    /** Threat-intel lookups (ARCHITECTURE §8); absent: none. */
    enrichment: enrichmentSchema.optional(),
    /** Investigation queries (ARCHITECTURE §10, docs/queries.md); absent: none. */
    logAnalytics: logAnalyticsSchema.optional(),
    /** Card layouts from a SharePoint library (ARCHITECTURE §10, docs/card-layouts.md); absent: the built-in ones. */
    cards: cardsSchema.prefault({}),
    triage: triageSchema.prefault({}),
    llm: llmSchema.prefault({}),
    /** Sigma rules on Sentinel: KQL target and analytics-rule schedule (ARCHITECTURE §10, docs/detections.md). */
    detections: detectionsSchema.prefault({}),
    /** The response lifecycle: plans, phase gates (ARCHITECTURE §9, docs/response.md). */
    response: responseSchema.prefault({}),
    /** Escalation of unacknowledged incidents, per severity (ARCHITECTURE §9, docs/response.md); absent: none. */
    escalation: escalationSchema.optional(),
    /** Durable intake: how events are retried and shared between instances. */
    intake: z
      .strictObject({
        /** How long a taken event is hidden from other instances (a crashed instance's work returns after it). */
        visibilityTimeoutSeconds: z.number().int().min(1).max(3600).default(120),
        maxAttempts: z.number().int().min(1).max(100).default(8),
        concurrency: z.number().int().min(1).max(256).default(16),
      })
      .default({ visibilityTimeoutSeconds: 120, maxAttempts: 8, concurrency: 16 }),
    /** Largest accepted webhook body in bytes (default 4 MiB). */
    bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    /** Link target for incidents that carry no portal URL. */
    portalBaseUrl: z.url().default('https://portal.azure.com'),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.itsm.provider === 'servicenow' && !cfg.itsm.servicenow)
      ctx.addIssue({ code: 'custom', path: ['itsm', 'servicenow'], message: 'required when itsm.provider is servicenow' });
    if (cfg.itsm.provider === 'jira' && !cfg.itsm.jira)
      ctx.addIssue({ code: 'custom', path: ['itsm', 'jira'], message: 'required when itsm.provider is jira' });
  });

export type FileConfig = z.output<typeof fileConfigSchema>;
export type Severity = z.output<typeof severitySchema>;
export type Role = z.output<typeof roleSchema>;
