import type { Role } from '../access/roles';

export const auditOutcomes = ['allowed', 'denied', 'succeeded', 'failed', 'rejected'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/** What a caller hands to the audit log. */
export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  actorId?: string;
  actorName?: string;
  actorTenantId?: string;
  roles?: Role[];
  target?: string;
  correlationId?: string;
  detail?: Record<string, unknown>;
}

/** A stored row of the chain (table ArgusAudit). */
export interface AuditRecord extends Required<Omit<AuditEntry, 'detail' | 'roles'>> {
  seq: number;
  at: string;
  roles: Role[];
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  /** Inclusive, ISO date or time. */
  from?: string;
  /** Inclusive, ISO date or time. */
  to?: string;
  action?: string;
  target?: string;
  correlationId?: string;
  limit?: number;
}

/** What `findRecent` looks for: rows of one action and correlation id appended since a time. */
export interface RecentQuery {
  action: string;
  correlationId: string;
  /** ISO time: rows appended before it are not searched. */
  since: string;
  /** Further test on each candidate (e.g. on its detail). */
  match?: (record: AuditRecord) => boolean;
}

/** Port: the tamper-evident audit trail. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<AuditRecord>;
  query(query?: AuditQuery): Promise<AuditRecord[]>;
  /**
   * A row appended since `since` matching the query, or undefined: searches only the end of the
   * chain (for telling whether an interrupted step already wrote its row).
   */
  findRecent(query: RecentQuery): Promise<AuditRecord | undefined>;
}

/** Outcome of checking the chain; seq numbers are 0 when no row was checked. */
export type VerifyResult =
  | { ok: true; checked: number; firstSeq: number; lastSeq: number }
  | { ok: false; checked: number; firstBadSeq: number; firstBadRowKey: string; reason: string };
