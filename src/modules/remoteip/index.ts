// httpd: modules/metadata/mod_remoteip.c (remoteip_modify_request: post_read_request FIRST).
//
// RemoteIPHeader names a header (X-Forwarded-For) whose comma-separated list the proxies in
// front of the server appended to. Walking it from the right, each entry becomes the client
// (r.useragentIp, port 0) while the address it came from is a proxy the configuration
// trusts: any peer when no RemoteIP*Proxy* directive is given, else one of those listed.
// A trusted (not internal) proxy may not present a private address: the walk stops there.
// What was consumed leaves the header; the external proxies passed go to the
// `remoteip-proxy-ip-list` note and RemoteIPProxiesHeader. The peer (connection.remoteAddr,
// %{c}a) is untouched.

import { SocketAddress, isIP } from 'node:net';
import { OK, DECLINED } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { headerIn, setHeaderIn, unsetHeaderIn } from '../../request/tables.js';
import { ipBytes, inSubnets } from '../../util/ipsubnet.js';
import type { ModuleDef } from '../module.js';
import { remoteIpConfig } from './config.js';
import type { RemoteIpServerConf } from './config.js';

/** mod_remoteip. */
export const remoteIpModule: ModuleDef<RemoteIpServerConf, undefined> = {
  name: 'remoteip',
  ...remoteIpConfig,
  hooks: {
    postReadRequest: { run: (r) => remoteIpModifyRequest(r), order: 'first' },
  },
};

/**
 * The address as apr_sockaddr_ip_get prints it (an IPv4-mapped IPv6 one as IPv4, as
 * APR_IPV4_ADDR_OK maps it), or undefined if the text is no address. Host names are not
 * looked up (httpd would resolve them).
 */
function parseAddress(text: string): string | undefined {
  const family = isIP(text);
  if (family === 0) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text)?.[1];
  if (mapped !== undefined) return mapped;
  return new SocketAddress({ address: text, family: family === 6 ? 'ipv6' : 'ipv4' }).address;
}

/** RFC 3330 private IPv4 ranges, and IPv6 outside global unicast 2000::/3. */
function isPrivate(ip: string): boolean {
  const b = ipBytes(ip);
  if (b === undefined) return true;
  if (b.length === 4) {
    const [a = 0, c = 0] = b;
    return (
      a === 10 ||
      a === 127 ||
      (a === 169 && c === 254) ||
      (a === 172 && (c & 0xf0) === 16) ||
      (a === 192 && c === 168)
    );
  }
  return ((b[0] ?? 0) & 0xe0) !== 0x20;
}

/** remoteip_modify_request. */
export function remoteIpModifyRequest(r: RequestRecord): Outcome {
  const conf = r.serverConf(remoteIpModule);
  const name = conf.headerName;
  if (name === undefined) return DECLINED;
  const header = headerIn(r, name);
  if (header === undefined) return OK;
  const proxies = conf.proxies;
  // With a proxy list, a matching proxy starts out internal; without one, every proxy is
  // an external trusted one.
  let internal = proxies !== undefined;
  let remote: string | undefined = header;
  let current = r.useragentIp;
  let proxyIps: string | undefined;
  let changed = false;
  while (remote !== undefined) {
    if (proxies !== undefined) {
      const match = proxies.find((p) => inSubnets(current, [p.subnet]));
      if (match === undefined) break;
      // An internal proxy may present an external one, not the other way round.
      if (internal) internal = match.internal;
    }
    const comma: number = remote.lastIndexOf(',');
    const entry = (comma < 0 ? remote : remote.slice(comma + 1)).replace(/^ +| +$/g, '');
    const rest: string | undefined = comma < 0 ? undefined : remote.slice(0, comma);
    if (entry === '') break;
    const ip = parseAddress(entry);
    if (ip === undefined) {
      r.logError(
        'debug',
        'remoteip',
        'AH01568',
        `RemoteIP: Header ${name} value of ${entry} cannot be parsed as a client IP`,
      );
      break;
    }
    if (!internal && isPrivate(ip)) {
      r.logError(
        'debug',
        'remoteip',
        'AH01569',
        `RemoteIP: Header ${name} value of ${entry} appears to be a private IP or nonsensical.  Ignored`,
      );
      break;
    }
    if (!internal) proxyIps = proxyIps === undefined ? current : `${proxyIps}, ${current}`;
    current = ip;
    changed = true;
    remote = rest;
  }
  if (!changed) return OK;
  if (remote !== undefined) setHeaderIn(r, name, remote);
  else unsetHeaderIn(r, name);
  if (proxyIps !== undefined) {
    r.notes.set('remoteip-proxy-ip-list', proxyIps);
    if (conf.proxiesHeaderName !== undefined) setHeaderIn(r, conf.proxiesHeaderName, proxyIps);
  }
  r.useragentIp = current;
  // Port is not known so set it to zero; otherwise it can be misleading (mod_remoteip).
  r.useragentPort = 0;
  r.logError(
    'trace1',
    'remoteip',
    '',
    proxyIps !== undefined
      ? `Using ${current} as client's IP by proxies ${proxyIps}`
      : `Using ${current} as client's IP by internal proxies`,
  );
  return OK;
}
