import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import type { SignatureAlgorithm } from './checkpoint';

/** Signs checkpoints (see checkpoint.ts); `kid` names the key that signed. */
export interface CheckpointSigner {
  /** For logs and `argus doctor`: where the key lives. */
  describe: string;
  alg: SignatureAlgorithm;
  sign(payload: Buffer, digest: Buffer): Promise<{ kid: string; signature: Buffer }>;
}

export const localKeyFile = 'audit-checkpoint-key.pem';
export const localPublicKeyFile = 'audit-checkpoint-key.pub.pem';

/** local:<base64url SHA-256 of the DER public key>: names a local key by its public half. */
export function localKeyId(publicKey: KeyObject): string {
  return `local:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url')}`;
}

/** PEM text of a public key (what an operator exports next to the checkpoints). */
export function publicKeyPem(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * The local checkpoint key: ECDSA P-256, the private half in `<dataDir>/audit-checkpoint-key.pem`
 * (readable by the owner only), the public half next to it for `argus audit verify`. Made on
 * first use. Whoever can read the private file can forge checkpoints, so production should sign
 * with Key Vault (audit.checkpoints.keyVault).
 */
export function openLocalCheckpointSigner(options: { dataDir: string; logger: Logger }): CheckpointSigner & { publicKey: KeyObject } {
  const privatePath = join(options.dataDir, localKeyFile);
  const publicPath = join(options.dataDir, localPublicKeyFile);
  if (!existsSync(privatePath)) {
    try {
      createKeyFile(privatePath, options.logger);
    } catch (cause) {
      throw new ArgusError('ARGUS_CONFIG_INVALID', `cannot make the audit checkpoint key in ${options.dataDir}: make ARGUS_DATA_DIR writable or set audit.checkpoints.keyVault`, {
        cause,
        details: [{ path: 'ARGUS_DATA_DIR', message: cause instanceof Error ? cause.message : String(cause) }],
      });
    }
  }
  const mode = statSync(privatePath).mode & 0o777;
  if (mode & 0o077) {
    // Tighten rather than refuse: the service must keep signing; the warning says the key may have been read.
    chmodSync(privatePath, 0o600);
    options.logger.warn({ file: privatePath, mode: mode.toString(8) }, 'the audit checkpoint key was readable by others; its mode is now 0600');
  }
  const privateKey = readKey(() => createPrivateKey(readFileSync(privatePath)), privatePath);
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new ArgusError('ARGUS_CONFIG_INVALID', `${privatePath} is not an ECDSA P-256 private key`);
  const publicKey = createPublicKey(privateKey);
  const pem = publicKeyPem(publicKey);
  if (!existsSync(publicPath) || readFileSync(publicPath, 'utf8') !== pem) writeFileSync(publicPath, pem, { mode: 0o644 });
  const kid = localKeyId(publicKey);
  return {
    describe: `local key ${privatePath} (${kid})`,
    alg: 'ES256',
    publicKey,
    async sign(payload) {
      return { kid, signature: sign('sha256', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' }) };
    },
  };
}

/**
 * Writes a new key beside its final name and links it into place, so that of several processes
 * starting at once exactly one key wins and nobody reads a half-written file.
 */
function createKeyFile(path: string, logger: Logger): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  writeFileSync(temp, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
    logger.info({ file: path }, 'made a local key for signing audit checkpoints');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
}

/** The public key in a PEM file (an exported one, or the local key's), or undefined when there is no such file. */
export function readPublicKeyFile(path: string): KeyObject | undefined {
  if (!existsSync(path)) return undefined;
  return readKey(() => createPublicKey(readFileSync(path)), path);
}

export function localPublicKeyPath(dataDir: string): string {
  return join(dataDir, localPublicKeyFile);
}

function readKey(read: () => KeyObject, path: string): KeyObject {
  try {
    return read();
  } catch (cause) {
    throw new ArgusError('ARGUS_CONFIG_INVALID', `${path} does not hold a key Argus can read`, { cause, details: [{ path, message: 'not a PEM key' }] });
  }
}
