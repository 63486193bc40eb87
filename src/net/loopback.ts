/**
 * Loopback tests for the two places Argus trusts "this machine": the Host header of a dev-mode
 * request (DNS rebinding) and the peer address of a /readyz caller.
 */

const ipv4Loopback = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isIpv4Loopback(address: string): boolean {
  const m = ipv4Loopback.exec(address);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

/**
 * Whether a Host header names the loopback interface: `localhost`, `127.x.x.x` or `[::1]`, with an
 * optional port. A page served from any other name (a rebound DNS name included) is refused.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  const value = host.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) return bracketed[1] === '::1';
  const plain = /^([^:]+)(?::\d{1,5})?$/.exec(value);
  if (!plain?.[1]) return false;
  return plain[1] === 'localhost' || isIpv4Loopback(plain[1]);
}

/** Whether a socket's peer address is loopback (IPv4, IPv6, or IPv4 mapped into IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const value = address.toLowerCase();
  if (value === '::1') return true;
  return isIpv4Loopback(value.startsWith('::ffff:') ? value.slice('::ffff:'.length) : value);
}
