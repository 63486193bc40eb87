import { ArgusError } from '../errors/catalog';
import { secretNamePattern } from './secret-provider';

/** Rejects names outside Key Vault's alphabet, so nothing odd reaches an env lookup or a vault URL. */
export function assertSecretName(name: string): void {
  if (typeof name === 'string' && secretNamePattern.test(name)) return;
  const shown = JSON.stringify(String(name).slice(0, 64));
  const message = `${shown} is not a valid secret name: use 1-127 letters, digits and dashes`;
  throw new ArgusError('ARGUS_CONFIG_INVALID', message, { details: [{ path: 'secretName', message }] });
}
