// APR: network_io/unix/sockaddr.c (apr_ipsubnet_create: parse_ip, parse_network,
// looks_like_ip; apr_ipsubnet_test, which matches an IPv4-mapped IPv6 peer against an
// IPv4 subnet).
//
// Address/subnet words as httpd modules take them (mod_access_compat's `Allow from`,
// mod_wsgi's WSGITrustedProxies): a full IPv4/IPv6 address, an IPv4 network prefix
// ("10.1"), or either with "/bits" (or an IPv4 "/a.b.c.d" netmask). No name lookups.

import { isIPv4, isIPv6 } from 'node:net';

/** A parsed subnet: address bytes and mask bytes (4 or 16 of each). */
export interface Subnet {
  readonly addr: Uint8Array;
  readonly mask: Uint8Array;
}

/** APR's failures: not an address at all (a host name?), a bad address, a bad mask. */
export type SubnetError = 'EINVAL' | 'EBADIP' | 'EBADMASK';

/** The text httpd prints for an APR status (`%pm`). */
export const SUBNET_ERROR_TEXT: Readonly<Record<Exclude<SubnetError, 'EINVAL'>, string>> = {
  EBADIP: 'The specified IP address is invalid.',
  EBADMASK: 'The specified network mask is invalid.',
};

function v4Bytes(s: string): Uint8Array | undefined {
  if (!isIPv4(s)) return undefined;
  return Uint8Array.from(s.split('.').map(Number));
}

function v6Bytes(s: string): Uint8Array | undefined {
  if (!isIPv6(s)) return undefined;
  let text = s.replace(/%.*$/, ''); // a zone id does not take part in matching
  let tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined && dotted[2] !== undefined) {
    const b = v4Bytes(dotted[2]);
    if (!b) return undefined;
    tail = [((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0)];
    text = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
  }
  const words = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((w) => parseInt(w, 16));
  const halves = text.split('::');
  let all: number[];
  if (halves.length === 2) {
    const a = words(halves[0] ?? '');
    const b = [...words(halves[1] ?? ''), ...tail];
    all = [...a, ...Array<number>(Math.max(0, 8 - a.length - b.length)).fill(0), ...b];
  } else all = [...words(text), ...tail];
  if (all.length !== 8) return undefined;
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** An IP address literal as bytes (4 or 16), or undefined. No name lookups. */
export function ipBytes(s: string): Uint8Array | undefined {
  return v4Bytes(s) ?? v6Bytes(s);
}

function prefixMask(len: number, bits: number): Uint8Array {
  const m = new Uint8Array(len);
  for (let i = 0; i < len; i++)
    m[i] = bits >= (i + 1) * 8 ? 0xff : bits <= i * 8 ? 0 : 0xff << (8 - (bits - i * 8));
  return m;
}

/** APR's parse_network: "10", "10.1", "10.1.2" (1–3 octets; a full address parses as an IP). */
function parseNetwork(s: string): Subnet | undefined {
  const parts = s.split('.');
  if (parts.length > 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    return undefined;
  const addr = new Uint8Array(4);
  parts.forEach((p, i) => (addr[i] = Number(p)));
  return { addr, mask: prefixMask(4, parts.length * 8) };
}

/** APR's looks_like_ip: has a ':' (IPv6), or only digits and dots. */
const looksLikeIp = (s: string): boolean => s.includes(':') || /^[0-9.]+$/.test(s);

/** apr_ipsubnet_create(ip, mask): the subnet, or why not. */
export function ipSubnetCreate(ip: string, mask?: string): Subnet | SubnetError {
  if (!looksLikeIp(ip)) return 'EINVAL';
  const bytes = ipBytes(ip);
  if (bytes && bytes.length === 16 && bytes.slice(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff)))
    return 'EBADIP'; // an IPv4-mapped IPv6 address is refused by APR
  let net: Subnet | undefined = bytes
    ? { addr: bytes, mask: prefixMask(bytes.length, bytes.length * 8) }
    : undefined;
  if (!net && mask === undefined && !ip.includes(':')) net = parseNetwork(ip);
  if (!net) return 'EBADIP';
  if (mask !== undefined) {
    const max = net.addr.length * 8;
    const bits = /^\d+$/.test(mask) ? Number(mask) : NaN;
    if (bits > 0 && bits <= max) net = { addr: net.addr, mask: prefixMask(net.addr.length, bits) };
    else {
      const m = v4Bytes(mask);
      if (!m || net.addr.length !== 4) return 'EBADMASK';
      net = { addr: net.addr, mask: m };
    }
  }
  const m = net.mask;
  return { addr: net.addr.map((b, i) => b & (m[i] ?? 0)), mask: m };
}

/** An `address[/mask]` word as httpd modules write one: apr_ipsubnet_create on its halves. */
export function ipSubnetWord(word: string): Subnet | SubnetError {
  const slash = word.indexOf('/');
  return slash < 0
    ? ipSubnetCreate(word)
    : ipSubnetCreate(word.slice(0, slash), word.slice(slash + 1));
}

/** apr_ipsubnet_test over a list; an IPv4-mapped IPv6 peer matches IPv4 subnets. */
export function inSubnets(ip: string, subnets: readonly Subnet[]): boolean {
  let b = ipBytes(ip);
  if (!b) return false;
  if (b.length === 16 && b.slice(0, 12).every((x, i) => x === (i < 10 ? 0 : 0xff))) b = b.slice(12);
  const peer = b;
  return subnets.some(
    (s) =>
      s.addr.length === peer.length &&
      s.addr.every((a, i) => ((peer[i] ?? 0) & (s.mask[i] ?? 0)) === a),
  );
}
