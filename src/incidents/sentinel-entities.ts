import { createHash } from 'node:crypto';
import { knownEntityKinds, type IncidentEntity } from './incident';
import type { SentinelEntity } from './sentinel-schema';

type Properties = Record<string, unknown>;

const canonicalKinds = new Map<string, string>(knownEntityKinds.map((k) => [k.toLowerCase(), k]));

/** Sentinel's kind spelling for known kinds (alert-level entities come lower-cased); others verbatim. */
export function canonicalEntityKind(kind: string): string {
  return canonicalKinds.get(kind.toLowerCase()) ?? kind;
}

/** A non-empty string property, looked up exactly first, then ignoring case (`HostName` vs `hostName`). */
function text(props: Properties, key: string): string | undefined {
  let value = props[key];
  if (value === undefined) {
    const lower = key.toLowerCase();
    const found = Object.keys(props).find((k) => k.toLowerCase() === lower);
    value = found === undefined ? undefined : props[found];
  }
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function accountName(props: Properties): string | undefined {
  const upn = text(props, 'userPrincipalName');
  if (upn) return upn;
  const name = text(props, 'accountName');
  const suffix = text(props, 'upnSuffix');
  if (name && suffix) return `${name}@${suffix}`;
  const domain = text(props, 'ntDomain');
  if (name && domain) return `${domain}\\${name}`;
  return name ?? text(props, 'name');
}

function hostName(props: Properties): string | undefined {
  const host = text(props, 'hostName');
  const domain = text(props, 'dnsDomain');
  if (host) return domain && !host.includes('.') ? `${host}.${domain}` : host;
  return text(props, 'netBiosName') ?? text(props, 'friendlyName');
}

function fileHash(props: Properties): string | undefined {
  const value = text(props, 'hashValue');
  if (!value) return undefined;
  const algorithm = text(props, 'algorithm');
  return algorithm ? `${algorithm}:${value}` : value;
}

/** What a person reads for each kind; anything else falls back to friendlyName, then the kind. */
const displayNameByKind: Record<string, (props: Properties) => string | undefined> = {
  Host: hostName,
  Account: accountName,
  Ip: (p) => text(p, 'address'),
  Url: (p) => text(p, 'url'),
  FileHash: fileHash,
  File: (p) => text(p, 'fileName') ?? text(p, 'name'),
  Process: (p) => text(p, 'commandLine') ?? text(p, 'processId'),
  Mailbox: (p) => text(p, 'mailboxPrimaryAddress') ?? text(p, 'upn'),
  CloudApplication: (p) => text(p, 'appName') ?? text(p, 'name'),
  DnsResolution: (p) => text(p, 'domainName'),
  Malware: (p) => text(p, 'malwareName') ?? text(p, 'name'),
  AzureResource: (p) => text(p, 'resourceId'),
};

export function entityDisplayName(kind: string, props: Properties): string {
  return displayNameByKind[kind]?.(props) ?? text(props, 'friendlyName') ?? kind;
}

/** A stable id for entities that carry none: the same entity in the next version gets the same id. */
function syntheticId(kind: string, props: Properties): string {
  const digest = createHash('sha256').update(JSON.stringify([kind, props])).digest('hex');
  return `${kind}:${digest.slice(0, 16)}`;
}

export function toIncidentEntity(entity: SentinelEntity): IncidentEntity {
  const kind = canonicalEntityKind(entity.kind);
  const properties: Properties = entity.properties ?? {};
  return {
    kind,
    id: entity.id || entity.name || syntheticId(kind, properties),
    displayName: entityDisplayName(kind, properties),
    properties,
  };
}
