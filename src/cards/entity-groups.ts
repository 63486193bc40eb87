import type { IncidentEntity } from '../incidents/incident';
import { joinLimited, moreText, plain } from './text';

/** Kinds shown first, in this order: what a responder scans for before anything else. */
const leadingKinds = ['Host', 'Account', 'Ip', 'Url', 'FileHash'] as const;

const kindLabels: Record<string, string> = {
  Host: 'Hosts',
  Account: 'Accounts',
  Ip: 'IP addresses',
  Url: 'URLs',
  FileHash: 'File hashes',
  File: 'Files',
  Process: 'Processes',
  Malware: 'Malware',
  RegistryKey: 'Registry keys',
  RegistryValue: 'Registry values',
  CloudApplication: 'Cloud apps',
  DnsResolution: 'DNS resolutions',
  AzureResource: 'Azure resources',
  IoTDevice: 'IoT devices',
  MailCluster: 'Mail clusters',
  MailMessage: 'Mail messages',
  Mailbox: 'Mailboxes',
  MailboxConfiguration: 'Mailbox configurations',
  SecurityGroup: 'Security groups',
  SubmissionMail: 'Submission mails',
  Bookmark: 'Bookmarks',
  SecurityAlert: 'Alerts',
  Nic: 'Network interfaces',
};

export function entityKindLabel(kind: string): string {
  return kindLabels[kind] ?? plain(kind, 40);
}

export interface EntityLimits {
  /** Names listed per kind before "+N more". */
  namesPerKind: number;
  /** Kinds listed before the rest are folded into one "Other kinds" line. */
  maxKinds: number;
  /** Longest entity name shown. */
  nameLength: number;
}

export interface EntityFact {
  title: string;
  value: string;
}

/** Entities grouped by kind with friendly labels; distinct names per kind, truncated to the limits. */
export function groupEntities(entities: readonly IncidentEntity[], limits: EntityLimits): EntityFact[] {
  const byKind = new Map<string, string[]>();
  for (const entity of entities) {
    const names = byKind.get(entity.kind) ?? [];
    if (!byKind.has(entity.kind)) byKind.set(entity.kind, names);
    const name = entity.displayName || entity.kind;
    if (!names.includes(name)) names.push(name);
  }
  const lead: readonly string[] = leadingKinds;
  const kinds = [...byKind.keys()].sort((a, b) => {
    const ia = lead.indexOf(a);
    const ib = lead.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? lead.length : ia) - (ib === -1 ? lead.length : ib);
    const byCount = (byKind.get(b)?.length ?? 0) - (byKind.get(a)?.length ?? 0);
    return byCount !== 0 ? byCount : a.localeCompare(b);
  });

  const shownKinds = kinds.slice(0, Math.max(0, limits.maxKinds));
  const facts = shownKinds.map((kind) => {
    const names = byKind.get(kind) ?? [];
    const value = joinLimited(names, limits.namesPerKind, (n) => plain(n, limits.nameLength));
    return { title: `${entityKindLabel(kind)} (${names.length})`, value };
  });
  const hidden = kinds.slice(shownKinds.length);
  if (hidden.length > 0) {
    const count = hidden.reduce((sum, kind) => sum + (byKind.get(kind)?.length ?? 0), 0);
    facts.push({ title: `Other kinds (${hidden.length})`, value: moreText(count) });
  }
  return facts;
}
