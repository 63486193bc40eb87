import { z } from 'zod';
import { parseIsoDuration } from '../playbooks/duration';
import type { IncidentSeverity } from './phases';

/**
 * Escalation of unacknowledged incidents: per severity, steps that fire `after` a time with no
 * acknowledgement, counted from the incident's creation in Sentinel (else from when Argus first saw
 * it). A step without a conversation reminds in the card's thread.
 */

// Kept apart from src/config/file-schema.ts, which imports this schema (so no import back from there).
const severitySchema = z.enum(['High', 'Medium', 'Low', 'Informational']);
const isoDuration = z.string().refine((v) => parseIsoDuration(v) !== undefined, 'must be an ISO-8601 duration such as PT15M');

const objectId = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be an Entra object id (GUID)');

export const escalationStepSchema = z.strictObject({
  after: isoDuration.refine((v) => (parseIsoDuration(v) ?? 0) > 0, 'must be more than zero'),
  /** Post the escalation to this conversation (a channel or group chat) instead of the card's thread. */
  conversationId: z.string().min(1).optional(),
  /** People to @mention in the message. */
  mention: z.array(objectId).default([]),
  /** People to message in their personal chat with Argus. */
  personal: z.array(objectId).default([]),
});

export const escalationSchema = z
  .partialRecord(severitySchema, z.array(escalationStepSchema).min(1).max(10))
  .superRefine((policy, ctx) => {
    for (const [severity, steps] of Object.entries(policy)) {
      const ms = (steps ?? []).map((s) => parseIsoDuration(s.after) ?? 0);
      ms.forEach((m, i) => {
        if (i > 0 && m <= (ms[i - 1] ?? 0)) ctx.addIssue({ code: 'custom', path: [severity, i, 'after'], message: 'each step comes later than the one before' });
      });
    }
  });
export type EscalationPolicy = z.output<typeof escalationSchema>;
export type EscalationStep = z.output<typeof escalationStepSchema>;

export interface ScheduledStep {
  index: number;
  dueAt: Date;
  step: EscalationStep;
}

/** The steps for an incident of `severity` first seen (or created) at `startedAt`, in order. */
export function escalationSchedule(policy: EscalationPolicy, severity: IncidentSeverity, startedAt: Date): ScheduledStep[] {
  return (policy[severity] ?? []).map((step, index) => ({ index, step, dueAt: new Date(startedAt.getTime() + (parseIsoDuration(step.after) ?? 0)) }));
}

/**
 * Steps to fire now: due, not fired yet, and the incident still unacknowledged. A severity change
 * moves the incident to its new severity's steps; those already past their due time fire at once,
 * in order, each once.
 */
export function dueEscalations(schedule: readonly ScheduledStep[], fired: ReadonlySet<number>, acknowledged: boolean, now: Date): ScheduledStep[] {
  if (acknowledged) return [];
  return schedule.filter((s) => !fired.has(s.index) && s.dueAt.getTime() <= now.getTime());
}
