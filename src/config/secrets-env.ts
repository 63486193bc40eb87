import type { Logger } from '../logging/logger';
import { envNameForSecret } from './secret-provider';
import { createCachedSecretProvider, type SecretSource } from './secrets-cache';
import type { RotatingSecretProvider } from './secrets-rotation';

export interface EnvSecretProviderOptions {
  /** Default 5 minutes; values only change when the process is restarted, so caching costs nothing. */
  cacheTtlMs?: number;
  now?: () => number;
  logger?: Logger;
}

/**
 * Secrets from `ARGUS_SECRET_<UPPER_SNAKE_NAME>` variables, used when no Key Vault is configured.
 * `env` is passed in by the composition root; this module never reads process.env itself.
 */
export function createEnvSecretProvider(
  env: Readonly<Record<string, string | undefined>>,
  options: EnvSecretProviderOptions = {},
): RotatingSecretProvider {
  const source: SecretSource = {
    description: 'the environment',
    locate: envNameForSecret,
    read: async (name) => env[envNameForSecret(name)],
    ping: async () => {},
  };
  return createCachedSecretProvider(source, { ttlMs: options.cacheTtlMs, now: options.now, logger: options.logger });
}
