import type { TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { createCachedSecretProvider, type SecretSource } from './secrets-cache';
import type { RotatingSecretProvider } from './secrets-rotation';

export interface KeyVaultSecretProviderOptions {
  /** e.g. https://argus-prod.vault.azure.net */
  vaultUrl: string;
  /** The composition root passes DefaultAzureCredential (managed identity on App Service). */
  credential: TokenCredential;
  logger: Logger;
  /** Default 5 minutes. */
  cacheTtlMs?: number;
  now?: () => number;
  /** Budget for one read including the SDK's retries; default 10 s. */
  timeoutMs?: number;
  /** Budget for ping(); default 5 s, so /readyz and `argus doctor` answer promptly. */
  pingTimeoutMs?: number;
  /** The SDK's retry policy (exponential backoff on network errors, 408, 429 and 5xx). */
  retry?: { maxRetries?: number; retryDelayMs?: number; maxRetryDelayMs?: number };
}

/**
 * Looked up by ping(). It is not expected to exist: a 404 proves the vault answers and the
 * identity may read secrets (a missing permission is a 403, which fails the ping).
 */
export const keyVaultProbeSecretName = 'argus-readiness-probe';

interface RestErrorInfo {
  statusCode?: number;
  code?: string;
  name?: string;
}

function restErrorInfo(err: unknown): RestErrorInfo {
  if (typeof err !== 'object' || err === null) return {};
  const { statusCode, code, name } = err as Record<string, unknown>;
  return {
    statusCode: typeof statusCode === 'number' ? statusCode : undefined,
    code: typeof code === 'string' ? code : undefined,
    name: typeof name === 'string' ? name : undefined,
  };
}

/** Only Key Vault's own "no such secret" means absent; any other 404 (a wrong URL path) is a fault. */
function isSecretNotFound(err: unknown): boolean {
  const info = restErrorInfo(err);
  return info.statusCode === 404 && info.code === 'SecretNotFound';
}

function describeFailure(err: unknown, timeoutMs: number): string {
  const info = restErrorInfo(err);
  if (info.name === 'AbortError' || info.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (info.statusCode !== undefined) return `HTTP ${info.statusCode}${info.code ? ` ${info.code}` : ''}`;
  // Network failures: the message names the cause and address, e.g. "connect ECONNREFUSED 10.0.0.4:443".
  return err instanceof Error ? err.message : String(err);
}

/** Secrets from Azure Key Vault through the official SDK, cached (see createCachedSecretProvider). */
export function createKeyVaultSecretProvider(options: KeyVaultSecretProviderOptions): RotatingSecretProvider {
  const { vaultUrl, credential, logger } = options;
  let parsed: URL;
  try {
    parsed = new URL(vaultUrl);
  } catch (cause) {
    throw new ArgusError('ARGUS_CONFIG_INVALID', `Key Vault URL ${JSON.stringify(vaultUrl)} is not a URL`, { cause });
  }
  // Key Vault only speaks https, and the SDK refuses to send a bearer token over anything else.
  if (parsed.protocol !== 'https:')
    throw new ArgusError('ARGUS_CONFIG_INVALID', `Key Vault URL ${vaultUrl} must use https`, {
      details: [{ path: 'ARGUS_KEY_VAULT_URL', message: 'must use https' }],
    });
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
  const client = new SecretClient(vaultUrl, credential, {
    retryOptions: {
      maxRetries: options.retry?.maxRetries ?? 2,
      retryDelayInMs: options.retry?.retryDelayMs ?? 500,
      maxRetryDelayInMs: options.retry?.maxRetryDelayMs ?? 4_000,
    },
    userAgentOptions: { userAgentPrefix: 'argus' },
  });
  const log = logger.child({ component: 'key-vault' });
  const description = `Key Vault ${parsed.origin}`;

  async function fetchSecret(name: string, budgetMs: number): Promise<string | undefined> {
    try {
      const secret = await client.getSecret(name, { abortSignal: AbortSignal.timeout(budgetMs) });
      return secret.value;
    } catch (cause) {
      if (isSecretNotFound(cause)) return undefined;
      const err = new ArgusError('ARGUS_DEPENDENCY_FAILED', `${description} could not be read (secret "${name}"): ${describeFailure(cause, budgetMs)}`, {
        cause,
      });
      log.warn({ err, secretName: name }, 'Key Vault read failed');
      throw err;
    }
  }

  const source: SecretSource = {
    description,
    locate: (name) => `secret "${name}"`,
    read: (name) => fetchSecret(name, timeoutMs),
    async ping() {
      await fetchSecret(keyVaultProbeSecretName, pingTimeoutMs);
    },
  };
  return createCachedSecretProvider(source, { ttlMs: options.cacheTtlMs, now: options.now, logger: log });
}
