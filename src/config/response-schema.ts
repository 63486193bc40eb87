import { z } from 'zod';
import { clocksConfigSchema } from '../response/clock-config';

/**
 * The `response` section of `argus.config.yaml` (ARCHITECTURE §9, docs/response.md). Kept apart
 * from file-schema.ts, which imports it (so this file must not import file-schema.ts). Each part of
 * the response lifecycle adds its own key here.
 */

const severity = z.enum(['High', 'Medium', 'Low', 'Informational']);

/** When a phase change is allowed (src/response/phases.ts). */
const gatesSchema = z.strictObject({
  /** Investigation (and every later phase) needs an owner. */
  ownerForInvestigation: z.boolean().default(true),
  /** A phase is left forward only when the plan steps of the phases before the target are done or skipped. */
  stepsSettledToLeave: z.boolean().default(true),
  /** Severities whose closing needs a completed post-mortem. */
  postMortemFor: z.array(severity).default(['High']),
  /** Classifications that close without a post-mortem whatever the severity. */
  postMortemNotFor: z.array(z.enum(['TruePositive', 'FalsePositive', 'BenignPositive', 'Undetermined'])).default(['FalsePositive', 'BenignPositive']),
});

export const responseSchema = z.strictObject({
  /** Folder of response plans (`*.yaml`), read from where the config file is; validated at start. */
  plansDir: z.string().min(1).default('./plans'),
  gates: gatesSchema.prefault({}),
  /** Compliance clocks: stricter windows per regime and milestone, holidays business days skip (src/response/clock-config.ts). */
  clocks: clocksConfigSchema.prefault({}),
});

export type ResponseConfig = z.output<typeof responseSchema>;
