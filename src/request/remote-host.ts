// httpd: server/core.c (ap_get_useragent_host / ap_get_remote_host with REMOTE_DOUBLE_REV),
//        modules/aaa/mod_authz_host.c and mod_access_compat.c (in_domain).
//
// The client's double-reverse host name: the name its address resolves to, which must
// resolve back to the address. Lookups happen off the request path's synchronous code
// (node's resolver), once per request record that asks.

import { promises as dns } from 'node:dns';
import type { RequestRecord } from './record.js';

/**
 * Per connection (keyed by the object its requests share, ConnectionInfo.log), as httpd
 * keeps the name in conn->remote_host: the lookup, and its answer once it is known. When
 * mod_remoteip made another address the client (r->useragent_ip), httpd looks that one up
 * per request (r->useragent_host): the key is then the request chain's first record.
 */
const lookups = new WeakMap<object, Promise<string | undefined>>();
const resolved = new WeakMap<object, string>();

async function doubleReverse(addr: string): Promise<string | undefined> {
  try {
    const { hostname } = await dns.lookupService(addr, 0);
    const back = await dns.lookup(hostname, { all: true });
    const plain = addr.replace(/^::ffff:(?=\d+\.)/, '');
    return back.some((a) => a.address === addr || a.address === plain) ? hostname : undefined;
  } catch {
    return undefined;
  }
}

/** The object a lookup for `r`'s client is cached under (see above). */
function keyOf(r: RequestRecord): object {
  if (r.useragentIp === r.connection.remoteAddr) return r.connection.log;
  let first = r;
  for (;;) {
    const up = first.prev ?? first.main;
    if (up === undefined) return first;
    first = up;
  }
}

/** REMOTE_DOUBLE_REV: the verified name of the client, or undefined. */
export function remoteHostDoubleRev(r: RequestRecord): Promise<string | undefined> {
  const key = keyOf(r);
  let p = lookups.get(key);
  if (p === undefined) {
    p = doubleReverse(r.useragentIp).then((name) => {
      if (name !== undefined) resolved.set(key, name);
      return name;
    });
    lookups.set(key, p);
  }
  return p;
}

/**
 * The client's name if a lookup on this connection found one (REMOTE_HOST in the CGI
 * environment: ap_get_useragent_host(REMOTE_HOST) answers from conn->remote_host).
 */
export function knownRemoteHost(r: RequestRecord): string | undefined {
  return resolved.get(keyOf(r));
}

/** in_domain: `domain` matches `host` on a whole label (`good.com` never `nogood.com`). */
export function inDomain(domain: string, host: string): boolean {
  const d = domain.toLowerCase();
  const h = host.toLowerCase();
  if (!h.endsWith(d)) return false;
  if (h.length === d.length) return true;
  return d.startsWith('.') || h[h.length - d.length - 1] === '.';
}

/** Does `name` resolve (forward) to the client's address? (apr_sockaddr_info_get) */
export async function resolvesToClient(
  r: RequestRecord,
  name: string,
): Promise<boolean | undefined> {
  try {
    const addrs = await dns.lookup(name, { all: true });
    const client = r.useragentIp.replace(/^::ffff:(?=\d+\.)/, '');
    return addrs.some((a) => a.address.replace(/^::ffff:(?=\d+\.)/, '') === client);
  } catch {
    return undefined;
  }
}
