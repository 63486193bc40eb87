import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { sendJson, startTestServer, type TestServer } from './http-server';

/**
 * The Entra ID side of token validation for one tenant: its v2.0 OpenID metadata and its key
 * set (the shapes login.microsoftonline.com serves), with locally minted RSA keys, so tests can
 * sign tokens the way Entra ID signs a managed identity's access token.
 */
export interface FakeEntra extends TestServer {
  tenantId: string;
  /** The metadata URL to configure as webhookAuth.entra.openIdConfigUrl. */
  openIdConfigUrl: string;
  /** The issuer of v2.0 tokens, as the metadata names it. */
  issuer: string;
  /** Key ids currently published. */
  kids(): string[];
  /** Signs `claims` (merged over a valid managed-identity token) with a published key. */
  mint(claims?: JWTPayload, options?: MintOptions): Promise<string>;
  /** Adds a new signing key (published at once) and returns its kid; the old keys stay published. */
  rotate(): Promise<string>;
  /** Requests that fetched metadata / keys. */
  fetches(kind: 'metadata' | 'keys'): number;
  /** Makes the server answer every request with this status (undefined: normal again). */
  failWith(status: number | undefined): void;
}

export interface MintOptions {
  /** Sign with this key instead of a published one (e.g. an attacker's key with a published kid). */
  key?: CryptoKey;
  kid?: string;
  lifetimeSeconds?: number;
  /** Seconds to shift iat/nbf/exp by (negative: in the past). */
  shiftSeconds?: number;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: Record<string, unknown>;
}

async function newKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = randomUUID().replace(/-/g, '').slice(0, 27);
  const jwk = { ...(await exportJWK(publicKey)), kid, x5t: kid, use: 'sig', kty: 'RSA' };
  return { kid, privateKey, jwk };
}

export const callerObjectId = '7d1e3c55-8a2b-4f6e-9c0d-1b2a3c4d5e6f';
export const callerClientId = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
export const webhookAudience = 'api://argus-webhooks';

export async function startFakeEntra(tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47'): Promise<FakeEntra> {
  const keys: SigningKey[] = [await newKey()];
  const counts = { metadata: 0, keys: 0 };
  let failure: number | undefined;
  let base = '';
  const server = await startTestServer((req, res) => {
    if (failure) return sendJson(res, failure, { error: 'temporarily_unavailable' });
    if (req.path === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      counts.metadata += 1;
      return sendJson(res, 200, {
        token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
        request_uri_parameter_supported: false,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
        authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`,
      });
    }
    if (req.path === `/${tenantId}/discovery/v2.0/keys`) {
      counts.keys += 1;
      return sendJson(res, 200, { keys: keys.map((k) => ({ ...k.jwk, issuer: `https://login.microsoftonline.com/${tenantId}/v2.0` })) });
    }
    sendJson(res, 404, { error: 'not_found' });
  });
  base = server.url;
  const issuer = `https://login.microsoftonline.com/${tenantId}/v2.0`;

  return {
    ...server,
    tenantId,
    openIdConfigUrl: `${base}/${tenantId}/v2.0/.well-known/openid-configuration`,
    issuer,
    kids: () => keys.map((k) => k.kid),
    async mint(claims = {}, options = {}) {
      const signer = keys[keys.length - 1]!;
      const now = Math.floor(Date.now() / 1000) + (options.shiftSeconds ?? 0);
      // The claims of an app-only v2.0 token Entra ID issues to a managed identity.
      const payload: JWTPayload = {
        aud: webhookAudience,
        iss: issuer,
        iat: now,
        nbf: now,
        exp: now + (options.lifetimeSeconds ?? 3600),
        aio: 'k2BgYNiVfPjv',
        azp: callerClientId,
        azpacr: '2',
        idtyp: 'app',
        oid: callerObjectId,
        rh: '0.AXEAv4j5cvGGr0GRqy180BHbRw.',
        sub: callerObjectId,
        tid: tenantId,
        uti: randomUUID().slice(0, 22),
        ver: '2.0',
        xms_mirid: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/soc-rg/providers/Microsoft.Logic/workflows/argus-forward',
        ...claims,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? signer.kid, x5t: options.kid ?? signer.kid })
        .sign(options.key ?? signer.privateKey);
    },
    async rotate() {
      const key = await newKey();
      keys.push(key);
      return key.kid;
    },
    fetches: (kind) => counts[kind],
    failWith(status) {
      failure = status;
    },
  };
}
