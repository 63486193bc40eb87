import { ArgusError } from '../errors/catalog';
import { isLoopbackAddress } from '../net/loopback';

/**
 * Which Bot Connector hosts Argus talks to. Every outbound Bot Connector call carries the bot's
 * access token to the conversation's serviceUrl, so a serviceUrl outside Teams' own hosts would
 * hand that token (and the card's content) to whoever runs that host.
 */
export interface ServiceUrlPolicy {
  allows(serviceUrl: string | undefined): boolean;
  /** Throws ARGUS_SERVICE_URL_NOT_ALLOWED unless `allows`. */
  assert(serviceUrl: string | undefined, what: string): void;
}

export interface ServiceUrlPolicyOptions {
  /** Allowed host names (exact, lower case). */
  hosts: readonly string[];
  /** Dev mode talks to local test clients (the Agents Playground) on any host: nothing is enforced. */
  enforce: boolean;
}

export function createServiceUrlPolicy(options: ServiceUrlPolicyOptions): ServiceUrlPolicy {
  const hosts = new Set(options.hosts.map((h) => h.toLowerCase()));
  function allows(serviceUrl: string | undefined): boolean {
    if (!options.enforce) return true;
    let url: URL;
    try {
      url = new URL(serviceUrl ?? '');
    } catch {
      return false;
    }
    if (url.username || url.password || !hosts.has(url.hostname)) return false;
    // Plain http only to an allow-listed loopback host (a local test connector): never over a network.
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackAddress(url.hostname));
  }
  return {
    allows,
    assert(serviceUrl, what) {
      if (!allows(serviceUrl))
        throw new ArgusError('ARGUS_SERVICE_URL_NOT_ALLOWED', `${what}: serviceUrl host '${hostOf(serviceUrl)}' is not in teams.serviceUrlHosts`);
    },
  };
}

function hostOf(serviceUrl: string | undefined): string {
  try {
    return new URL(serviceUrl ?? '').hostname.slice(0, 100);
  } catch {
    return '(not a URL)';
  }
}
