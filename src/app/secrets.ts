import type { TokenCredential } from '@azure/identity';
import { withDevSecrets } from '../config/dev-secrets';
import type { ArgusConfig } from '../config/load-config';
import type { SecretProvider } from '../config/secret-provider';
import { createEnvSecretProvider } from '../config/secrets-env';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { secretNames } from '../config/secret-provider';
import { entraCallerAllowed, type WebhookRouteName } from '../config/file-schema';

/** The SecretProvider the config asks for: Key Vault, or ARGUS_SECRET_* variables; dev mode fills webhook secrets in. */
export function createSecretProvider(
  config: ArgusConfig,
  env: Record<string, string | undefined>,
  credential: () => TokenCredential,
  logger: Logger,
): SecretProvider {
  const base =
    config.secrets.kind === 'keyVault'
      ? // Loaded only when Key Vault is configured (its SDK is a noticeable part of the start otherwise).
        (require('../config/secrets-key-vault') as typeof import('../config/secrets-key-vault')).createKeyVaultSecretProvider({ vaultUrl: config.secrets.url, credential: credential(), logger })
      : createEnvSecretProvider(env, { logger });
  if (config.devMode && config.storage.kind === 'embedded') return withDevSecrets(base, config.storage.dataDir, logger);
  return base;
}

/**
 * Production refuses to start without the webhook secrets it will verify, unless an Entra caller is
 * allowed on that webhook's route (a Logic App's managed identity instead of an HMAC).
 */
export async function assertProductionSecrets(config: ArgusConfig, secrets: SecretProvider): Promise<void> {
  if (!config.production) return;
  const needed: Array<{ secret: string; route: WebhookRouteName }> = [{ secret: secretNames.sentinelWebhook, route: 'sentinel' }];
  if (config.file.itsm.provider === 'servicenow') needed.push({ secret: secretNames.itsmWebhook, route: 'itsm-servicenow' });
  if (config.file.itsm.provider === 'jira') needed.push({ secret: secretNames.jiraWebhook, route: 'itsm-jira' });
  const missing: string[] = [];
  for (const { secret, route } of needed) if (!entraCallerAllowed(config.file, route) && !(await secrets.get(secret))) missing.push(secret);
  if (missing.length)
    throw new ArgusError('ARGUS_SECRET_MISSING', `production refuses to start without webhook secrets: ${missing.join(', ')}`, {
      details: missing.map((m) => ({ path: m, message: 'secret is not set and no webhookAuth.entra caller is allowed on its route' })),
    });
}
