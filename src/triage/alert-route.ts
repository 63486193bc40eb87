import type { FileConfig } from '../config/file-schema';
import type { TriageDecision } from './policy';

/** Event fields that name the host an alert is about (Windows, Sysmon, ECS, Defender), first found wins. */
const hostFields = ['computer', 'computername', 'hostname', 'host.name', 'host.hostname', 'devicename', 'workstationname'];

/** The host an alert's event is about, when a field names one. */
export function alertHost(event: Readonly<Record<string, unknown>>): string | undefined {
  const byName = new Map(Object.entries(event).map(([k, v]) => [k.toLowerCase(), v] as const));
  for (const field of hostFields) {
    const value = byName.get(field);
    if (typeof value === 'string' && value.trim() !== '' && value.trim() !== '-') return value.trim();
  }
  return undefined;
}

const severityOfLevel = { critical: 'High', high: 'High', medium: 'Medium', low: 'Low', informational: 'Informational' } as const;

/** The conversations `routing` sends an alert of this level to: rules on severity alone, else the default. */
function routed(level: string, routing: FileConfig['routing']): string | undefined {
  const severity = severityOfLevel[level as keyof typeof severityOfLevel] ?? 'Medium';
  const rule = routing.rules.find((r) => !r.match.tactics && !r.match.labels && (!r.match.severity || r.match.severity.includes(severity)));
  return rule?.conversationId ?? routing.default;
}

/**
 * Where an alert's card goes: a review card to `triage.conversationId` (else where routing sends
 * its level); an escalation to the routed channel (else the triage conversation). Auto-closed
 * alerts get no card.
 */
export function alertConversation(decision: TriageDecision, level: string, config: { triageConversationId?: string; routing: FileConfig['routing'] }): string | undefined {
  if (decision === 'auto-close') return undefined;
  if (decision === 'review') return config.triageConversationId ?? routed(level, config.routing);
  return routed(level, config.routing) ?? config.triageConversationId;
}
