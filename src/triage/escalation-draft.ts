import { createHash } from 'node:crypto';
import type { IncidentEntity, Severity } from '../incidents/incident';
import type { IncidentDraft } from '../incidents/incident-creator';
import type { EscalatedAlert } from './escalation-store';
import type { TriageRecord } from './triage-record';

/** What an escalated alert's incident is made of, and what is said when more alerts join it. */

/** The label every incident made from escalated alerts carries (routing rules may match it). */
export const escalationLabel = 'argus-triage';
export const escalationProduct = 'Argus triage';

const severityOfLevel: Record<string, Severity> = { critical: 'High', high: 'High', medium: 'Medium', low: 'Low', informational: 'Informational' };

export function severityOf(level: string): Severity {
  return severityOfLevel[level.toLowerCase()] ?? 'Medium';
}

const fmt = (x: number) => String(Number(x.toFixed(3)));

export function escalatedAlert(r: TriageRecord): EscalatedAlert {
  return {
    alertId: r.alertId,
    ruleId: r.ruleId,
    title: r.alert.title.slice(0, 200),
    level: r.alert.level,
    ...(r.alert.host ? { host: r.alert.host } : {}),
    detectedAt: r.alert.detectedAt,
    score: r.score,
  };
}

const entityId = (kind: string, value: string) => `argus-${kind.toLowerCase()}-${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
const hashAlgorithms = { sha256: 'SHA256', sha1: 'SHA1', md5: 'MD5' } as const;

/** The alert's host and indicators as incident entities (Argus keeps them; the card groups them). */
function entitiesOf(r: TriageRecord): IncidentEntity[] {
  const out: IncidentEntity[] = [];
  const host = r.alert.host;
  if (host) out.push({ kind: 'Host', id: entityId('Host', host.toLowerCase()), displayName: host, properties: { hostName: host } });
  for (const i of r.indicators) {
    const { type, value } = i;
    if (type === 'ip') out.push({ kind: 'Ip', id: entityId('Ip', value), displayName: value, properties: { address: value } });
    else if (type === 'url') out.push({ kind: 'Url', id: entityId('Url', value), displayName: value, properties: { url: value } });
    else if (type === 'domain') out.push({ kind: 'DnsResolution', id: entityId('Dns', value), displayName: value, properties: { domainName: value } });
    else out.push({ kind: 'FileHash', id: entityId('FileHash', value), displayName: value, properties: { algorithm: hashAlgorithms[type], hashValue: value } });
  }
  return out;
}

/** The incident an escalated alert starts: its title, what triage found, its host and indicators. */
export function escalationDraft(r: TriageRecord, options: { name: string; alertCount: number; requestedBy?: IncidentDraft['requestedBy']; correlationId?: string }): IncidentDraft {
  const lines = [
    `Escalated by Argus triage: detection rule ${r.ruleId}${r.alert.host ? ` on host ${r.alert.host}` : ''}, score ${fmt(r.score)}.`,
    ...r.reasons.slice(0, 10).map((reason) => `- ${reason}`),
    ...(r.indicators.length ? [`Indicators: ${r.indicators.slice(0, 20).map((i) => `${i.type} ${i.value}`).join(', ')}`] : []),
    `Alerts of this rule on this host within the group window join this incident. First alert: ${r.alertId}.`,
  ];
  return {
    name: options.name,
    title: r.alert.title.slice(0, 250) || `Alert of rule ${r.ruleId}`,
    description: lines.join('\n').slice(0, 4000),
    severity: severityOf(r.alert.level),
    labels: [escalationLabel],
    entities: entitiesOf(r),
    alertCount: options.alertCount,
    alertProducts: [escalationProduct],
    reason: 'triage.escalate',
    ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
    ...(options.correlationId ? { correlationId: options.correlationId } : {}),
  };
}

/** The thread note and Sentinel comment when an alert joins an incident. */
export function joinedText(a: EscalatedAlert): string {
  return `Alert joined: ${a.title} (rule ${a.ruleId}${a.host ? `, host ${a.host}` : ''}, detected ${a.detectedAt}, score ${fmt(a.score)}, alert ${a.alertId})`;
}

/** The Sentinel comment naming a joined alert: the portal renders comments as HTML, so the alert's words are escaped. */
export function joinedComment(a: EscalatedAlert): string {
  return joinedText(a).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A stable GUID-shaped comment id per incident and alert: a retried join writes one comment. */
export function joinCommentId(incidentName: string, alertId: string): string {
  const h = createHash('sha256').update(`joined|${incidentName}|${alertId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
