import { compileCidr, type CidrTest } from '../detections/cidr';
import type { Indicator } from '../triage/types';
import { normaliseDomain, normaliseIp } from './indicators';

/**
 * What is never sent to an intel source: addresses that name no one on the internet (private,
 * loopback, link-local, CGNAT, multicast, documentation and other reserved ranges, IPv4 and IPv6;
 * RFC 6890 and the IANA special-purpose registries), names under reserved top-level domains
 * (RFC 2606, 6761, 6762, 8375, `internal`), and what `enrichment.neverSend` lists: a network
 * matches the addresses in it, a domain matches itself and its subdomains. A URL is judged by its
 * host. Such an indicator is recorded as `skipped`, with the reason.
 */

export type RangeClass = 'unspecified' | 'private' | 'loopback' | 'link-local' | 'CGNAT' | 'multicast' | 'documentation' | 'reserved';

export const specialRanges: ReadonlyArray<readonly [network: string, kind: RangeClass]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'CGNAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'],
  ['2001::/23', 'reserved'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', 'reserved'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'],
  ['ff00::/8', 'multicast'],
];

export const reservedDomains = ['localhost', 'local', 'test', 'example', 'invalid', 'internal', 'home.arpa', 'example.com', 'example.net', 'example.org'];

/** A `neverSend` entry: a network (an address or CIDR) or a domain. */
export type NeverSendEntry = { kind: 'network'; entry: string; test: CidrTest } | { kind: 'domain'; entry: string; domain: string } | { kind: 'invalid'; reason: string };

export function parseNeverSendEntry(text: string): NeverSendEntry {
  try {
    return { kind: 'network', entry: text, test: compileCidr(text) };
  } catch {
    // Not a network: a domain, then.
  }
  const domain = normaliseDomain(text);
  if (domain.ok) return { kind: 'domain', entry: text, domain: domain.value };
  return { kind: 'invalid', reason: `must be an IP address, a CIDR network such as 203.0.113.0/24, or a domain such as corp.example.com (${domain.reason})` };
}

/** Why an indicator must not be sent out, or undefined when it may be. */
export type SendPolicy = (indicator: Indicator) => string | undefined;

const inDomain = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);

export function createSendPolicy(neverSend: readonly string[] = []): SendPolicy {
  const ranges = specialRanges.map(([network, kind]) => ({ network, kind, test: compileCidr(network) }));
  const entries = neverSend.map(parseNeverSendEntry);
  const networks = entries.flatMap((e) => (e.kind === 'network' ? [e] : []));
  const domains = entries.flatMap((e) => (e.kind === 'domain' ? [e] : []));

  const ipReason = (ip: string): string | undefined => {
    const range = ranges.find((r) => r.test(ip));
    if (range) return `${ip} is a ${range.kind} address (${range.network}); such addresses are never sent out`;
    const listed = networks.find((n) => n.test(ip));
    return listed && `${ip} is in enrichment.neverSend (${listed.entry})`;
  };
  const domainReason = (name: string): string | undefined => {
    const reserved = reservedDomains.find((d) => inDomain(name, d));
    if (reserved) return `${name} is under the reserved domain ${reserved}; such names are never sent out`;
    const listed = domains.find((d) => inDomain(name, d.domain));
    return listed && `${name} is in enrichment.neverSend (${listed.entry})`;
  };
  const hostReason = (host: string): string | undefined => {
    const ip = normaliseIp(host);
    if (ip.ok) return ipReason(ip.value);
    const domain = normaliseDomain(host);
    // A host that is no routable name (a single label, say) names something inside.
    return domain.ok ? domainReason(domain.value) : `${host} ${domain.reason}; only public names are sent out`;
  };

  // The gate normalises again itself: whatever spelling reaches it, a private address stays private.
  return (indicator) => {
    switch (indicator.type) {
      case 'ip':
      case 'domain':
        return hostReason(indicator.value);
      case 'url': {
        const url = URL.canParse(indicator.value) ? new URL(indicator.value) : undefined;
        const reason = url ? hostReason(url.hostname) : `${indicator.value.slice(0, 80)} is not a URL`;
        return reason && `the URL's host ${reason}`;
      }
      default:
        return undefined;
    }
  };
}
