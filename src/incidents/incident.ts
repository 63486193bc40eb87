import type { Severity } from '../config/file-schema';

export type { Severity };
export const severities = ['High', 'Medium', 'Low', 'Informational'] as const;
export const incidentStatuses = ['New', 'Active', 'Closed'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];
export const classifications = ['Undetermined', 'TruePositive', 'BenignPositive', 'FalsePositive'] as const;
export type Classification = (typeof classifications)[number];
/** Sentinel's classification reasons (only meaningful with the matching classification). */
export const classificationReasons = [
  'SuspiciousActivity',
  'SuspiciousButExpected',
  'IncorrectAlertLogic',
  'InaccurateData',
] as const;
export type ClassificationReason = (typeof classificationReasons)[number];

/** Sentinel entity kinds Argus knows by name; any other kind is kept as-is. */
export const knownEntityKinds = [
  'Account', 'Host', 'Ip', 'Url', 'FileHash', 'File', 'Process', 'Malware', 'RegistryKey', 'RegistryValue',
  'CloudApplication', 'DnsResolution', 'AzureResource', 'IoTDevice', 'MailCluster', 'MailMessage', 'Mailbox',
  'SecurityGroup', 'SubmissionMail', 'Bookmark', 'SecurityAlert', 'Nic', 'MailboxConfiguration',
] as const;

export interface IncidentEntity {
  /** Sentinel entity kind (`Host`, `Account`, `Ip`, …); unknown kinds are kept verbatim. */
  kind: string;
  /** Sentinel entity id (ARM id) or a synthetic stable id when the source has none. */
  id: string;
  /** What a person reads: host name, UPN, address, URL, hash value… */
  displayName: string;
  /** The entity's own properties, as Sentinel sent them. */
  properties: Record<string, unknown>;
}

export interface IncidentOwner {
  objectId?: string;
  email?: string;
  assignedTo?: string;
  userPrincipalName?: string;
}

export interface Incident {
  /** Sentinel incident name (a GUID): the key of the incident everywhere in Argus. */
  name: string;
  /** Full ARM resource id, when known. */
  resourceId?: string;
  number: number;
  title: string;
  description?: string;
  severity: Severity;
  status: IncidentStatus;
  classification?: Classification;
  classificationReason?: ClassificationReason;
  classificationComment?: string;
  owner?: IncidentOwner;
  labels: string[];
  tactics: string[];
  techniques: string[];
  alertCount: number;
  alertProducts: string[];
  entities: IncidentEntity[];
  portalUrl?: string;
  createdTimeUtc?: string;
  lastModifiedTimeUtc: string;
  firstActivityTimeUtc?: string;
  lastActivityTimeUtc?: string;
  /** Sentinel's etag of this version, when known. */
  etag?: string;
}

/** Identity of one version of an incident: idempotency and ordering use it. */
export function incidentVersionKey(incident: Pick<Incident, 'name' | 'lastModifiedTimeUtc' | 'etag'>): string {
  return `${incident.name}@${incident.lastModifiedTimeUtc}${incident.etag ? `#${incident.etag}` : ''}`;
}

export const severityRank: Record<Severity, number> = { High: 3, Medium: 2, Low: 1, Informational: 0 };
