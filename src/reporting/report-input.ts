import { z } from 'zod';
import type { Severity } from '../incidents/incident';

export const urgencies = ['low', 'medium', 'high'] as const;
export type Urgency = (typeof urgencies)[number];

/** The form's inputs (`summary`, `occurredAt`, `affected`, `urgency`); other keys of the action data are ignored. */
const reportInputSchema = z.object({
  summary: z.string({ error: 'say what happened' }).trim().min(3, 'say in a few words what happened').max(1000, 'at most 1000 characters'),
  occurredAt: z.string().trim().max(200, 'at most 200 characters').optional(),
  affected: z.string().trim().max(500, 'at most 500 characters').optional(),
  urgency: z.enum(urgencies, { error: 'choose low, medium or high' }),
});

export type ReportInput = z.infer<typeof reportInputSchema>;

export type ParsedReport = { ok: true; input: ReportInput } | { ok: false; problems: string[] };

/** The submitted form, checked; problems name the field (`summary: say what happened`). */
export function parseReportInput(data: Record<string, unknown>): ParsedReport {
  const result = reportInputSchema.safeParse({ ...data, urgency: typeof data.urgency === 'string' ? data.urgency.toLowerCase() : data.urgency });
  if (result.success) return { ok: true, input: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`) };
}

export const severityOfUrgency: Record<Urgency, Severity> = { low: 'Low', medium: 'Medium', high: 'High' };
