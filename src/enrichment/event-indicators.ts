import { isIP } from 'node:net';
import type { IndicatorCandidate } from './indicators';

/**
 * Indicators named by an alert's event, as the detection engine flattened it: Sysmon and Windows
 * Security names (`DestinationIp`, `IpAddress`, `DestinationHostname`, `QueryName`, `Hashes`),
 * W3C web-log names (`c-ip`, `cs-host`) and ECS paths (`destination.ip`, `dns.question.name`,
 * `url.full`, `file.hash.sha256`), compared case-insensitively; URLs are also taken from command
 * lines (a download cradle's address is the indicator that matters). Values are only candidates:
 * collectIndicators normalises and validates them.
 */

type FieldKind = 'ip' | 'host' | 'url' | 'hashes' | 'text';

const kinds: Array<[FieldKind, string[]]> = [
  ['ip', ['destinationip', 'sourceip', 'ipaddress', 'clientip', 'clientaddress', 'remoteaddress', 'remoteip', 'sourceaddress', 'destaddress', 'destinationaddress', 'src_ip', 'dst_ip', 'c-ip', 'calleripaddress', 'source.ip', 'destination.ip', 'client.ip', 'server.ip']],
  ['host', ['destinationhostname', 'queryname', 'cs-host', 'destination.domain', 'dns.question.name', 'url.domain', 'server.domain']],
  ['url', ['url', 'url.full', 'url.original', 'requesturl', 'targeturl']],
  // Sysmon's `MD5=…,SHA256=…,IMPHASH=…` (process creation, image load, file stream hash).
  ['hashes', ['hashes', 'hash']],
  ['text', ['commandline', 'parentcommandline', 'process.command_line']],
];
const fieldKinds = new Map<string, FieldKind>(kinds.flatMap(([kind, names]) => names.map((n) => [n, kind] as const)));
/** `md5`, `sha256`, `file.hash.sha1`, `process.hash.sha256`: a hash of the type the name ends with. */
const typedHashField = /(^|\.)(md5|sha1|sha256)$/;
const hashTypeByLength: Record<number, string> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };
const urlsInText = /\b(?:https?|ftp):\/\/[^\s"'<>|^`]+/gi;
const maxUrlsPerValue = 10;

/** Windows writes `-` for an empty field. */
const isEmpty = (value: string) => value.trim() === '' || value.trim() === '-';

function hashCandidates(field: string, value: string): IndicatorCandidate[] {
  return value.split(',').flatMap((part): IndicatorCandidate[] => {
    const named = /^\s*([a-z0-9]+)=(.*)$/i.exec(part);
    if (named) {
      const algorithm = named[1]!.toLowerCase();
      return algorithm === 'md5' || algorithm === 'sha1' || algorithm === 'sha256' ? [{ type: algorithm, value: named[2]!, field }] : [];
    }
    if (isEmpty(part)) return [];
    const type = hashTypeByLength[part.trim().length];
    return [type ? { type, value: part, field } : { type: 'sha256', value: part, field, invalid: 'is not an MD5, SHA-1 or SHA-256 hash' }];
  });
}

function candidatesOf(kind: FieldKind, field: string, value: string): IndicatorCandidate[] {
  switch (kind) {
    case 'ip':
      return [{ type: 'ip', value, field }];
    case 'host':
      return [{ type: isIP(value.trim().replace(/^\[(.*)\]$/, '$1')) ? 'ip' : 'domain', value, field }];
    case 'url':
      return [{ type: 'url', value, field }];
    case 'hashes':
      return hashCandidates(field, value);
    case 'text':
      return [...value.matchAll(urlsInText)].slice(0, maxUrlsPerValue).map((m) => ({ type: 'url', value: m[0].replace(/[),.;]+$/, ''), field }));
  }
}

function kindOf(field: string): { kind: FieldKind } | { hash: string } | undefined {
  const name = field.toLowerCase();
  const kind = fieldKinds.get(name);
  if (kind) return { kind };
  const typed = typedHashField.exec(name);
  return typed ? { hash: typed[2]! } : undefined;
}

/** The indicator candidates an event's fields name, field by field in the event's order. */
export function eventIndicatorCandidates(event: Readonly<Record<string, unknown>>): IndicatorCandidate[] {
  const out: IndicatorCandidate[] = [];
  for (const [field, raw] of Object.entries(event)) {
    const what = kindOf(field);
    if (!what) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (typeof value !== 'string' || isEmpty(value)) continue;
      if ('hash' in what) out.push({ type: what.hash, value, field });
      else out.push(...candidatesOf(what.kind, field, value));
    }
  }
  return out;
}
