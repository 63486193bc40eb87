import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { sendJson, type RecordedRequest } from './http-server';

/**
 * Key Vault's keys REST API (api-version 7.4) as far as audit checkpoints use it:
 *   POST /keys/{name}[/{version}]/sign  {alg, value: base64url digest} → {kid, value: base64url signature}
 *   GET  /keys/{name}[/{version}]       → {key: JWK (public), attributes, tags}
 * Signing works on the digest, as the real vault does (openssl pkeyutl signs its input as the
 * hash); ES256 answers r‖s (64 bytes). Permissions are the caller's key permissions
 * (access-policy style): a missing one answers 403 Forbidden, like the vault.
 */
export type KeyPermission = 'sign' | 'get';

export interface FakeVaultKeyVersion {
  version: string;
  kty: 'EC' | 'RSA';
  privatePem: string;
  publicKey: KeyObject;
}

export interface FakeVaultKeys {
  /** Versions by lower-case key name, oldest first. */
  versions: Map<string, FakeVaultKeyVersion[]>;
  /** Adds a new version (the current one from then on). */
  createKey(name: string, kty?: 'EC' | 'RSA'): FakeVaultKeyVersion;
  permissions: Set<KeyPermission>;
  handle(req: RecordedRequest, res: ServerResponse, vaultUrl: string): void;
}

const algFor = { EC: ['ES256'], RSA: ['RS256', 'PS256'] } as const;

function error(res: ServerResponse, status: number, code: string, message: string, inner?: string): void {
  sendJson(res, status, { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } });
}

/** DER ECDSA-Sig-Value → r‖s, 32 bytes each. */
function derToP1363(der: Buffer): Buffer {
  let offset = 2 + (der[1]! & 0x80 ? der[1]! & 0x7f : 0);
  const part = (): Buffer => {
    const length = der[offset + 1]!;
    const value = der.subarray(offset + 2, offset + 2 + length);
    offset += 2 + length;
    const trimmed = value[0] === 0 ? value.subarray(1) : value;
    return Buffer.concat([Buffer.alloc(32 - trimmed.length), trimmed]);
  };
  return Buffer.concat([part(), part()]);
}

export function createFakeVaultKeys(options: { keys?: Array<{ name: string; kty?: 'EC' | 'RSA' }>; permissions?: KeyPermission[] } = {}): FakeVaultKeys {
  const versions = new Map<string, FakeVaultKeyVersion[]>();
  const permissions = new Set<KeyPermission>(options.permissions ?? ['sign', 'get']);
  const createKey = (name: string, kty: 'EC' | 'RSA' = 'EC'): FakeVaultKeyVersion => {
    const pair = kty === 'EC' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const version = { version: randomBytes(16).toString('hex'), kty, privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: createPublicKey(pair.privateKey) };
    versions.set(name.toLowerCase(), [...(versions.get(name.toLowerCase()) ?? []), version]);
    return version;
  };
  for (const k of options.keys ?? []) createKey(k.name, k.kty);

  function handle(req: RecordedRequest, res: ServerResponse, vaultUrl: string): void {
    const match = /^\/keys\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-f]{32}))?(\/sign)?\/?$/.exec(req.path);
    const isSign = req.method === 'POST' && match?.[3];
    if (!match?.[1] || (!isSign && (req.method !== 'GET' || match[3]))) {
      error(res, 400, 'BadParameter', `${req.method} ${req.path} is not supported by this vault.`);
      return;
    }
    const needed: KeyPermission = isSign ? 'sign' : 'get';
    if (!permissions.has(needed)) {
      error(res, 403, 'Forbidden', `The user, group or application 'appid=…;oid=…' does not have keys ${needed} permission on key vault '${new URL(vaultUrl).hostname}'.`, 'AccessDenied');
      return;
    }
    const all = versions.get(match[1].toLowerCase()) ?? [];
    const key = match[2] ? all.find((v) => v.version === match[2]) : all.at(-1);
    if (!key) {
      error(res, 404, 'KeyNotFound', `A key with (name/id) ${match[1]}${match[2] ? `/${match[2]}` : ''} was not found in this key vault.`);
      return;
    }
    const kid = `${vaultUrl}/keys/${match[1]}/${key.version}`;
    if (!isSign) {
      const jwk = key.publicKey.export({ format: 'jwk' });
      const at = Math.floor(Date.now() / 1000);
      sendJson(res, 200, {
        key: { kid, kty: key.kty, key_ops: ['sign', 'verify'], ...jwk },
        attributes: { enabled: true, created: at, updated: at, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90, exportable: false },
        tags: {},
      });
      return;
    }
    const body = req.json as { alg?: unknown; value?: unknown } | undefined;
    const digest = typeof body?.value === 'string' ? Buffer.from(body.value, 'base64url') : undefined;
    if (typeof body?.alg !== 'string' || !(algFor[key.kty] as readonly string[]).includes(body.alg) || digest?.length !== 32) {
      error(res, 400, 'BadParameter', 'Invalid algorithm or digest length for this key.');
      return;
    }
    const pkeyopts = key.kty === 'RSA' ? ['-pkeyopt', 'digest:sha256', ...(body.alg === 'PS256' ? ['-pkeyopt', 'rsa_padding_mode:pss'] : [])] : [];
    // The private key sits on disk only while openssl signs with it.
    const dir = mkdtempSync(join(tmpdir(), 'argus-fake-kv-'));
    let raw: Buffer;
    try {
      const keyFile = join(dir, 'key.pem');
      writeFileSync(keyFile, key.privatePem, { mode: 0o600 });
      raw = execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', keyFile, ...pkeyopts], { input: digest, stdio: ['pipe', 'pipe', 'ignore'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const signature = key.kty === 'EC' ? derToP1363(raw) : raw;
    sendJson(res, 200, { kid, value: signature.toString('base64url') });
  }

  return { versions, createKey, permissions, handle };
}
