import { analyticsRuleDuration } from '../../config/detections-schema';
import { kqlString } from '../kql/kql-literal';
import type { EntityColumns } from '../kql/kql-target';
import type { ConvertedRule } from '../kql/rule-to-kql';
import { descriptionPrefix, sigmaRuleIdDetail } from '../sentinel-rule-id';
import { alertRuleGuid } from './rule-guid';

/**
 * The Sentinel scheduled analytics rule a converted Sigma rule deploys as (the `alertRules` PUT
 * body of api-version 2024-09-01). Its description starts with `Argus: Sigma rule <id>`, which is
 * how Argus recognises its own rules, and every alert carries the rule id as the custom detail
 * `SigmaRuleId`, which is how incidents name the rule that raised them.
 */

/** Sentinel's limits for a scheduled rule's query and description. */
export const maxQueryLength = 10_000;
const maxDescriptionLength = 5_000;

export interface ScheduleSettings {
  queryFrequency: string;
  queryPeriod: string;
}

export interface AlertRuleBody {
  kind: 'Scheduled';
  etag?: string;
  properties: Record<string, unknown>;
}

export interface DesiredRule {
  /** The analytics rule's name (GUID). */
  name: string;
  ruleId: string;
  title: string;
  body: AlertRuleBody;
}

function entityMappings(e: EntityColumns): Record<string, unknown>[] {
  const map = (entityType: string, fields: [string, string | undefined][]) => {
    const fieldMappings = fields.filter(([, c]) => c).map(([identifier, columnName]) => ({ identifier, columnName }));
    return fieldMappings.length ? [{ entityType, fieldMappings }] : [];
  };
  return [
    ...map('Host', [['FullName', e.host]]),
    ...map('Account', e.accountFull ? [['FullName', e.accountFull]] : [['Name', e.accountName], ['NTDomain', e.accountDomain]]),
    ...map('IP', [['Address', e.ip]]),
    ...(e.sha256 ? map('FileHash', [['Algorithm', 'HashAlgorithm'], ['Value', e.sha256]]) : []),
  ];
}

/** A custom field of the rule (`queryFrequency: PT15M`), checked as Sentinel would. */
function schedule(converted: ConvertedRule, key: keyof ScheduleSettings, fallback: string): string {
  const raw = converted.rule.custom?.[key];
  if (raw === undefined) return fallback;
  const parsed = analyticsRuleDuration.safeParse(raw);
  if (!parsed.success) throw new Error(`${key}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** The rule to deploy, or why this converted rule cannot be deployed. */
export function desiredRule(converted: ConvertedRule, settings: ScheduleSettings): DesiredRule | { reason: string } {
  const { result, rule, mapping } = converted;
  if (!result.query || !mapping) return { reason: result.unsupported ?? 'does not convert' };
  let queryFrequency: string;
  let queryPeriod: string;
  try {
    queryFrequency = schedule(converted, 'queryFrequency', settings.queryFrequency);
    queryPeriod = schedule(converted, 'queryPeriod', settings.queryPeriod);
  } catch (err) {
    return { reason: (err as Error).message };
  }
  const columns = [`${sigmaRuleIdDetail} = ${kqlString(rule.id)}`, ...(mapping.entities.sha256 ? ['HashAlgorithm = "SHA256"'] : [])];
  const query = `${result.query}\n| extend ${columns.join(', ')}`;
  if (query.length > maxQueryLength) return { reason: `the query is ${query.length} characters; Sentinel allows ${maxQueryLength}` };
  const description = `${descriptionPrefix}${rule.id}${rule.description ? `\n\n${rule.description.trim()}` : ''}`.slice(0, maxDescriptionLength);
  const properties: Record<string, unknown> = {
    displayName: rule.title,
    description,
    severity: result.severity,
    enabled: true,
    query,
    queryFrequency,
    queryPeriod,
    triggerOperator: 'GreaterThan',
    triggerThreshold: 0,
    suppressionEnabled: false,
    suppressionDuration: 'PT5H',
    tactics: result.tactics,
    techniques: result.techniques,
    // One alert per matching event, as the in-process engine raises one per match.
    eventGroupingSettings: { aggregationKind: 'AlertPerResult' },
    customDetails: { [sigmaRuleIdDetail]: sigmaRuleIdDetail },
    entityMappings: entityMappings(mapping.entities),
    incidentConfiguration: {
      createIncident: true,
      // Alerts of this rule about the same entities within five hours join one incident.
      groupingConfiguration: { enabled: true, reopenClosedIncident: false, lookbackDuration: 'PT5H', matchingMethod: 'AllEntities' },
    },
  };
  return { name: alertRuleGuid(rule.id), ruleId: rule.id, title: rule.title, body: { kind: 'Scheduled', properties } };
}
