import { createHash } from 'node:crypto';

/**
 * The analytics rule name (a GUID) for a Sigma rule: a name-based UUID (RFC 9562 version 5) of
 * the rule id in Argus's own namespace, so every deploy of a rule lands on the same analytics rule
 * and no other tool's GUID can collide with it.
 */

/** Argus's UUID namespace for Sigma rules (a fixed random UUID). */
const namespace = Buffer.from('6b1f5a3e9d2c4e7fa0c18b3d5e7f9a21', 'hex');

export function alertRuleGuid(sigmaRuleId: string): string {
  const hash = createHash('sha1').update(namespace).update(sigmaRuleId, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
