import { compileCidr, type CidrTest } from '../detections/cidr';
import type { TriageConfig } from '../config/triage-schema';
import type { Indicator } from './types';

/** Tells whether an indicator is allow-listed, and by which entry (`triage.allow`). */
export type AllowList = (indicator: Indicator) => string | undefined;

function normalDomain(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

function isIpAddress(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || text.includes(':');
}

/** The host of a URL, without IPv6 brackets; undefined when the URL cannot be parsed. */
function urlHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/**
 * Compiles `triage.allow`: an IP matches a listed CIDR; a domain matches a listed domain or any of
 * its subdomains (case-insensitive); a URL matches through its host; a hash matches exactly
 * (case-insensitive).
 */
export function compileAllowList(allow: TriageConfig['allow']): AllowList {
  const networks: Array<{ entry: string; test: CidrTest }> = allow.ips.map((entry) => ({ entry, test: compileCidr(entry) }));
  const domains = allow.domains.map(normalDomain);
  const hashes = new Set(allow.hashes.map((h) => h.toLowerCase()));

  const byIp = (ip: string): string | undefined => {
    const hit = networks.find((n) => n.test(ip));
    return hit && `triage.allow.ips ${hit.entry}`;
  };
  const byDomain = (name: string): string | undefined => {
    const d = normalDomain(name);
    const hit = domains.find((allowed) => d === allowed || d.endsWith(`.${allowed}`));
    return hit && `triage.allow.domains ${hit}`;
  };
  const byHost = (host: string): string | undefined => (isIpAddress(host) ? byIp(host) : byDomain(host));

  return (indicator) => {
    switch (indicator.type) {
      case 'ip':
        return byIp(indicator.value);
      case 'domain':
        return byDomain(indicator.value);
      case 'url': {
        const host = urlHost(indicator.value);
        return host === undefined ? undefined : byHost(host);
      }
      default:
        return hashes.has(indicator.value.trim().toLowerCase()) ? `triage.allow.hashes ${indicator.value.trim().toLowerCase()}` : undefined;
    }
  };
}
