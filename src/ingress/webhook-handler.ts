import { ArgusError, type ErrorDetail } from '../errors/catalog';
import type { AuditEntry, AuditLog } from '../audit/audit-log';
import type { RejectionAudit } from '../audit/rejection-audit';
import type { SecretProvider } from '../config/secret-provider';
import { getSecretVersions } from '../config/secrets-rotation';
import type { EventName } from '../events/event-map';
import type { AcceptInput, AcceptResult } from '../events/intake';
import { receiptEntry } from '../events/receipt-audit';
import type { Logger } from '../logging/logger';
import type { HttpRequestInfo, HttpResult, RouteHandler } from './http-types';
import type { ArgusMetrics } from '../observability/metrics';
import { readJsonBody } from './raw-body';
import { signatureHeader, verifyHubSignature, verifySignature, type SignatureFailure } from '../security/signature';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; details: ErrorDetail[] };

/**
 * `denied`: the caller proved who it is but may not call this route (403, audited as denied with
 * the caller); any other failure is a 401.
 */
export type WebhookAuthVerdict = { ok: true; caller: string } | { ok: false; reason: string; denied?: { caller: string } };

/** An extra way to authenticate a webhook (e.g. an Entra ID bearer token from a managed identity). */
export interface WebhookAuthenticator {
  /** undefined: not applicable to this request (no such header); otherwise the verdict. */
  authenticate(req: HttpRequestInfo): Promise<WebhookAuthVerdict | undefined>;
}

export interface WebhookSpec<T> {
  /** Source name for events, metrics and audit: sentinel, servicenow, jira, playbooks, alerts. */
  source: string;
  secretName: string;
  /** `argus` = X-Argus-Signature; `hub` = Jira's X-Hub-Signature. */
  scheme: 'argus' | 'hub';
  parse(json: unknown): ParseResult<T>;
  toEvent(value: T, req: HttpRequestInfo): AcceptInput<EventName>;
}

export interface WebhookDeps {
  secrets: SecretProvider;
  intake: { accept(input: AcceptInput<EventName>): Promise<AcceptResult> };
  audit: AuditLog;
  metrics: ArgusMetrics;
  logger: Logger;
  authenticators?: WebhookAuthenticator[];
  /** Audits unauthenticated rejections sampled per route and caller, so anyone cannot grow the chain at will. */
  rejections: Pick<RejectionAudit, 'record'>;
}

/** Secrets that may sign a webhook: the current one and, during rotation, `<name>-previous` (never the previous alone). */
export async function webhookSecrets(secrets: SecretProvider, name: string): Promise<string[]> {
  return getSecretVersions(secrets, name);
}

/** Refuses a request to a webhook-like route: counts it, audits it (sampled per caller when unauthenticated), throws `error`. */
export function webhookRejecter(source: string, deps: Pick<WebhookDeps, 'metrics' | 'audit' | 'logger' | 'rejections'>) {
  return async function reject(req: HttpRequestInfo, error: ArgusError, reason: string, options: { authenticated: boolean; actorId?: string }): Promise<never> {
    deps.metrics.webhooks.inc({ source, outcome: reason });
    deps.metrics.webhookRejected.inc({ route: req.path, reason });
    const entry: AuditEntry = {
      action: 'webhook.received',
      outcome: error.code === 'ARGUS_FORBIDDEN' ? 'denied' : 'rejected',
      actorId: options.actorId,
      target: source,
      correlationId: req.correlationId,
      detail: { reason, code: error.code, details: error.details.slice(0, 10) },
    };
    try {
      if (options.authenticated) await deps.audit.append(entry);
      else await deps.rejections.record({ route: req.path, address: req.remoteAddress, reason, entry });
    } catch (err) {
      deps.logger.error({ err, correlationId: req.correlationId }, 'could not audit a rejected webhook');
    }
    throw error;
  };
}

/** The first verdict of the header-only authenticators (Entra tokens), or undefined when none applies. */
export async function headerAuthentication(req: HttpRequestInfo, deps: Pick<WebhookDeps, 'authenticators'>): Promise<WebhookAuthVerdict | undefined> {
  for (const a of deps.authenticators ?? []) {
    const verdict = await a.authenticate(req);
    if (verdict) return verdict;
  }
  return undefined;
}

/**
 * Authenticate first, then parse and validate, then store one event: 202 for a new event, 200
 * with `duplicate: true` for a redelivery. Rejections are audited and change nothing; so is every
 * accepted delivery (a new event's row when it is processed, see ReceiptAudit).
 * Rejections before authentication are audited sampled per route and caller (RejectionAudit), and
 * all of them are counted in argus_webhook_rejected_total.
 */
export function createWebhookHandler<T>(spec: WebhookSpec<T>, deps: WebhookDeps): RouteHandler {
  const { logger, metrics, audit } = deps;
  const reject = webhookRejecter(spec.source, deps);

  async function authenticate(req: HttpRequestInfo): Promise<WebhookAuthVerdict> {
    const byHeaders = await headerAuthentication(req, deps);
    if (byHeaders) return byHeaders;
    const secrets = await webhookSecrets(deps.secrets, spec.secretName);
    if (secrets.length === 0) {
      logger.error({ secret: spec.secretName }, 'webhook secret is not configured: every request is refused');
      return { ok: false, reason: 'secret-not-configured' };
    }
    const check =
      spec.scheme === 'argus'
        ? verifySignature(req.headers[signatureHeader], req.rawBody, secrets)
        : verifyHubSignature(req.headers['x-hub-signature'], req.rawBody, secrets);
    return check.ok ? { ok: true, caller: `signature:${spec.secretName}` } : { ok: false, reason: `signature-${check.reason satisfies SignatureFailure}` };
  }

  return async (req) => {
    const auth = await authenticate(req);
    if (!auth.ok && auth.denied)
      return reject(req, new ArgusError('ARGUS_FORBIDDEN', 'this caller is not allowed to call this webhook'), auth.reason, { authenticated: true, actorId: auth.denied.caller });
    if (!auth.ok) return reject(req, new ArgusError('ARGUS_BAD_SIGNATURE'), auth.reason, { authenticated: false });

    const body = readJsonBody(req.rawBody, req.headers['content-type']);
    if (!body.ok) return reject(req, body.error, body.reason, { authenticated: true });
    const parsed = spec.parse(body.value);
    if (!parsed.ok) return reject(req, new ArgusError('ARGUS_BAD_PAYLOAD', undefined, { details: parsed.details }), 'schema', { authenticated: true });

    const input = spec.toEvent(parsed.value, req);
    // A new event's receipt is audited from the stored event when it is processed (ReceiptAudit):
    // its row carries who delivered it, and the acknowledgement waits for that one commit.
    const result = await deps.intake.accept({ ...input, correlationId: req.correlationId, deliveredBy: auth.caller });
    metrics.webhooks.inc({ source: spec.source, outcome: result.duplicate ? 'duplicate' : 'accepted' });
    metrics.webhookLatency.observe((Date.now() - req.receivedAt) / 1000, { source: spec.source });
    if (result.duplicate) {
      try {
        await audit.append(
          receiptEntry({ ...input, eventId: result.eventId, correlationId: result.correlationId, deliveredBy: auth.caller, duplicate: true }),
        );
      } catch (err) {
        // The event is stored, so acknowledging is right; the missing audit row is logged loudly.
        logger.error({ err, eventId: result.eventId }, 'could not audit a redelivered webhook');
      }
    }
    return { status: result.duplicate ? 200 : 202, body: { eventId: result.eventId, duplicate: result.duplicate } };
  };
}
