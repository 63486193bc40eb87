import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { WebhookRouteName } from '../config/file-schema';
import { isLoopback } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import type { WebhookAuthenticator } from './webhook-handler';
import { webhookRouteOf } from './webhook-routes';

/**
 * Entra ID bearer tokens on webhooks: a Logic App (or any Azure resource) calls Argus with its
 * managed identity, so no shared secret has to be copied around. The token's signature is
 * checked against the tenant's OpenID keys (jose does the JOSE work), then issuer, audience,
 * tenant, lifetime (bounded clock skew) and the calling identity (allow-list), and last whether
 * that identity may call the route it called: a forwarder that may post incidents must not be
 * able to report playbook results or post alerts.
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 */
export interface EntraCaller {
  /** Object id (`oid`) of the calling identity, or its client id (`appid`/`azp`; app-only tokens). */
  id: string;
  routes: readonly WebhookRouteName[];
}

export interface EntraTokenOptions {
  tenantId: string;
  /** The `aud` the caller asks a token for: the app ID URI or client id of Argus's app registration. */
  audience: string;
  allowedCallers: readonly EntraCaller[];
  /** Default: the tenant's v2.0 metadata on login.microsoftonline.com. */
  openIdConfigUrl?: string;
  /** Allowed clock difference for `exp`/`nbf`; default 120 s. */
  clockToleranceSeconds?: number;
  /** How long the OpenID metadata and the keys are trusted before they are fetched again; default 6 h. */
  cacheMaxAgeMs?: number;
  /** Smallest gap between two key fetches caused by an unknown key id (key rotation); default 30 s. */
  keysCooldownMs?: number;
  timeoutMs?: number;
  logger: Logger;
}

export type EntraFailure =
  | 'malformed'
  | 'algorithm'
  | 'signature'
  | 'expired'
  | 'not-yet-valid'
  | 'audience'
  | 'issuer'
  | 'tenant'
  | 'claims'
  | 'caller-not-allowed'
  | 'keys-unavailable';

/** `routes`: where the caller may post, from every allow-list entry that names it. */
export type EntraVerdict = { ok: true; caller: string; claims: JWTPayload; routes: ReadonlySet<WebhookRouteName> } | { ok: false; reason: EntraFailure };

export interface EntraTokenVerifier {
  verify(token: string): Promise<EntraVerdict>;
}

interface OpenIdMetadata {
  issuer: string;
  jwksUri: string;
}

const maxTokenLength = 16 * 1024;
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function defaultOpenIdConfigUrl(tenantId: string): string {
  return `https://login.microsoftonline.com/${tenantId}/v2.0/.well-known/openid-configuration`;
}

/** Key material must come over TLS; plain http is accepted on loopback only (local test servers). */
function trustedUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ArgusError('ARGUS_CONFIG_INVALID', `${what} is not a URL`);
  }
  const local = url.protocol === 'http:' && isLoopback(url.hostname.replace(/^\[|\]$/g, ''));
  if (url.protocol !== 'https:' && !local) throw new ArgusError('ARGUS_CONFIG_INVALID', `${what} must be https (got ${url.origin})`);
  return url;
}

function failureOf(err: unknown): EntraFailure {
  const code = (err as { code?: unknown }).code;
  const claim = (err as { claim?: unknown }).claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'aud' ? 'audience' : claim === 'iss' ? 'issuer' : claim === 'nbf' ? 'not-yet-valid' : 'claims';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'signature';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'malformed';
    default:
      // Key set timeout, non-200, unparsable keys, network errors: the keys could not be had.
      return 'keys-unavailable';
  }
}

