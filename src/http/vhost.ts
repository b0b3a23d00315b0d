// httpd: server/vhost.c (ap_update_vhost_given_ip, ap_update_vhost_from_headers,
// check_hostalias / matches_aliases).
//
// Two steps, as httpd: the listener's address:port picks the candidate <VirtualHost>s
// (IP-based), then the Host name picks one of them by ServerName/ServerAlias (name-based).
// The first candidate is the default for names nobody claims; no candidate → main server.

import type { ConfigIR, ListenIR, ServerIR } from '../config/ir.js';
import { coreServer } from '../core/view.js';
import { splitServerName } from '../request/server-name.js';
import { globToRegExp } from '../request/walk.js';

const WILD = new Set(['*', '_default_', '']);
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

/** Does a `<VirtualHost host:port>` address cover this listener/connection? */
function addressMatches(
  a: { host: string; port: number | '*' },
  listen: ListenIR,
  localAddr: string,
  localPort: number,
): boolean {
  const portOk = a.port === '*' || a.port === listen.port || a.port === localPort;
  if (!portOk) return false;
  const h = a.host.replace(/^\[|\]$/g, '').toLowerCase();
  if (WILD.has(h)) return true;
  const local = localAddr.replace(/^::ffff:/, '');
  return h === local || h === listen.host || (LOOPBACK.has(h) && LOOPBACK.has(local));
}

/** ServerName or a ServerAlias (wildcards allowed) names `hostname`. */
export function serverNamed(server: ServerIR, hostname: string): boolean {
  const core = coreServer(server.server);
  if (splitServerName(core.serverName).host?.toLowerCase() === hostname) return true;
  return core.serverAliases.some((a) => globToRegExp(a.toLowerCase()).test(hostname));
}

/** Pick the server (main or a vhost) for a request. */
export function selectServer(
  ir: ConfigIR,
  listen: ListenIR,
  localAddr: string,
  localPort: number,
  hostname: string,
): ServerIR {
  const candidates = ir.vhosts.filter((v) =>
    v.addresses.some((a) => addressMatches(a, listen, localAddr, localPort)),
  );
  const first = candidates[0];
  if (first === undefined) return ir.main;
  if (hostname === '') return first;
  return candidates.find((v) => serverNamed(v, hostname)) ?? first;
}
