import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { TableEntity } from '@azure/data-tables';
import { z } from 'zod';
import { padSeq } from '../storage/keys';
import { canonicalJson } from './canonical-json';

/*
 * A checkpoint is the chain head (seq, hash, at) signed with a key the table's writers cannot use
 * to forge: a Key Vault key Argus may only sign with, or a local key file. Whoever rewrites the
 * table can recompute every row hash, but not this signature, so `argus audit verify` can tell
 * that the chain it reads is not the one a checkpoint saw.
 *
 *   signature = sign(SHA-256(UTF-8("argus-audit-checkpoint-v1\n" + canonicalJson({seq, hash, at, signedAt, alg}))))
 *
 * ES256 is ECDSA P-256 with the signature as r‖s (64 bytes, as JWS and Key Vault give it); RS256
 * is RSASSA-PKCS1-v1_5. `kid` names the key (a Key Vault key version, or local:<fingerprint>); it is
 * not signed: a verifier only accepts keys it trusts for other reasons (the configured key, or a
 * public key file), so pointing `kid` elsewhere only makes verification fail.
 *
 * Table ArgusAuditCheckpoints: PartitionKey 'checkpoint', RowKey = inverted zero-padded seq, so the
 * newest checkpoint comes first.
 */
export const checkpointTableName = 'ArgusAuditCheckpoints';
export const checkpointPartition = 'checkpoint';
export const checkpointDomain = 'argus-audit-checkpoint-v1\n';
export const signatureAlgorithms = ['ES256', 'RS256'] as const;
export type SignatureAlgorithm = (typeof signatureAlgorithms)[number];

const seqDigits = 12;
const maxSeq = 10 ** seqDigits - 1;

/** The chain head a checkpoint covers. */
export interface CheckpointHead {
  seq: number;
  hash: string;
  at: string;
}

export interface SignedCheckpoint extends CheckpointHead {
  signedAt: string;
  alg: SignatureAlgorithm;
  kid: string;
  /** base64url */
  signature: string;
}

export type UnsignedCheckpoint = Omit<SignedCheckpoint, 'signature' | 'kid'>;

/** The bytes that are signed (see above). */
export function checkpointPayload(c: UnsignedCheckpoint): Buffer {
  const fields = { seq: c.seq, hash: c.hash, at: c.at, signedAt: c.signedAt, alg: c.alg };
  return Buffer.from(checkpointDomain + canonicalJson(fields), 'utf8');
}

export function checkpointDigest(c: UnsignedCheckpoint): Buffer {
  return createHash('sha256').update(checkpointPayload(c)).digest();
}

/**
 * True when `signature` is `key`'s signature of the checkpoint with its algorithm. A key of the
 * wrong type for the algorithm (an RSA key for ES256, a P-384 key) never verifies.
 */
export function checkpointSignatureValid(c: SignedCheckpoint, key: KeyObject): boolean {
  const signature = Buffer.from(c.signature, 'base64url');
  const payload = checkpointPayload(c);
  try {
    if (c.alg === 'ES256') {
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false;
      return verifySignature('sha256', payload, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (key.asymmetricKeyType !== 'rsa') return false;
    return verifySignature('sha256', payload, key, signature);
  } catch {
    return false;
  }
}

export const checkpointRowKey = (seq: number): string => padSeq(maxSeq - seq, seqDigits);

export function checkpointEntity(c: SignedCheckpoint): TableEntity<SignedCheckpoint> {
  return { partitionKey: checkpointPartition, rowKey: checkpointRowKey(c.seq), ...c };
}

const int = z.union([z.number().int().min(0), z.string().regex(/^\d+$/).transform(Number)]);
const entitySchema = z.object({
  seq: int,
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string(),
  signedAt: z.string(),
  alg: z.enum(signatureAlgorithms),
  kid: z.string().min(1),
  signature: z.string().regex(/^[A-Za-z0-9_-]+$/),
});

/** The checkpoint an entity (or an exported JSON line) holds, or undefined when it is malformed. */
export function checkpointFromEntity(entity: Record<string, unknown>): SignedCheckpoint | undefined {
  const parsed = entitySchema.safeParse(entity);
  if (!parsed.success) return undefined;
  if (typeof entity.rowKey === 'string' && entity.rowKey !== checkpointRowKey(parsed.data.seq)) return undefined;
  return parsed.data;
}