export function createEntraTokenVerifier(options: EntraTokenOptions): EntraTokenVerifier {
  if (!guid.test(options.tenantId)) throw new ArgusError('ARGUS_CONFIG_INVALID', 'webhookAuth.entra.tenantId must be a GUID');
  const metadataUrl = trustedUrl(options.openIdConfigUrl ?? defaultOpenIdConfigUrl(options.tenantId), 'webhookAuth.entra.openIdConfigUrl');
  const allowed = new Map<string, Set<WebhookRouteName>>();
  for (const c of options.allowedCallers) {
    const routes = allowed.get(c.id.toLowerCase()) ?? new Set<WebhookRouteName>();
    for (const r of c.routes) routes.add(r);
    allowed.set(c.id.toLowerCase(), routes);
  }
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 6 * 3600_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const log = options.logger.child({ component: 'entra-token' });
  let metadata: { value: OpenIdMetadata; keys: ReturnType<typeof createRemoteJWKSet>; at: number } | undefined;
  let loading: Promise<NonNullable<typeof metadata>> | undefined;

  async function loadMetadata(): Promise<NonNullable<typeof metadata>> {
    const res = await fetch(metadataUrl, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
    if (res.status !== 200) throw new Error(`OpenID metadata answered ${res.status}`);
    const json = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof json.issuer !== 'string' || typeof json.jwks_uri !== 'string') throw new Error('OpenID metadata lacks issuer or jwks_uri');
    const jwksUri = trustedUrl(json.jwks_uri, 'jwks_uri of the OpenID metadata');
    // Multi-tenant metadata ("organizations") names the issuer with a {tenantid} placeholder.
    const issuer = json.issuer.replace('{tenantid}', options.tenantId);
    const keys = createRemoteJWKSet(jwksUri, { cacheMaxAge: cacheMaxAgeMs, cooldownDuration: options.keysCooldownMs ?? 30_000, timeoutDuration: timeoutMs });
    return { value: { issuer, jwksUri: jwksUri.href }, keys, at: Date.now() };
  }

  async function current(): Promise<NonNullable<typeof metadata>> {
    if (metadata && Date.now() - metadata.at < cacheMaxAgeMs) return metadata;
    loading ??= loadMetadata()
      .then(
        (fresh) => (metadata = fresh),
        (err: unknown) => {
          if (!metadata) throw err;
          // Keys rotate slowly: keep what we have through an outage, and look again in a minute.
          log.warn({ err, url: metadataUrl.href }, 'could not refresh the Entra OpenID metadata; keeping the cached copy');
          metadata.at = Date.now() - cacheMaxAgeMs + 60_000;
          return metadata;
        },
      )
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }

  return {
    async verify(token) {
      if (token.length > maxTokenLength || token.split('.').length !== 3) return { ok: false, reason: 'malformed' };
      let meta: NonNullable<typeof metadata>;
      try {
        meta = await current();
      } catch (err) {
        log.error({ err, url: metadataUrl.href }, 'could not read the Entra OpenID metadata: bearer tokens are refused');
        return { ok: false, reason: 'keys-unavailable' };
      }
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(token, meta.keys, {
          algorithms: ['RS256'],
          // v2.0 tokens carry the metadata's issuer; v1.0 tokens (the version depends on the API's
          // app registration) carry sts.windows.net — both signed by the same tenant keys.
          issuer: [meta.value.issuer, `https://sts.windows.net/${options.tenantId}/`],
          audience: options.audience,
          clockTolerance: options.clockToleranceSeconds ?? 120,
          requiredClaims: ['exp', 'iat', 'tid'],
        }));
      } catch (err) {
        const reason = failureOf(err);
        if (reason === 'keys-unavailable') log.error({ err, jwksUri: meta.value.jwksUri }, 'could not read the Entra signing keys');
        return { ok: false, reason };
      }
      if (String(claims.tid).toLowerCase() !== options.tenantId.toLowerCase()) return { ok: false, reason: 'tenant' };
      const oid = typeof claims.oid === 'string' ? claims.oid.toLowerCase() : undefined;
      const clientId = [claims.appid, claims.azp].find((v): v is string => typeof v === 'string')?.toLowerCase();
      // A client id vouches only for app-only tokens: a delegated (user) token has `scp`.
      const appOnly = claims.scp === undefined;
      const byOid = oid ? allowed.get(oid) : undefined;
      const byClient = clientId && appOnly ? allowed.get(clientId) : undefined;
      const caller = oid ?? clientId;
      if ((!byOid && !byClient) || !caller) return { ok: false, reason: 'caller-not-allowed' };
      // An app-only token's oid and client id name the same service principal: their entries add up.
      return { ok: true, caller, claims, routes: new Set([...(byOid ?? []), ...(byClient ?? [])]) };
    },
  };
}

/**
 * The webhook hook: a request with `Authorization: Bearer …` is decided by its token alone (a
 * bad token is refused, never retried as an HMAC request); without one, the signature rules apply.
 * A valid token of an allow-listed caller on a route its entry does not name is denied (403).
 */
export function createEntraWebhookAuthenticator(options: EntraTokenOptions): WebhookAuthenticator {
  const verifier = createEntraTokenVerifier(options);
  return {
    async authenticate(req) {
      const header = req.headers.authorization;
      if (!header || !/^bearer\s/i.test(header)) return undefined;
      const token = header.slice(6).trim();
      const verdict = await verifier.verify(token);
      if (!verdict.ok) return { ok: false, reason: `entra-${verdict.reason}` };
      const caller = `entra:${verdict.caller}`;
      const route = webhookRouteOf(req.path);
      if (!route || !verdict.routes.has(route)) return { ok: false, reason: 'entra-route-not-allowed', denied: { caller } };
      return { ok: true, caller };
    },
  };
}
