import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { checkpointFromEntity, checkpointTableName, type SignedCheckpoint } from '../audit/checkpoint';
import { checkpointKeyDir, checkpointKeys } from '../audit/checkpoint-setup';
import { TableCheckpointStore, type LatestCheckpoint } from '../audit/checkpoint-store';
import { createKeyVaultCheckpointKey } from '../audit/key-vault-signer';
import { localPublicKeyPath, publicKeyPem, readPublicKeyFile } from '../audit/local-checkpoint-key';
import { checkAgainstCheckpoint, type CheckpointCheck } from '../audit/verify-checkpoint';
import type { ArgusConfig } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import { tableNames, type TableStore } from '../storage/table-store';
import { writeLine, type CliIO } from './command';

/** The parts of `argus audit verify|checkpoints|public-key` that deal with signed checkpoints. */

export interface CheckpointVerifyOptions {
  publicKey?: string;
  /** A checkpoint exported earlier (one JSON object), checked besides the table's newest. */
  checkpoint?: string;
}

function credentialFactory(): () => TokenCredential {
  let credential: TokenCredential | undefined;
  return () => (credential ??= new DefaultAzureCredential());
}

function readExported(io: CliIO, file: string): LatestCheckpoint {
  const path = resolve(io.cwd, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `--checkpoint ${file}: not a JSON file Argus can read`, { cause });
  }
  const checkpoint = parsed && typeof parsed === 'object' ? checkpointFromEntity(parsed as Record<string, unknown>) : undefined;
  if (!checkpoint) throw new ArgusError('ARGUS_BAD_REQUEST', `--checkpoint ${file}: not a checkpoint (as 'argus audit checkpoints --json' prints one)`);
  return { kind: 'checkpoint', checkpoint };
}

/**
 * Checks the chain against the newest stored checkpoint (and an exported one) and prints the
 * outcome; false when a check failed. `headSeq` is the verified chain's last seq, when known.
 */
export async function verifyCheckpoints(io: CliIO, config: ArgusConfig, store: TableStore, options: CheckpointVerifyOptions & { headSeq?: number }): Promise<boolean> {
  await store.ensureTable(checkpointTableName);
  const keys = checkpointKeys(config, { cwd: io.cwd, credential: credentialFactory(), publicKeyFile: options.publicKey });
  const client = store.client(tableNames.audit);
  const candidates: Array<{ label: string; latest: LatestCheckpoint }> = [
    { label: 'newest checkpoint', latest: await new TableCheckpointStore(store.client(checkpointTableName)).latest() },
  ];
  if (options.checkpoint) candidates.push({ label: `exported checkpoint ${options.checkpoint}`, latest: readExported(io, options.checkpoint) });
  let ok = true;
  for (const { label, latest } of candidates) {
    const check: CheckpointCheck = await checkAgainstCheckpoint(client, latest, keys);
    if (!check.ok) {
      ok = false;
      writeLine(io.stdout, `audit checkpoint check FAILED (${label}, ${check.problem}): ${check.reason}`);
    } else if (!check.checkpoint) {
      writeLine(io.stdout, 'not anchored: no signed checkpoint yet, so removing rows from the end would go unnoticed');
    } else {
      const cp = check.checkpoint;
      const after = options.headSeq !== undefined && options.headSeq > cp.seq ? `; ${options.headSeq - cp.seq} newer rows are not covered yet` : '';
      writeLine(io.stdout, `anchored: ${label} seq ${cp.seq} (signed ${cp.signedAt} by ${cp.kid}) verifies${after}`);
    }
  }
  return ok;
}

/** `argus audit checkpoints`: the newest checkpoints, one per line (JSON lines with --json, ready to export). */
export async function listCheckpoints(io: CliIO, store: TableStore, options: { limit: number; json: boolean }): Promise<number> {
  await store.ensureTable(checkpointTableName);
  const list: SignedCheckpoint[] = await new TableCheckpointStore(store.client(checkpointTableName)).list(options.limit);
  for (const c of list) {
    if (options.json) writeLine(io.stdout, JSON.stringify(c));
    else writeLine(io.stdout, `${c.seq}\t${c.at}\tsigned=${c.signedAt}\t${c.alg}\t${c.kid}`);
  }
  return 0;
}

/** `argus audit public-key`: the PEM public key checkpoints are verified with (of `kid`, else the newest checkpoint's). */
export async function printPublicKey(io: CliIO, config: ArgusConfig, store: TableStore, options: { kid?: string }): Promise<number> {
  const kv = config.file.audit.checkpoints.keyVault;
  if (!kv) {
    const path = localPublicKeyPath(checkpointKeyDir(config, io.cwd));
    const key = readPublicKeyFile(path);
    if (!key) throw new ArgusError('ARGUS_NOT_FOUND', `no local checkpoint key yet (${path}): it is made when Argus first runs`);
    io.stdout.write(publicKeyPem(key));
    return 0;
  }
  let kid = options.kid;
  if (!kid) {
    await store.ensureTable(checkpointTableName);
    const latest = await new TableCheckpointStore(store.client(checkpointTableName)).latest();
    if (latest.kind !== 'checkpoint') throw new ArgusError('ARGUS_NOT_FOUND', 'no checkpoint names a key version yet: pass --kid');
    kid = latest.checkpoint.kid;
  }
  const key = createKeyVaultCheckpointKey({ ...kv, credential: credentialFactory()() });
  io.stdout.write(publicKeyPem(await key.publicKey(kid)));
  writeLine(io.stderr, `public key of ${kid}`);
  return 0;
}
