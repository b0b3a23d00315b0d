// httpd: server/listen.c (ap_set_listener, alloc_listener), server/vhost.c
//        (ap_parse_vhost_addrs / get_addresses), apr network_io/unix/sockaddr.c
//        (apr_parse_addr_port).
//
// Listen lines and <VirtualHost> address lists. Name resolution happens later (at bind
// time, or per connection for vhosts); here a host that getaddrinfo can never resolve
// (`:`, `127.0.0.1:abc`, `1.2.3.4.5`) is caught by its spelling alone.

import { isIP, isIPv6 } from 'node:net';

/** A parsed `[host][:port]`: host undefined = none given, port 0 = none given. */
export interface AddrPort {
  /** An IPv6 literal comes unwrapped, its `%scope` kept (httpd 2.4.71 accepts scope ids). */
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * apr_parse_addr_port: a trailing `:digits` (or an all-digit string) is the port, 1–65535;
 * whatever is left is the host, `[v6]` unwrapped (`%scope` and all). undefined =
 * APR_EINVAL. Like APR, `127.0.0.1:abc` is a host with no port, and `::1` is host `:`
 * with port 1.
 */
export function parseAddrPort(s: string): AddrPort | undefined {
  let i = s.length - 1;
  while (i >= 0 && /\d/.test(s[i] ?? '')) i--;
  if (i < 0) {
    const port = parseInt(s, 10);
    return port >= 1 && port <= 65535 ? { host: undefined, port } : undefined;
  }
  let port = 0;
  let hostPart = s;
  if (s[i] === ':' && i < s.length - 1) {
    if (i === 0) return undefined; // ":80"
    port = parseInt(s.slice(i + 1), 10);
    if (port < 1 || port > 65535) return undefined;
    hostPart = s.slice(0, i);
  }
  if (!hostPart.startsWith('[')) return { host: hostPart, port };
  if (hostPart.indexOf(']') !== hostPart.length - 1) return undefined;
  const inner = hostPart.slice(1, -1);
  const pct = inner.indexOf('%');
  if (pct === inner.length - 1) return undefined; // '%' without a scope id
  if (!isIPv6(pct < 0 ? inner : inner.slice(0, pct))) return undefined;
  return { host: inner, port };
}

/** inet_aton's decimal forms: `a`, `a.b`, `a.b.c`, `a.b.c.d`, each part in range. */
function isInetAton(host: string): boolean {
  const parts = host.split('.');
  if (parts.length > 4 || parts.some((p) => !/^\d+$/.test(p))) return false;
  const last = 2 ** (8 * (5 - parts.length)) - 1;
  return parts.every((p, k) => Number(p) <= (k === parts.length - 1 ? last : 255));
}

/**
 * False when getaddrinfo can never resolve `host`: characters no host name or IPv6
 * literal has, or a dotted number that is not an address. Other names are left to the
 * resolver.
 */
export function mayResolve(host: string): boolean {
  if (isIP(host) !== 0 || isIPv6(host.replace(/%[^%]+$/, ''))) return true;
  if (!/^[A-Za-z0-9._-]+$/.test(host)) return false;
  return !/^[\d.]+$/.test(host) || isInetAton(host);
}

/**
 * One `Listen [addr:]port [protocol]` (ap_set_listener): the bind address or an error
 * text, and for an address that can not be set up the AH00077 line httpd logs first.
 */
export function parseListen(
  args: readonly string[],
): { host: string; port: number } | { error: string; log?: string } {
  if (args.length < 1 || args.length > 2) return { error: 'Listen requires 1 or 2 arguments.' };
  const parsed = parseAddrPort(args[0] ?? '');
  if (parsed === undefined) return { error: 'Invalid address or port' };
  const host = parsed.host === undefined || parsed.host === '*' ? '' : parsed.host;
  if (parsed.port === 0) return { error: 'Port must be specified' };
  if (host !== '' && !mayResolve(host)) {
    return {
      error: 'Listen setup failed',
      log: `(EAI 2)Name or service not known: AH00077: alloc_listener: failed to set up sockaddr for ${host}`,
    };
  }
  return { host, port: parsed.port };
}

/**
 * `<VirtualHost addr[:port] …>` addresses (`*`, `_default_`, names, IPs; `:*` = any
 * port). An address whose host can not resolve is dropped with an AH00547 warning, as
 * httpd does ("-- ignoring!"); a vhost left with none is never selected.
 */
export function parseVhostAddresses(
  args: readonly string[],
): { addrs: { host: string; port: number | '*' }[]; warnings: string[] } | string {
  const addrs: { host: string; port: number | '*' }[] = [];
  const warnings: string[] = [];
  for (const a of args) {
    const wild = a.endsWith(':*') || a === '*';
    const parsed = parseAddrPort(a === '*' ? a : wild ? a.slice(0, -2) : a);
    if (parsed === undefined) return 'The address or port is invalid';
    if (parsed.host === undefined) return 'Missing address for VirtualHost';
    const host = parsed.host;
    const special = host === '*' || host.toLowerCase() === '_default_';
    if (!special && !mayResolve(host)) {
      warnings.push(
        `(EAI 2)Name or service not known: AH00547: Could not resolve host name ${host} -- ignoring!`,
      );
      continue;
    }
    addrs.push({ host, port: parsed.port === 0 ? '*' : parsed.port });
  }
  return { addrs, warnings };
}
