import { z } from 'zod';
import type { IncidentSeverity } from './phases';

/**
 * Impact assessment: the form's answers, the level derived from them and the severity it suggests.
 * The level is the worst dimension (each scored 0–4), so one severe dimension is never averaged away;
 * touching a regulatory regime makes an incident at least moderate.
 */

export const financialBands = ['none', 'lt-10k', '10k-100k', '100k-1m', 'gt-1m'] as const;
export const operationalLevels = ['none', 'minor', 'major', 'critical'] as const;
export const reputationalLevels = ['none', 'low', 'medium', 'high'] as const;
export const impactRegimes = ['gdpr', 'nis2', 'dora', 'hipaa', 'pci', 'sec'] as const;
export type ImpactRegime = (typeof impactRegimes)[number];

const count = z
  .union([z.number(), z.string().trim()])
  .transform((v, ctx) => {
    const n = typeof v === 'number' ? v : v === '' ? 0 : Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 10_000_000) {
      ctx.addIssue({ code: 'custom', message: 'must be a whole number from 0' });
      return z.NEVER;
    }
    return n;
  });

/** The `incident.impact` form's inputs, as Teams sends them (choice sets as strings, lists comma-joined). */
export const impactInputSchema = z.object({
  financial: z.enum(financialBands),
  operational: z.enum(operationalLevels),
  reputational: z.enum(reputationalLevels),
  regimes: z
    .union([z.string(), z.array(z.string())])
    .default('')
    .transform((v, ctx) => {
      const list = (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
      const unknown = list.filter((r) => !(impactRegimes as readonly string[]).includes(r));
      if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown regime ${unknown.join(', ')} (${impactRegimes.join(', ')})` });
      return [...new Set(list)] as ImpactRegime[];
    }),
  affectedAssets: count.default(0),
  affectedUsers: count.default(0),
  downtimeMinutes: count.default(0),
});
export type ImpactInput = z.output<typeof impactInputSchema>;

export const impactLevels = ['none', 'low', 'moderate', 'high', 'critical'] as const;
export type ImpactLevel = (typeof impactLevels)[number];

export interface ImpactAssessment {
  input: ImpactInput;
  level: ImpactLevel;
  suggestedSeverity: IncidentSeverity;
  /** The rule in words, for the card: which dimensions decided the level. */
  rule: string;
  scores: Record<'financial' | 'operational' | 'reputational' | 'assets' | 'users' | 'downtime' | 'regulatory', number>;
}

/** Score of `n` against ascending thresholds: below the first → 0, at or above the last → thresholds.length. */
const banded = (n: number, thresholds: readonly number[]) => thresholds.filter((t) => n >= t).length;

export function assessImpact(input: ImpactInput): ImpactAssessment {
  const scores = {
    financial: financialBands.indexOf(input.financial),
    operational: [0, 1, 3, 4][operationalLevels.indexOf(input.operational)] ?? 0,
    reputational: reputationalLevels.indexOf(input.reputational),
    assets: banded(input.affectedAssets, [1, 5, 20, 100]),
    users: banded(input.affectedUsers, [1, 10, 100, 1000]),
    downtime: banded(input.downtimeMinutes, [1, 60, 240, 1440]),
    regulatory: input.regimes.length > 0 ? 2 : 0,
  };
  const worst = Math.max(...Object.values(scores));
  const level = impactLevels[worst] ?? 'critical';
  const deciding = (Object.keys(scores) as Array<keyof typeof scores>).filter((k) => scores[k] === worst && worst > 0);
  const rule =
    worst === 0
      ? 'No dimension shows impact.'
      : `Impact is the worst dimension (each scored 0–4): ${deciding.map((k) => `${k} ${describe(k, input)}`).join(', ')} → ${worst} (${level}).`;
  return { input, level, suggestedSeverity: severityFor(level), rule, scores };
}

function describe(key: keyof ImpactAssessment['scores'], i: ImpactInput): string {
  switch (key) {
    case 'financial':
      return i.financial;
    case 'operational':
      return i.operational;
    case 'reputational':
      return i.reputational;
    case 'assets':
      return `${i.affectedAssets} assets`;
    case 'users':
      return `${i.affectedUsers} users`;
    case 'downtime':
      return `${i.downtimeMinutes} min down`;
    case 'regulatory':
      return i.regimes.map((r) => r.toUpperCase()).join('/');
  }
}

export function severityFor(level: ImpactLevel): IncidentSeverity {
  switch (level) {
    case 'critical':
    case 'high':
      return 'High';
    case 'moderate':
      return 'Medium';
    case 'low':
      return 'Low';
    case 'none':
      return 'Informational';
  }
}
