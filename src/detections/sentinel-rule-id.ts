/**
 * How a Sentinel analytics rule Argus deployed names its Sigma rule: its description starts with
 * `Argus: Sigma rule <id>`, and every alert it raises carries the id as the custom detail
 * `SigmaRuleId` (Sentinel sends custom details as lists of values). Shared by deployment, which
 * writes both, and the incident mapping, which reads them back.
 */

export const descriptionPrefix = 'Argus: Sigma rule ';
/** The custom detail (and query column) that carries the Sigma rule id into each alert. */
export const sigmaRuleIdDetail = 'SigmaRuleId';

const plausibleId = /^[\w:.-]{1,200}$/;

/** The Sigma rule id a description names, when Argus wrote it. */
export function describedRuleId(description: unknown): string | undefined {
  if (typeof description !== 'string' || !description.startsWith(descriptionPrefix)) return undefined;
  const id = /^(\S+)/.exec(description.slice(descriptionPrefix.length))?.[1];
  return id && plausibleId.test(id) ? id : undefined;
}

/** The Sigma rule id of a Sentinel alert: its `SigmaRuleId` custom detail, else its description. */
export function alertSigmaRuleId(alert: { customDetails?: Record<string, unknown>; description?: string | null }): string | undefined {
  const detail = alert.customDetails?.[sigmaRuleIdDetail];
  const value = Array.isArray(detail) ? detail[0] : detail;
  if (typeof value === 'string' && plausibleId.test(value)) return value;
  return describedRuleId(alert.description);
}
