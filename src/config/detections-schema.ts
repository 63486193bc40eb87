import { z } from 'zod';
import { kqlTargets } from '../detections/kql/kql-target';
import { parseIsoDuration } from '../playbooks/duration';

/**
 * The `detections` section of `argus.config.yaml` (ARCHITECTURE §10 "Detections on Sentinel",
 * docs/detections.md): the default KQL target of `argus rules kql|deploy`, and how often and over
 * how long a deployed analytics rule queries. Kept apart from file-schema.ts, which imports it.
 */

const fiveMinutes = 5 * 60_000;
const fourteenDays = 14 * 86_400_000;

/** What Sentinel accepts for a scheduled rule's frequency and lookback: PT5M to P14D. */
export const analyticsRuleDuration = z
  .string()
  .refine((text) => {
    const ms = parseIsoDuration(text);
    return ms !== undefined && ms >= fiveMinutes && ms <= fourteenDays;
  }, 'must be an ISO-8601 duration from PT5M to P14D (what Sentinel accepts for a scheduled rule)');

export const detectionsSchema = z.strictObject({
  kqlTarget: z.enum(kqlTargets).default('defender-xdr'),
  queryFrequency: analyticsRuleDuration.default('PT1H'),
  queryPeriod: analyticsRuleDuration.default('PT1H'),
});

export type DetectionsConfig = z.output<typeof detectionsSchema>;
