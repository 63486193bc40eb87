import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createFakeVaultKeys, type FakeVaultKeys, type KeyPermission } from './fake-key-vault-keys';
import { hasTokenFor } from './fake-managed-identity';
import { sendJson, type RecordedRequest, type TestServer } from './http-server';
import { startHttpsTestServer, type TestCertificate } from './tls';

/**
 * Azure Key Vault's secrets REST API, as far as Argus uses it, over HTTPS.
 *
 * The SDK's challenge policy only accepts a challenge whose `resource` host is a parent domain
 * of the vault's host (`*.vault.azure.net` ← `https://vault.azure.net`), so the vault cannot be
 * addressed as 127.0.0.1: it is `argus.vault.localhost` (the `.localhost` domain is reserved for
 * loopback) with resource `https://vault.localhost`. The certificate must name that host
 * (createTestCertificate({ dnsNames: [fakeVaultHost] })), and the client process must resolve it
 * to 127.0.0.1 (see key-vault-client.ts).
 */
export const fakeVaultHost = 'argus.vault.localhost';
export const fakeVaultResource = 'https://vault.localhost';

export interface FakeKeyVault extends TestServer {
  vaultUrl: string;
  tenantId: string;
  /** Current values by name (Key Vault names are case-insensitive: keys are lower-case). */
  secrets: Map<string, string>;
  setSecret(name: string, value: string): void;
  /** Names of authenticated secret reads, in order. */
  reads(): string[];
  /** Keys (sign and get, see fake-key-vault-keys.ts). */
  keys: FakeVaultKeys;
}

function keyVaultError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

export async function startFakeKeyVault(options: {
  certificate: TestCertificate;
  secrets?: Record<string, string>;
  tenantId?: string;
  keys?: Array<{ name: string; kty?: 'EC' | 'RSA' }>;
  /** The caller's key permissions; default sign and get. */
  keyPermissions?: KeyPermission[];
}): Promise<FakeKeyVault> {
  const tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const secrets = new Map<string, string>();
  const versions = new Map<string, string>();
  const setSecret = (name: string, value: string): void => {
    secrets.set(name.toLowerCase(), value);
    versions.set(name.toLowerCase(), randomBytes(16).toString('hex'));
  };
  for (const [name, value] of Object.entries(options.secrets ?? {})) setSecret(name, value);
  const challenge = `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${fakeVaultResource}"`;
  const authorized = (req: RecordedRequest): boolean => hasTokenFor(req.headers.authorization, fakeVaultResource);
  let vaultUrl = '';
  const keys = createFakeVaultKeys({ keys: options.keys, permissions: options.keyPermissions });

  const server = await startHttpsTestServer((req, res) => {
    if (!req.query.get('api-version')) {
      keyVaultError(res, 400, 'BadParameter', 'The request URI is missing the api-version parameter.');
      return;
    }
    if (!req.headers.authorization) {
      keyVaultError(res, 401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.', { 'www-authenticate': challenge });
      return;
    }
    if (!authorized(req)) {
      keyVaultError(res, 401, 'Unauthorized', `AKV10022: Invalid audience. Expected ${fakeVaultResource}.`, { 'www-authenticate': challenge });
      return;
    }
    if (req.path.startsWith('/keys/')) {
      keys.handle(req, res, vaultUrl);
      return;
    }
    const match = /^\/secrets\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-f]*))?\/?$/.exec(req.path);
    if (req.method !== 'GET' || !match?.[1]) {
      keyVaultError(res, 400, 'BadParameter', `${req.method} ${req.path} is not supported by this vault.`);
      return;
    }
    const name = match[1].toLowerCase();
    const value = secrets.get(name);
    const version = versions.get(name);
    if (value === undefined || !version || (match[2] && match[2] !== version)) {
      keyVaultError(
        res,
        404,
        'SecretNotFound',
        `A secret with (name/id) ${match[1]} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
      );
      return;
    }
    const at = Math.floor(Date.now() / 1000);
    sendJson(res, 200, {
      value,
      id: `${vaultUrl}/secrets/${match[1]}/${version}`,
      attributes: { enabled: true, created: at, updated: at, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
      tags: {},
    });
  }, options.certificate);
  vaultUrl = `https://${fakeVaultHost}:${server.port}`;

  return {
    ...server,
    vaultUrl,
    tenantId,
    secrets,
    setSecret,
    keys,
    reads: () =>
      server.requests
        .filter((r) => r.method === 'GET' && r.path.startsWith('/secrets/') && authorized(r))
        .map((r) => r.path.split('/')[2] ?? ''),
  };
}
