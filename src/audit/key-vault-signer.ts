import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import axios, { isAxiosError, type AxiosResponse } from 'axios';
import { ArgusError } from '../errors/catalog';
import type { SignatureAlgorithm } from './checkpoint';
import type { CheckpointSigner } from './local-checkpoint-key';

/*
 * Key Vault's keys REST API (api-version 7.4), as far as checkpoints need it:
 *   POST {vault}/keys/{name}/sign  {alg, value: base64url(digest)} → {kid, value: base64url(signature)}
 *   GET  {kid}                     → {key: JWK of the public half, attributes, …}
 * Signing needs only the `sign` key permission (role "Key Vault Crypto User" grants more); the
 * private key never leaves the vault. Reading the public key needs `get`, which only the verifier
 * (`argus audit verify`) uses. Authentication follows Key Vault's challenge as the Azure SDK does:
 * the first request goes without a token; the 401's WWW-Authenticate names the token resource and
 * tenant, and the resource must be a parent domain of the vault's host (so a wrong vault URL
 * cannot collect a token meant for another resource).
 */
export const keyVaultKeysApiVersion = '7.4';

export interface KeyVaultKeyOptions {
  vaultUrl: string;
  keyName: string;
  algorithm: SignatureAlgorithm;
  /** DefaultAzureCredential in production (the App Service managed identity). */
  credential: TokenCredential;
  timeoutMs?: number;
}

export interface KeyVaultCheckpointKey extends CheckpointSigner {
  /** `{vault}/keys/{name}/`: every version of the key starts with it. */
  keyPrefix: string;
  /** The public key of one version (the `kid` a signature carries); must lie under keyPrefix. */
  publicKey(kid: string): Promise<KeyObject>;
}

export function createKeyVaultCheckpointKey(options: KeyVaultKeyOptions): KeyVaultCheckpointKey {
  let vault: URL;
  try {
    vault = new URL(options.vaultUrl);
  } catch (cause) {
    throw new ArgusError('ARGUS_CONFIG_INVALID', `audit.checkpoints.keyVault.vaultUrl ${JSON.stringify(options.vaultUrl)} is not a URL`, { cause });
  }
  if (vault.protocol !== 'https:')
    throw new ArgusError('ARGUS_CONFIG_INVALID', 'audit.checkpoints.keyVault.vaultUrl must use https', {
      details: [{ path: 'audit.checkpoints.keyVault.vaultUrl', message: 'must use https' }],
    });
  const keyPrefix = `${vault.origin}/keys/${options.keyName}/`;
  const timeout = options.timeoutMs ?? 10_000;
  const what = `Key Vault ${vault.origin} key "${options.keyName}"`;
  let challenge: { scope: string; tenantId?: string } | undefined;

  async function call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<AxiosResponse> {
    for (let round = 0; round < 2; round += 1) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (challenge) {
        const token = await options.credential.getToken(challenge.scope, { tenantId: challenge.tenantId });
        if (!token) throw new ArgusError('ARGUS_DEPENDENCY_FAILED', `no token for ${what}`);
        headers.authorization = `Bearer ${token.token}`;
      }
      let res: AxiosResponse;
      try {
        // The unauthenticated first request carries no body, as the SDK's: it only fetches the challenge.
        res = await axios.request({ method, url, headers, data: challenge ? body : undefined, timeout, validateStatus: () => true, maxRedirects: 0 });
      } catch (cause) {
        const reason = isAxiosError(cause) ? (cause.code ?? cause.message) : String(cause);
        throw new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', `${what} did not answer: ${reason}`, { cause });
      }
      if (res.status !== 401 || round > 0) return res;
      challenge = parseChallenge(String(res.headers['www-authenticate'] ?? ''), vault, what);
    }
    throw new ArgusError('ARGUS_INTERNAL', 'unreachable');
  }

  return {
    describe: what,
    alg: options.algorithm,
    keyPrefix,
    async sign(_payload, digest) {
      const res = await call('POST', `${vault.origin}/keys/${options.keyName}/sign?api-version=${keyVaultKeysApiVersion}`, {
        alg: options.algorithm,
        value: digest.toString('base64url'),
      });
      const data = res.data as { kid?: unknown; value?: unknown };
      if (res.status !== 200) throw refused(res, `${what} refused to sign`);
      if (typeof data.kid !== 'string' || !data.kid.startsWith(keyPrefix) || typeof data.value !== 'string')
        throw new ArgusError('ARGUS_DEPENDENCY_FAILED', `${what} answered a sign request without a kid of this key and a value`);
      return { kid: data.kid, signature: Buffer.from(data.value, 'base64url') };
    },
    async publicKey(kid) {
      if (!kid.startsWith(keyPrefix) || !/^[0-9a-zA-Z]+$/.test(kid.slice(keyPrefix.length)))
        throw new ArgusError('ARGUS_BAD_REQUEST', `checkpoint key ${kid} is not a version of ${what}`);
      const res = await call('GET', `${kid}?api-version=${keyVaultKeysApiVersion}`);
      if (res.status !== 200) throw refused(res, `${what} refused to give its public key`);
      const jwk = (res.data as { key?: JsonWebKey }).key;
      try {
        return publicKeyFromJwk(jwk);
      } catch (cause) {
        throw new ArgusError('ARGUS_DEPENDENCY_FAILED', `${what} returned a key Argus cannot read`, { cause });
      }
    },
  };
}

/** The public key of a Key Vault JWK (kty EC, EC-HSM, RSA or RSA-HSM). */
export function publicKeyFromJwk(jwk: JsonWebKey | undefined): KeyObject {
  if (!jwk) throw new TypeError('no key');
  const kty = String(jwk.kty).replace(/-HSM$/, '');
  const pub: JsonWebKey = kty === 'EC' ? { kty, crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty, n: jwk.n, e: jwk.e };
  return createPublicKey({ key: pub, format: 'jwk' });
}

function parseChallenge(header: string, vault: URL, what: string): { scope: string; tenantId?: string } {
  const params = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const scope = params.resource ? `${params.resource.replace(/\/$/, '')}/.default` : params.scope;
  if (!scope) throw new ArgusError('ARGUS_DEPENDENCY_FAILED', `${what} answered 401 without a usable challenge`);
  let resourceHost: string;
  try {
    resourceHost = new URL(scope).hostname;
  } catch (cause) {
    throw new ArgusError('ARGUS_DEPENDENCY_FAILED', `${what} sent a challenge with an invalid resource`, { cause });
  }
  if (!vault.hostname.endsWith(`.${resourceHost}`))
    throw new ArgusError('ARGUS_DEPENDENCY_FAILED', `${what} asked for a token for ${resourceHost}, which is not a parent domain of the vault`);
  let tenantId: string | undefined;
  try {
    tenantId = params.authorization ? new URL(params.authorization).pathname.slice(1) || undefined : undefined;
  } catch {
    tenantId = undefined;
  }
  return { scope, tenantId };
}

function refused(res: AxiosResponse, message: string): ArgusError {
  const error = (res.data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP ${res.status}`;
  const text = typeof error?.message === 'string' ? error.message.slice(0, 300) : '';
  const status = res.status === 429 || res.status >= 500 ? 'ARGUS_DEPENDENCY_UNAVAILABLE' : 'ARGUS_DEPENDENCY_FAILED';
  return new ArgusError(status, `${message}: ${res.status} ${code}`, { details: [{ path: 'keyVault', message: `${res.status} ${code}: ${text}` }] });
}

