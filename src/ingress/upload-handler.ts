import { ArgusError } from '../errors/catalog';
import { bodySignature, parseSignatureHeader, signatureHeader } from '../security/signature';
import type { HttpRequestInfo, RouteHandler } from './http-types';
import { headerAuthentication, webhookRejecter, webhookSecrets, type WebhookDeps } from './webhook-handler';

/**
 * A route that takes raw content (evidence files) instead of a JSON event: authenticated like the
 * webhooks (an Entra token from an allowed caller, or the HMAC `X-Argus-Signature` with its secret),
 * but streamed, so a large file is never held in memory. A token is checked from the headers alone;
 * a signature covers the body, so it is computed while the body is read and checked at its end.
 */
export interface UploadSpec {
  /** Source name for metrics and audit. */
  source: string;
  secretName: string;
  bodyLimitBytes: number;
  receive(upload: Upload): Promise<{ status: number; body: unknown }>;
}

export interface Upload {
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  correlationId: string;
  /** Who called: `signature:<secret name>` or the Entra caller (proven only once `authenticated()` resolved). */
  caller: string;
  /** The content as it arrives. */
  body: AsyncIterable<Buffer>;
  /**
   * Resolves once the caller is proven: at once for a token; for a signature, after `body` was read
   * to its end and its HMAC matched (otherwise it throws ARGUS_BAD_SIGNATURE, already audited).
   * Keep nothing, and tell the caller nothing about what it names, before it resolved.
   */
  authenticated(): Promise<void>;
}

/**
 * Refusals are audited here as for webhooks: a bad or missing signature sampled per caller, any
 * other 4xx the receiver throws (unknown incident, bad parameters) as a `webhook.received` row with
 * the caller, once it is proven.
 */
export function createUploadHandler(spec: UploadSpec, deps: WebhookDeps): RouteHandler {
  const reject = webhookRejecter(spec.source, deps);

  return async (req) => {
    const body = req.body ?? single(req.rawBody);
    const byHeaders = await headerAuthentication(req, deps);
    if (byHeaders && !byHeaders.ok && byHeaders.denied)
      return reject(req, new ArgusError('ARGUS_FORBIDDEN', 'this caller is not allowed to upload evidence'), byHeaders.reason, { authenticated: true, actorId: byHeaders.denied.caller });
    if (byHeaders && !byHeaders.ok) return reject(req, new ArgusError('ARGUS_BAD_SIGNATURE'), byHeaders.reason, { authenticated: false });

    let proven = byHeaders?.ok === true;
    let upload: Upload;
    if (byHeaders?.ok) {
      upload = { ...common(req), caller: byHeaders.caller, body, authenticated: async () => {} };
    } else {
      const secrets = await webhookSecrets(deps.secrets, spec.secretName);
      if (secrets.length === 0) {
        deps.logger.error({ secret: spec.secretName }, 'upload secret is not configured: every signed upload is refused');
        return reject(req, new ArgusError('ARGUS_BAD_SIGNATURE'), 'secret-not-configured', { authenticated: false });
      }
      const header = parseSignatureHeader(req.headers[signatureHeader]);
      if (!header.ok) return reject(req, new ArgusError('ARGUS_BAD_SIGNATURE'), `signature-${header.reason}`, { authenticated: false });
      const mac = bodySignature(header.header, secrets);
      let ended = false;
      async function* signed(): AsyncGenerator<Buffer> {
        for await (const chunk of body) {
          mac.update(chunk);
          yield chunk;
        }
        ended = true;
      }
      let verdict: Promise<void> | undefined;
      const authenticated = () =>
        (verdict ??= (async () => {
          if (!ended) throw new ArgusError('ARGUS_INTERNAL', 'an upload was asked to be authenticated before its body was read');
          const check = mac.check();
          if (!check.ok) await reject(req, new ArgusError('ARGUS_BAD_SIGNATURE'), `signature-${check.reason}`, { authenticated: false });
          proven = true;
        })());
      upload = { ...common(req), caller: `signature:${spec.secretName}`, body: signed(), authenticated };
    }

    try {
      const result = await spec.receive(upload);
      deps.metrics.webhooks.inc({ source: spec.source, outcome: 'accepted' });
      deps.metrics.webhookLatency.observe((Date.now() - req.receivedAt) / 1000, { source: spec.source });
      return result;
    } catch (err) {
      // Signature failures were audited when found; other refusals are audited here, once.
      if (!(err instanceof ArgusError) || err.status >= 500 || err.code === 'ARGUS_BAD_SIGNATURE') throw err;
      return reject(req, err, err.code === 'ARGUS_NOT_FOUND' ? 'not-found' : err.code === 'ARGUS_PAYLOAD_TOO_LARGE' ? 'too-large' : 'bad-request', {
        authenticated: proven,
        actorId: proven ? upload.caller : undefined,
      });
    }
  };
}

function common(req: HttpRequestInfo): Pick<Upload, 'query' | 'headers' | 'correlationId'> {
  return { query: req.query ?? {}, headers: req.headers, correlationId: req.correlationId };
}

async function* single(buffer: Buffer): AsyncGenerator<Buffer> {
  if (buffer.length > 0) yield buffer;
}
