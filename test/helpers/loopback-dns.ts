import dns from 'node:dns';

/**
 * Makes this process resolve `*.localhost` to 127.0.0.1. Such names are loopback by definition
 * (RFC 6761), but the system resolver does not know it; fakes that must be reached by a host name
 * (Key Vault's challenge checks the vault's domain) use them. For child processes only.
 */
type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

export function resolveLocalhostNamesToLoopback(): void {
  const systemLookup = dns.lookup.bind(dns) as (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => void;
  function loopbackLookup(hostname: string, options: dns.LookupOptions | number | LookupCallback, callback?: LookupCallback): void {
    const done = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts: dns.LookupOptions = typeof options === 'object' ? options : typeof options === 'number' ? { family: options } : {};
    if (!hostname.endsWith('.localhost')) return systemLookup(hostname, opts, done);
    if (opts.all) process.nextTick(done, null, [{ address: '127.0.0.1', family: 4 }]);
    else process.nextTick(done, null, '127.0.0.1', 4);
  }
  (dns as { lookup: unknown }).lookup = loopbackLookup;
}
