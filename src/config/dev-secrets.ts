import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logging/logger';
import { secretNames, type SecretProvider } from './secret-provider';

/** Webhook secrets a dev-mode Argus makes up when none is configured. */
export const devGeneratedSecrets = [
  secretNames.sentinelWebhook,
  secretNames.itsmWebhook,
  secretNames.playbookCallback,
  secretNames.alertsWebhook,
  secretNames.jiraWebhook,
  secretNames.evidenceUpload,
  secretNames.reportLink,
] as const;

export function devSecretsFile(dataDir: string): string {
  return join(dataDir, 'dev-secrets.json');
}

/** Reads (or creates, readable by the owner only) the dev secrets file under the data dir. */
export function loadDevSecrets(dataDir: string, create: boolean): Record<string, string> {
  const file = devSecretsFile(dataDir);
  let values: Record<string, string> = {};
  if (existsSync(file)) values = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const missing = devGeneratedSecrets.filter((n) => !values[n]);
  if (create && missing.length) {
    for (const n of missing) values[n] = randomBytes(32).toString('hex');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return values;
}

/**
 * Dev mode only: so that `npm start` works with nothing configured while webhooks stay signed,
 * missing webhook secrets are generated once into `<dataDir>/dev-secrets.json`, where
 * `argus send-sample` finds them. Configured secrets always win.
 */
export function withDevSecrets(inner: SecretProvider, dataDir: string, logger: Logger): SecretProvider {
  // Made at start, so `argus send-sample` can sign before the first webhook arrives.
  const generated = loadDevSecrets(dataDir, true);
  logger.warn({ file: devSecretsFile(dataDir) }, 'dev mode: webhook secrets that are not configured are read from this generated file');
  return {
    async get(name) {
      const value = await inner.get(name);
      if (value !== undefined) return value;
      return (devGeneratedSecrets as readonly string[]).includes(name) ? generated[name] : undefined;
    },
    async require(name) {
      const value = await this.get(name);
      return value ?? inner.require(name);
    },
    invalidate: (name) => inner.invalidate(name),
    ping: () => inner.ping(),
  };
}
