import type { KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { ArgusConfig } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import { parseIsoDuration } from '../playbooks/duration';
import type { Logger } from '../logging/logger';
import type { TableStore } from '../storage/table-store';
import { tableNames } from '../storage/table-store';
import { checkpointTableName } from './checkpoint';
import { TableCheckpointStore } from './checkpoint-store';
import { AuditCheckpointer, type AuditCheckpointerOptions } from './checkpoint-writer';
import { createKeyVaultCheckpointKey, type KeyVaultCheckpointKey } from './key-vault-signer';
import { localKeyId, localPublicKeyPath, openLocalCheckpointSigner, readPublicKeyFile, type CheckpointSigner } from './local-checkpoint-key';
import type { TableAuditLog } from './table-audit-log';
import type { CheckpointKeys } from './verify-checkpoint';

/** Where the local checkpoint key lives: ARGUS_DATA_DIR, whatever the storage. */
export function checkpointKeyDir(config: ArgusConfig, cwd: string): string {
  return config.storage.kind === 'embedded' ? config.storage.dataDir : resolve(cwd, config.env.ARGUS_DATA_DIR);
}

function keyVaultKey(config: ArgusConfig, credential: () => TokenCredential): KeyVaultCheckpointKey | undefined {
  const kv = config.file.audit.checkpoints.keyVault;
  return kv && createKeyVaultCheckpointKey({ vaultUrl: kv.vaultUrl, keyName: kv.keyName, algorithm: kv.algorithm, credential: credential() });
}

/** The configured signer: the Key Vault key, else the local key file (made on first use). */
export function createCheckpointSigner(config: ArgusConfig, deps: { cwd: string; credential: () => TokenCredential; logger: Logger }): CheckpointSigner {
  const kv = keyVaultKey(config, deps.credential);
  if (kv) return kv;
  if (config.production)
    deps.logger.warn('audit checkpoints are signed with a local key file: whoever controls this host can sign too; configure audit.checkpoints.keyVault');
  return openLocalCheckpointSigner({ dataDir: checkpointKeyDir(config, deps.cwd), logger: deps.logger });
}

/**
 * The keys `argus audit verify` trusts: a public key file given on the command line; else the
 * configured Key Vault key (any of its versions, read with the `get` permission); else the local
 * key's public half under ARGUS_DATA_DIR.
 */
export function checkpointKeys(config: ArgusConfig, deps: { cwd: string; credential: () => TokenCredential; publicKeyFile?: string }): CheckpointKeys {
  if (deps.publicKeyFile) {
    const path = resolve(deps.cwd, deps.publicKeyFile);
    let key: KeyObject | undefined;
    try {
      key = readPublicKeyFile(path);
    } catch (cause) {
      throw new ArgusError('ARGUS_BAD_REQUEST', `--public-key ${deps.publicKeyFile}: not a PEM public key`, { cause });
    }
    if (!key) throw new ArgusError('ARGUS_BAD_REQUEST', `--public-key ${deps.publicKeyFile}: no such file`);
    // The operator vouches for this key, whatever kid the checkpoint names: the signature decides.
    return { describe: `the public key in ${path}`, resolve: async () => key };
  }
  const kv = keyVaultKey(config, deps.credential);
  if (kv) return { describe: `a version of ${kv.describe}`, resolve: async (kid) => (kid.startsWith(kv.keyPrefix) ? kv.publicKey(kid) : undefined) };
  const path = localPublicKeyPath(checkpointKeyDir(config, deps.cwd));
  const key = readPublicKeyFile(path);
  return {
    describe: key ? `the local key ${localKeyId(key)} (${path})` : `any key Argus knows (no public key at ${path}; pass --public-key FILE)`,
    resolve: async (kid) => (key && localKeyId(key) === kid ? key : undefined),
  };
}

export interface StartCheckpointsOptions extends Partial<Pick<AuditCheckpointerOptions, 'now' | 'tickMs'>> {
  config: ArgusConfig;
  cwd: string;
  credential: () => TokenCredential;
  logger: Logger;
  store: TableStore;
  audit: TableAuditLog;
  onOutcome?: AuditCheckpointerOptions['onOutcome'];
}

/** Creates table ArgusAuditCheckpoints and starts signing checkpoints of the chain `audit` appends to. */
export async function startAuditCheckpoints(options: StartCheckpointsOptions): Promise<AuditCheckpointer> {
  const { config } = options;
  await options.store.ensureTable(checkpointTableName);
  const settings = config.file.audit.checkpoints;
  const checkpointer = new AuditCheckpointer({
    client: options.store.client(tableNames.audit),
    readHead: () => options.audit.readHead(),
    store: new TableCheckpointStore(options.store.client(checkpointTableName)),
    signer: createCheckpointSigner(config, options),
    everyRows: settings.everyRows,
    intervalMs: parseIsoDuration(settings.interval) ?? 600_000,
    logger: options.logger,
    now: options.now,
    tickMs: options.tickMs,
    onOutcome: options.onOutcome,
  });
  options.audit.onCommitted((head) => checkpointer.noteHead(head));
  checkpointer.start();
  return checkpointer;
}
