import { z } from 'zod';
import { ArgusError } from '../../errors/catalog';

/**
 * What became of an alert. Every alert starts `fired`; triage may later close it automatically
 * (`auto_closed`, a false positive unless said otherwise) or escalate it (`escalated`, a true
 * positive unless said otherwise), and an analyst may overrule either (`human_override`, with a
 * verdict). The analyst's word is final; the latest automatic decision counts until then.
 */
export const outcomeKinds = ['fired', 'auto_closed', 'escalated', 'human_override'] as const;
export type OutcomeKind = (typeof outcomeKinds)[number];

/** `benign`: the rule saw what it should, but the activity was legitimate (a benign true positive). */
export const verdicts = ['true_positive', 'false_positive', 'benign'] as const;
export type Verdict = (typeof verdicts)[number];

export const outcomeUpdateSchema = z
  .strictObject({
    ruleId: z.string().min(1).max(200),
    alertId: z.string().min(1).max(200),
    outcome: z.enum(['auto_closed', 'escalated', 'human_override']),
    verdict: z.enum(verdicts).optional(),
    /** Who decided (an analyst's id, or the triage component). */
    actor: z.string().max(200).optional(),
    note: z.string().max(1000).optional(),
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((u) => u.outcome !== 'human_override' || u.verdict !== undefined, { message: 'a human override needs a verdict', path: ['verdict'] });
export type OutcomeUpdate = z.input<typeof outcomeUpdateSchema>;

export interface OutcomeStep {
  outcome: OutcomeKind;
  at: string;
  verdict?: Verdict;
  actor?: string;
  note?: string;
}

/** One alert's record in the outcome history. */
export interface OutcomeRecord {
  ruleId: string;
  alertId: string;
  title: string;
  level: string;
  firedAt: string;
  /** The latest step. */
  state: OutcomeKind;
  /** The verdict in force: the human one, else the latest automatic one, else none (pending). */
  verdict?: Verdict;
  autoVerdict?: Verdict;
  humanVerdict?: Verdict;
  /** Every step, oldest first (the oldest are dropped beyond `maxHistory`). */
  history: OutcomeStep[];
  updatedAt: string;
}

export const maxHistory = 50;

export function firedRecord(alert: { id: string; ruleId: string; title: string; level: string; detectedAt: string }, now: Date): OutcomeRecord {
  return {
    ruleId: alert.ruleId,
    alertId: alert.id,
    title: alert.title,
    level: alert.level,
    firedAt: alert.detectedAt,
    state: 'fired',
    history: [{ outcome: 'fired', at: alert.detectedAt }],
    updatedAt: now.toISOString(),
  };
}

/** The record after one more step (pure: the store decides how to write it). */
export function applyOutcome(record: OutcomeRecord, input: OutcomeUpdate, now: Date): OutcomeRecord {
  const parsed = outcomeUpdateSchema.safeParse(input);
  if (!parsed.success)
    throw new ArgusError('ARGUS_BAD_REQUEST', `invalid outcome: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const u = parsed.data;
  const step: OutcomeStep = {
    outcome: u.outcome,
    at: u.at ?? now.toISOString(),
    ...(u.verdict ? { verdict: u.verdict } : {}),
    ...(u.actor ? { actor: u.actor } : {}),
    ...(u.note ? { note: u.note } : {}),
  };
  const next: OutcomeRecord = { ...record, state: u.outcome, history: [...record.history, step].slice(-maxHistory), updatedAt: now.toISOString() };
  if (u.outcome === 'human_override') next.humanVerdict = u.verdict;
  else next.autoVerdict = u.verdict ?? (u.outcome === 'auto_closed' ? 'false_positive' : 'true_positive');
  next.verdict = next.humanVerdict ?? next.autoVerdict;
  return next;
}
