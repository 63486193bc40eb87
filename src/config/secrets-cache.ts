import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { assertSecretName } from './secrets-names';
import { getSecretVersions, type RotatingSecretProvider } from './secrets-rotation';

/** Where secret values come from, uncached: the environment or a vault. */
export interface SecretSource {
  /** What the store is, for messages, e.g. `Key Vault https://argus.vault.azure.net`. */
  readonly description: string;
  /** Where `name` is looked up, for messages, e.g. `ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET`. */
  locate(name: string): string;
  /** The raw value, or undefined when the store has no such secret. Throws when the store fails. */
  read(name: string): Promise<string | undefined>;
  ping(): Promise<void>;
}

export interface CachedSecretProviderOptions {
  /** How long a value (or its absence) is trusted; 0 disables caching. Default 5 minutes. */
  ttlMs?: number;
  now?: () => number;
  logger?: Logger;
}

export const defaultSecretCacheTtlMs = 5 * 60 * 1000;

interface Entry {
  value: string | undefined;
  expiresAt: number;
}

/**
 * Wraps a source with a TTL cache. Concurrent reads of one name share a single fetch; failures
 * are not cached, so the next read tries the store again. Empty values count as missing: an
 * empty HMAC key would make every signature forgeable.
 */
export function createCachedSecretProvider(source: SecretSource, options: CachedSecretProviderOptions = {}): RotatingSecretProvider {
  const ttlMs = options.ttlMs ?? defaultSecretCacheTtlMs;
  const now = options.now ?? Date.now;
  const log = options.logger;
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<string | undefined>>();

  async function get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    const hit = cache.get(name);
    if (hit && hit.expiresAt > now()) return hit.value;
    const pending = inflight.get(name);
    if (pending) return pending;
    const fetching: Promise<string | undefined> = source
      .read(name)
      .then((raw) => {
        const value = raw === '' ? undefined : raw;
        // An invalidate() during the fetch wins: its caller expects the store to be asked again.
        if (inflight.get(name) === fetching && ttlMs > 0) cache.set(name, { value, expiresAt: now() + ttlMs });
        log?.debug({ secretName: name, found: value !== undefined, store: source.description }, 'secret read');
        return value;
      })
      .finally(() => {
        if (inflight.get(name) === fetching) inflight.delete(name);
      });
    inflight.set(name, fetching);
    return fetching;
  }

  return {
    get,
    async require(name) {
      const value = await get(name);
      if (value === undefined)
        throw new ArgusError('ARGUS_SECRET_MISSING', `secret "${name}" is not set (looked for ${source.locate(name)} in ${source.description})`, {
          details: [{ path: name, message: 'missing' }],
        });
      return value;
    },
    getAll: (name) => getSecretVersions({ get }, name),
    invalidate(name) {
      if (name === undefined) {
        cache.clear();
        inflight.clear();
      } else {
        cache.delete(name);
        inflight.delete(name);
      }
    },
    ping: () => source.ping(),
  };
}
