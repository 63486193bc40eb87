import { alertSigmaRuleId } from '../detections/sentinel-rule-id';
import type { SentinelAlert } from './sentinel-schema';

/** One alert of an incident, as far as Argus reads it. */
export interface SentinelAlertSummary {
  /** Alert id (the systemAlertId, else the entity name or ARM id). */
  id: string;
  displayName: string;
  severity?: string;
  status?: string;
  /** Product that raised the alert (`productName`, else `providerName`). */
  productName?: string;
  tactics: string[];
  techniques: string[];
  /** The analytic rule's custom details, parsed from the JSON string Sentinel sends. */
  customDetails?: Record<string, unknown>;
  /** The Sigma rule behind the alert, when an analytics rule Argus deployed raised it. */
  ruleId?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Custom details come as a JSON *string* under additionalData["Custom Details"] (occasionally as an
 * object under customDetails). A string that is not a JSON object is not details: it is left out
 * rather than failing the whole incident, because it is display data only.
 */
function customDetails(alert: SentinelAlert): Record<string, unknown> | undefined {
  const props = alert.properties;
  const raw = props?.customDetails ?? props?.additionalData?.['Custom Details'];
  if (isRecord(raw)) return raw;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function summarizeAlert(alert: SentinelAlert, index: number): SentinelAlertSummary {
  const props = alert.properties;
  const id = props?.systemAlertId || alert.name || alert.id || `alert-${index + 1}`;
  const summary: SentinelAlertSummary = {
    id,
    displayName: props?.alertDisplayName || props?.friendlyName || id,
    tactics: props?.tactics ?? [],
    techniques: props?.techniques ?? [],
  };
  if (props?.severity) summary.severity = props.severity;
  if (props?.status) summary.status = props.status;
  const product = props?.productName || props?.providerName;
  if (product) summary.productName = product;
  const details = customDetails(alert);
  if (details) summary.customDetails = details;
  const ruleId = alertSigmaRuleId({ customDetails: details, description: props?.description });
  if (ruleId) summary.ruleId = ruleId;
  return summary;
}
