import { assertSecretName } from './secrets-names';
import type { SecretProvider } from './secret-provider';

/**
 * Rotation without downtime: the operator stores the new value as `<name>` and moves the old one
 * to `<name>-previous` (ARGUS_SECRET_<NAME>_PREVIOUS in the environment). Senders switch to the
 * new value at their own pace; meanwhile signature checks accept either, and `-previous` is
 * deleted once they have.
 */
export const previousSecretSuffix = '-previous';

export function previousSecretName(name: string): string {
  return `${name}${previousSecretSuffix}`;
}

/**
 * The values a signature may be made with: `[current, previous?]`. When `<name>` itself is
 * missing the answer is `[]` — a leftover `-previous` alone never authenticates anything.
 * Works with any SecretProvider (wrappers included); both reads go through its cache.
 */
export async function getSecretVersions(provider: Pick<SecretProvider, 'get'>, name: string): Promise<string[]> {
  assertSecretName(name);
  const previousName = previousSecretName(name);
  assertSecretName(previousName);
  const [current, previous] = await Promise.all([provider.get(name), provider.get(previousName)]);
  if (current === undefined) return [];
  return previous === undefined || previous === current ? [current] : [current, previous];
}

/** A SecretProvider that also answers getSecretVersions itself. */
export interface RotatingSecretProvider extends SecretProvider {
  /** Same as getSecretVersions(this, name). */
  getAll(name: string): Promise<string[]>;
}
