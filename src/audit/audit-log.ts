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

/** Port: the tamper-evident audit trail. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<AuditRecord>;
  query(query?: AuditQuery): Promise<AuditRecord[]>;
}

/** Outcome of checking the chain; seq numbers are 0 when no row was checked. */
export type VerifyResult =
  | { ok: true; checked: number; firstSeq: number; lastSeq: number }
  | { ok: false; checked: number; firstBadSeq: number; firstBadRowKey: string; reason: string };
