import { createHash } from 'node:crypto';
import { z } from 'zod';
import { roles as knownRoles, type Role } from '../access/roles';
import { zodDetails } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import { auditOutcomes, type AuditEntry, type AuditRecord } from './audit-log';
import { canonicalJson } from './canonical-json';

/*
 * The hash chain, defined once for the table log, the in-memory twin and the verifier.
 *
 * A row is stored as these properties (all strings except seq): seq, at, action, outcome, actorId,
 * actorName, actorTenantId, roles (comma-separated), target, correlationId, detail (canonical JSON
 * text), prevHash, hash. Absent optional fields are ''.
 *
 *   hash = hex(SHA-256(UTF-8("argus-audit-v1\n" + canonicalJson(fields))))
 *
 * where `fields` is the object of the first twelve properties above (everything but `hash`) with
 * their values exactly as stored, and canonicalJson sorts keys (see canonical-json.ts). Hashing the
 * stored text, not a re-serialization of parsed values, means any change to a stored byte shows.
 * prevHash of seq 1 is genesisHash; each later row's prevHash is the previous row's hash.
 */

export const hashDomain = 'argus-audit-v1\n';
export const genesisHash = '0'.repeat(64);

/** One chain row as stored (the properties of an ArgusAudit entity, minus PartitionKey/RowKey). */
export interface AuditRow {
  seq: number;
  at: string;
  action: string;
  outcome: string;
  actorId: string;
  actorName: string;
  actorTenantId: string;
  roles: string;
  target: string;
  correlationId: string;
  detail: string;
  prevHash: string;
  hash: string;
}

export type UnhashedRow = Omit<AuditRow, 'hash'>;

export function hashRow(row: UnhashedRow): string {
  const fields: UnhashedRow = {
    seq: row.seq,
    at: row.at,
    action: row.action,
    outcome: row.outcome,
    actorId: row.actorId,
    actorName: row.actorName,
    actorTenantId: row.actorTenantId,
    roles: row.roles,
    target: row.target,
    correlationId: row.correlationId,
    detail: row.detail,
    prevHash: row.prevHash,
  };
  return createHash('sha256').update(hashDomain + canonicalJson(fields), 'utf8').digest('hex');
}

// Table Storage holds at most 32 K UTF-16 characters per string property; keep well under it.
export const maxDetailChars = 30_000;
const shortText = z.string().max(1024);

const entrySchema = z.object({
  action: z.string().min(1).max(256),
  outcome: z.enum(auditOutcomes),
  actorId: shortText.optional(),
  actorName: shortText.optional(),
  actorTenantId: shortText.optional(),
  roles: z.array(z.enum(knownRoles)).optional(),
  target: shortText.optional(),
  correlationId: shortText.optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

/** Checks a caller's entry; a bad one is a programming error and writes nothing. */
export function validateEntry(entry: AuditEntry): AuditEntry {
  const parsed = entrySchema.safeParse(entry);
  if (!parsed.success) {
    throw new ArgusError('ARGUS_BAD_REQUEST', 'invalid audit entry', { details: zodDetails(parsed.error) });
  }
  return parsed.data as AuditEntry;
}

/**
 * Detail as stored: canonical JSON text. An oversized detail is replaced by a marker holding its
 * size and a prefix, so the action itself is still recorded rather than lost.
 */
export function detailText(detail: Record<string, unknown> | undefined): string {
  let text: string;
  try {
    text = canonicalJson(detail ?? {});
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `audit detail is not plain JSON: ${(err as Error).message}`, { cause: err });
  }
  if (text.length <= maxDetailChars) return text;
  return canonicalJson({ truncated: true, originalLength: text.length, preview: text.slice(0, 2000) });
}

/** Builds the next row of the chain for an already validated entry. */
export function buildRow(entry: AuditEntry, position: { seq: number; at: string; prevHash: string }): AuditRow {
  const unhashed: UnhashedRow = {
    seq: position.seq,
    at: position.at,
    action: entry.action,
    outcome: entry.outcome,
    actorId: entry.actorId ?? '',
    actorName: entry.actorName ?? '',
    actorTenantId: entry.actorTenantId ?? '',
    roles: (entry.roles ?? []).join(','),
    target: entry.target ?? '',
    correlationId: entry.correlationId ?? '',
    detail: detailText(entry.detail),
    prevHash: position.prevHash,
  };
  return { ...unhashed, hash: hashRow(unhashed) };
}

/** The caller-facing record of a stored row. */
export function recordFromRow(row: AuditRow): AuditRecord {
  let detail: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.detail);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) detail = parsed as Record<string, unknown>;
  } catch {
    // A damaged detail stays visible to the verifier; readers get an empty object.
  }
  return {
    seq: row.seq,
    at: row.at,
    action: row.action,
    outcome: row.outcome as AuditRecord['outcome'],
    actorId: row.actorId,
    actorName: row.actorName,
    actorTenantId: row.actorTenantId,
    roles: row.roles ? (row.roles.split(',') as Role[]) : [],
    target: row.target,
    correlationId: row.correlationId,
    detail,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

/** ISO time with milliseconds, fixed width, so string order is time order. */
export function isoNow(now: Date, notBefore?: string): string {
  const at = now.toISOString();
  // Keep `at` non-decreasing along the chain even when writers' clocks differ a little, so a
  // date range is always one contiguous run of sequence numbers.
  return notBefore && notBefore > at ? notBefore : at;
}
