import { z } from 'zod';
import { severitySchema } from '../config/file-schema';
import { knownEntityKinds } from '../incidents/incident';
import { findTactic } from './attack';
import { phases } from './phases';

/** Schema of one `plans/*.yaml` response plan. Unknown keys are errors, as in the config file. */

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower-case letters, digits and dashes (2-63)');
const canonicalKinds = new Map<string, string>(knownEntityKinds.map((k) => [k.toLowerCase(), k]));

const entityKind = z.string().transform((value, ctx) => {
  const kind = canonicalKinds.get(value.toLowerCase());
  if (!kind) {
    ctx.addIssue({ code: 'custom', message: `'${value.slice(0, 40)}' is not a Sentinel entity kind` });
    return z.NEVER;
  }
  return kind;
});

const tactic = z.string().transform((value, ctx) => {
  const t = findTactic(value);
  if (!t) {
    ctx.addIssue({ code: 'custom', message: `'${value.slice(0, 40)}' is not an ATT&CK Enterprise tactic` });
    return z.NEVER;
  }
  return t.shortName;
});

const titlePattern = z.string().min(1).max(200).refine((v) => {
  try {
    new RegExp(v, 'i');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

/** Steps run in the phases after detection; detection is where an incident arrives. */
const stepPhase = z.enum(phases.filter((p) => p !== 'detection' && p !== 'closed') as [string, ...string[]]);

const stepSchema = z
  .strictObject({
    id: slug,
    title: z.string().trim().min(1).max(100),
    phase: stepPhase,
    type: z.enum(['automated', 'approved', 'manual']),
    /** Automated and approved steps run this playbook (approved ones through its two-person approval). */
    playbook: slug.optional(),
    /** A manual step completes only with evidence registered on the incident. */
    requiresEvidence: z.boolean().default(false),
    requiredRole: z.enum(['responder', 'admin']).default('responder'),
    /** What to do, for the person who ticks it off. */
    guidance: z.string().trim().max(500).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.type !== 'manual' && !s.playbook) ctx.addIssue({ code: 'custom', path: ['playbook'], message: `a ${s.type} step names the playbook it runs` });
    if (s.type === 'manual' && s.playbook) ctx.addIssue({ code: 'custom', path: ['playbook'], message: 'a manual step runs no playbook (use type automated or approved)' });
    if (s.type !== 'manual' && s.requiresEvidence)
      ctx.addIssue({ code: 'custom', path: ['requiresEvidence'], message: 'only manual steps can require evidence' });
  });

export const planSchema = z
  .strictObject({
    id: slug,
    title: z.string().trim().min(1).max(80),
    description: z.string().trim().max(1000).optional(),
    /** Which incidents the plan fits; every listed criterion must match, and the most specific plan wins. */
    appliesTo: z
      .strictObject({
        entityKinds: z.array(entityKind).min(1).optional(),
        severities: z.array(severitySchema).min(1).optional(),
        tactics: z.array(tactic).min(1).optional(),
        alertProducts: z.array(z.string().min(1)).min(1).optional(),
        titleMatches: titlePattern.optional(),
      })
      .default({}),
    steps: z.array(stepSchema).min(1).max(40),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.steps.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `'${s.id}' is used twice` });
      seen.add(s.id);
    });
    const order = p.steps.map((s) => phases.indexOf(s.phase as (typeof phases)[number]));
    order.forEach((o, i) => {
      if (i > 0 && o < (order[i - 1] ?? 0)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'phase'], message: 'steps are listed in phase order' });
    });
  });

export type PlanDefinition = z.output<typeof planSchema>;
export type PlanStepDefinition = PlanDefinition['steps'][number];
