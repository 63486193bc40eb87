import { z } from 'zod';

/** One field (or keyword) comparison that held for the event. */
export const fieldMatchSchema = z.strictObject({
  /** The search identifier the comparison belongs to. */
  selection: z.string(),
  /** The field as the rule names it; null for a keyword search over the whole event. */
  field: z.string().nullable(),
  /** The event field compared (differs from `field` under a logsource field mapping, or for keywords). */
  eventField: z.string().optional(),
  modifiers: z.array(z.string()),
  /** The rule value (as written) that matched. */
  value: z.string(),
  /** The event's value, truncated. */
  actual: z.string().optional(),
});
export type FieldMatch = z.infer<typeof fieldMatchSchema>;

/** Why a rule matched an event. */
export const matchExplanationSchema = z.strictObject({
  /** The rule's condition that held (the first one when a rule has several). */
  condition: z.string(),
  /** The logsource mapping that admitted the event (e.g. `sysmon-process-creation`). */
  logsource: z.string(),
  /** Search identifiers that were true for the event. */
  matchedSelections: z.array(z.string()),
  /** Search identifiers of the condition that were false (filters that did not apply, …). */
  unmatchedSelections: z.array(z.string()),
  /** Field comparisons that made the true identifiers true. */
  matches: z.array(fieldMatchSchema),
});
export type MatchExplanation = z.infer<typeof matchExplanationSchema>;

export const maxActualLength = 512;

export function clip(text: string, max = maxActualLength): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
