// httpd: server/core.c (ap_get_server_name, ap_get_server_port, UseCanonicalName).
//
// UseCanonicalName DNS names the server by a reverse lookup of the connection's local
// address (apr_getnameinfo with NI_NAMEREQD, lower-cased; ServerName when it fails). httpd
// blocks on that lookup once per connection; here getnameinfo runs off the event loop
// (dns.lookupService) and its answer is cached per generation and address.
// primeCanonicalName(r) awaits it; serverNameOf() never waits: before the first answer
// for an address arrives it starts the lookup and answers ServerName (docs/request-phases.md).

import { promises as dns } from 'node:dns';
import type { GenerationView, RequestRecord } from './record.js';
import { httpScheme } from './record.js';
import { coreDir, coreServer } from '../core/view.js';

/** Reverse lookup of a local address: the host name, or a rejection when there is none. */
export type ReverseLookup = (addr: string, port: number) => Promise<string>;

const byLookupService: ReverseLookup = async (addr, port) =>
  (await dns.lookupService(addr, port)).hostname;

/** Per generation: local address → its lower-cased name, null when the lookup failed. */
const names = new WeakMap<GenerationView, Map<string, string | null | Promise<void>>>();

/** apr_getnameinfo drops an IPv4-mapped IPv6 address to IPv4 before asking. */
const plainAddr = (a: string): string => a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

/**
 * Resolve (once per generation and local address) the name UseCanonicalName DNS gives the
 * server; later serverNameOf() calls for that address answer it without waiting.
 */
export function primeCanonicalName(
  r: RequestRecord,
  lookup: ReverseLookup = byLookupService,
): Promise<void> {
  let map = names.get(r.generation);
  if (map === undefined)
    names.set(r.generation, (map = new Map<string, string | null | Promise<void>>()));
  const addr = plainAddr(r.connection.localAddr);
  const known = map.get(addr);
  if (known instanceof Promise) return known;
  if (known !== undefined) return Promise.resolve();
  const cache = map;
  const p = lookup(addr, r.connection.localPort).then(
    (name) => void cache.set(addr, name === '' ? null : name.toLowerCase()),
    () => void cache.set(addr, null),
  );
  cache.set(addr, p);
  return p;
}

/** The cached DNS name of the local address: a name, null (failed), undefined (not yet). */
function canonicalDnsName(r: RequestRecord): string | null | undefined {
  const v = names.get(r.generation)?.get(plainAddr(r.connection.localAddr));
  if (v instanceof Promise) return undefined;
  if (v === undefined) void primeCanonicalName(r);
  return v;
}

/** ServerName's host part and port (`www.example.com:8080`). */
export function splitServerName(name: string | undefined): {
  host: string | undefined;
  port: number | undefined;
} {
  if (name === undefined) return { host: undefined, port: undefined };
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(name.replace(/^[a-z]+:\/\//i, ''));
  return { host: m?.[1] ?? name, port: m?.[2] === undefined ? undefined : Number(m[2]) };
}

/** Port given in the Host header, if any. */
function hostHeaderPort(r: RequestRecord): number | undefined {
  const h = r.headersIn.headers.host;
  if (h === undefined) return undefined;
  const m = /:(\d+)$/.exec(h.trim());
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * ap_get_server_name: with UseCanonicalName Off, the Host the client asked for; with DNS,
 * the reverse-DNS name of the local address (see primeCanonicalName); else ServerName.
 */
export function serverNameOf(r: RequestRecord): string {
  const canon = coreDir(r.perDir).useCanonicalName;
  const configured = splitServerName(coreServer(r.server.server).serverName).host;
  if (canon === 'off' && r.hostname !== '') return r.hostname;
  if (canon === 'dns') {
    const dnsName = canonicalDnsName(r);
    if (typeof dnsName === 'string') return dnsName;
  }
  return configured ?? r.connection.localAddr;
}

/**
 * ap_get_server_port: Off/DNS → Host's port, else ServerName's, else 80; On → ServerName's
 * port, else 80 (ap_default_port), never the port the connection came in on — that takes
 * UseCanonicalPhysicalPort On, which is not implemented.
 */
export function serverPortOf(r: RequestRecord): number {
  const canon = coreDir(r.perDir).useCanonicalName;
  const configured = splitServerName(coreServer(r.server.server).serverName).port;
  // ap_default_port: 443 on a TLS connection (mod_ssl's default_port hook).
  const dflt = r.connection.tls === undefined ? 80 : 443;
  if (canon === 'off' || canon === 'dns') return hostHeaderPort(r) ?? configured ?? dflt;
  return configured ?? dflt;
}

/** ap_construct_url for this request: scheme://name[:port]/path (no port if the scheme's default). */
export function constructUrl(r: RequestRecord, path: string): string {
  const port = serverPortOf(r);
  const name = serverNameOf(r);
  const scheme = httpScheme(r.connection);
  const dflt = scheme === 'https' ? 443 : 80;
  return `${scheme}://${name}${port === dflt ? '' : `:${port}`}${path}`;
}
