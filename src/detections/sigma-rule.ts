/** The parsed (not yet compiled) form of a Sigma detection rule. */

export const sigmaLevels = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof sigmaLevels)[number];

export const sigmaStatuses = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'] as const;
export type SigmaStatus = (typeof sigmaStatuses)[number];

export interface SigmaLogsource {
  product?: string;
  category?: string;
  service?: string;
}

/**
 * A numeric YAML scalar together with the text it was written as: Sigma compares values as
 * strings, so `0x1410` must stay `0x1410` and not become 5136.
 */
export class SigmaNumber {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
}

/** A value as it appears in a rule's detection section after YAML parsing. */
export type DetectionValue = string | SigmaNumber | boolean | null | DetectionValue[] | { [key: string]: DetectionValue };

export interface SigmaRule {
  /** The rule's `id`, or `title:<slug>` when it has none. */
  id: string;
  title: string;
  status?: SigmaStatus;
  /** `medium` when the rule does not say. */
  level: SigmaLevel;
  tags: string[];
  description?: string;
  author?: string;
  falsepositives: string[];
  logsource: SigmaLogsource;
  /** Search identifiers (everything in `detection` but `condition`). */
  detection: Record<string, DetectionValue>;
  /** One or more conditions; several are OR-ed. */
  conditions: string[];
  /** Where the rule came from (file path and document number), for error messages. */
  source: string;
  /** Top-level keys the Sigma specification does not define (custom fields), as written. */
  custom?: Record<string, unknown>;
}

/** A reference to a rule for error messages: its file, and its title when known. */
export function ruleLabel(rule: { source: string; title?: string }): string {
  return rule.title ? `${rule.source} (${rule.title})` : rule.source;
}
