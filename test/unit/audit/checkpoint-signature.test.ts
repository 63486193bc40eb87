import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkpointDigest, checkpointFromEntity, checkpointEntity, checkpointPayload, checkpointSignatureValid, type SignedCheckpoint, type UnsignedCheckpoint } from '../../../src/audit/checkpoint';
import { publicKeyFromJwk } from '../../../src/audit/key-vault-signer';
import { localKeyFile, localKeyId, openLocalCheckpointSigner } from '../../../src/audit/local-checkpoint-key';
import { parseFileConfig } from '../../../src/config/load-config';
import { isArgusError } from '../../../src/errors/catalog';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';

const head: UnsignedCheckpoint = { seq: 1000, hash: 'ab'.repeat(32), at: '2025-06-01T12:00:00.000Z', signedAt: '2025-06-01T12:00:01.000Z', alg: 'ES256' };

test('a local key signs ES256 checkpoints that verify; any edited field or another key does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-cp-key-'));
  try {
    const logs = createMemoryLogStream();
    const signer = openLocalCheckpointSigner({ dataDir: dir, logger: createLogger({ level: 'info', destination: logs }) });
    assert.equal(statSync(join(dir, localKeyFile)).mode & 0o777, 0o600);
    const { kid, signature } = await signer.sign(checkpointPayload(head), checkpointDigest(head));
    assert.equal(kid, localKeyId(signer.publicKey));
    assert.equal(signature.length, 64, 'r‖s, as JWS and Key Vault encode ES256');
    const signed: SignedCheckpoint = { ...head, kid, signature: signature.toString('base64url') };
    assert.equal(checkpointSignatureValid(signed, signer.publicKey), true);
    for (const edit of [{ seq: 999 }, { hash: 'cd'.repeat(32) }, { at: '2025-06-01T12:00:00.001Z' }, { signedAt: '2030-01-01T00:00:00.000Z' }, { alg: 'RS256' as const }])
      assert.equal(checkpointSignatureValid({ ...signed, ...edit }, signer.publicKey), false, JSON.stringify(edit));
    assert.equal(checkpointSignatureValid(signed, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), false);
    assert.equal(checkpointSignatureValid(signed, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey), false);

    // Reopened: the same key. Made readable by others: tightened back to 0600, with a warning.
    chmodSync(join(dir, localKeyFile), 0o644);
    const again = openLocalCheckpointSigner({ dataDir: dir, logger: createLogger({ level: 'info', destination: logs }) });
    assert.equal(localKeyId(again.publicKey), kid);
    assert.equal(statSync(join(dir, localKeyFile)).mode & 0o777, 0o600);
    assert.ok(logs.lines.some((l) => l.level === 40 && String(l.msg).includes('readable by others')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('RS256 checkpoints (a Key Vault RSA key) verify with the RSA public key from its JWK; EC-HSM JWKs are read too', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const unsigned: UnsignedCheckpoint = { ...head, alg: 'RS256' };
  const signature = sign('sha256', checkpointPayload(unsigned), rsa.privateKey).toString('base64url');
  const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), kty: 'RSA-HSM', key_ops: ['sign', 'verify'], kid: 'https://v.vault.azure.net/keys/k/1' };
  const fromVault = publicKeyFromJwk(jwk);
  assert.equal(checkpointSignatureValid({ ...unsigned, kid: jwk.kid, signature }, fromVault), true);
  assert.equal(checkpointSignatureValid({ ...unsigned, alg: 'ES256', kid: jwk.kid, signature }, fromVault), false, 'the algorithm must fit the key');

  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecJwk = { ...ec.publicKey.export({ format: 'jwk' }), kty: 'EC-HSM' };
  assert.deepEqual(publicKeyFromJwk(ecJwk).export({ format: 'jwk' }), ec.publicKey.export({ format: 'jwk' }));
});

test('stored checkpoints: newest first by RowKey; a row whose RowKey does not match its seq is not a checkpoint', () => {
  const c: SignedCheckpoint = { ...head, kid: 'local:x', signature: 'AAAA' };
  const entity = checkpointEntity(c);
  assert.ok(checkpointEntity({ ...c, seq: 1001 }).rowKey < entity.rowKey);
  assert.deepEqual(checkpointFromEntity({ ...entity }), c);
  assert.equal(checkpointFromEntity({ ...entity, rowKey: checkpointEntity({ ...c, seq: 1 }).rowKey }), undefined);
  assert.equal(checkpointFromEntity({ ...entity, hash: 'short' }), undefined);
});

test('config: audit section defaults, and unknown or bad keys name the key', () => {
  const cfg = parseFileConfig('');
  assert.deepEqual(cfg.audit, { checkpoints: { everyRows: 1000, interval: 'PT10M' }, rejectedWebhooks: { perSourcePerMinute: 20, maxSources: 1000 } });
  const kv = parseFileConfig('audit:\n  checkpoints:\n    keyVault: { vaultUrl: https://argus.vault.azure.net, keyName: argus-audit }\n');
  assert.deepEqual(kv.audit.checkpoints.keyVault, { vaultUrl: 'https://argus.vault.azure.net', keyName: 'argus-audit', algorithm: 'ES256' });
  for (const [text, path] of [
    ['audit:\n  checkpoint: {}\n', 'audit'],
    ['audit:\n  checkpoints: { everyRows: 0 }\n', 'audit.checkpoints.everyRows'],
    ['audit:\n  checkpoints: { interval: 10m }\n', 'audit.checkpoints.interval'],
    ['audit:\n  checkpoints: { keyVault: { vaultUrl: https://v.vault.azure.net, keyName: "a/b" } }\n', 'audit.checkpoints.keyVault.keyName'],
    ['audit:\n  rejectedWebhooks: { perSourcePerMinute: 20, burst: 5 }\n', 'audit.rejectedWebhooks'],
  ] as const) {
    assert.throws(
      () => parseFileConfig(text),
      (err: unknown) => isArgusError(err, 'ARGUS_CONFIG_INVALID') && err.details.some((d) => d.path === path),
      text,
    );
  }
});
