/**
 * The `cidr` modifier: IPv4 and IPv6 networks, parsed once at compile time. IPv4 addresses written
 * as IPv4-mapped IPv6 (`::ffff:10.1.2.3`) also match IPv4 networks, as Windows often logs them so.
 */

export type CidrTest = (address: string) => boolean;

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** 128-bit value of an IPv6 address (with optional embedded IPv4 tail and zone id), or undefined. */
function parseIpv6(input: string): bigint | undefined {
  let text = input;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (!text.includes(':')) return undefined;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIpv4(maybeV4);
    if (v4 === undefined) return undefined;
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    text = `${text.slice(0, lastColon + 1)}${tail.length ? '0:0' : ''}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const head = parseGroups(halves[0] as string);
  const rest = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (!head || !rest) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  if (tail.length) groups.splice(6, 2, ...tail);
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

const v4MappedPrefix = 0xffffn << 32n;

/** Parses `network/prefix` (prefix optional) into a test; throws a plain Error with the reason. */
export function compileCidr(network: string): CidrTest {
  const [addr = '', prefixText, extra] = network.trim().split('/');
  if (extra !== undefined) throw new Error(`'${network}' is not a CIDR network`);
  const v4 = parseIpv4(addr);
  if (v4 !== undefined) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (!/^\d{1,2}$/.test(prefixText ?? '32') || prefix > 32) throw new Error(`'${network}' has an invalid IPv4 prefix length`);
    const size = 2 ** (32 - prefix);
    const base = Math.floor(v4 / size) * size;
    return (address) => {
      let ip = parseIpv4(address.trim());
      if (ip === undefined) {
        const v6 = address.includes(':') ? parseIpv6(address.trim()) : undefined;
        if (v6 === undefined || v6 >> 32n !== 0xffffn) return false;
        ip = Number(v6 - v4MappedPrefix);
      }
      return ip >= base && ip < base + size;
    };
  }
  const v6 = parseIpv6(addr);
  if (v6 === undefined) throw new Error(`'${network}' is not an IPv4 or IPv6 network`);
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? '128') || prefix > 128) throw new Error(`'${network}' has an invalid IPv6 prefix length`);
  const shift = BigInt(128 - prefix);
  const base = v6 >> shift;
  return (address) => {
    const ip = parseIpv6(address.trim());
    return ip !== undefined && ip >> shift === base;
  };
}
