// httpd: modules/mappers/mod_rewrite.c (is_absolute_uri, splitout_queryargs, reduce_uri,
// fully_qualify_uri, subst_prefix_path).

import type { RequestRecord } from '../../request/record.js';
import { serverNameOf, serverPortOf, splitServerName } from '../../request/server-name.js';
import { coreServer } from '../../core/view.js';
import { RF } from './flags.js';

const SCHEMES: readonly [string, number, boolean][] = [
  ['ajp://', 6, true],
  ['balancer://', 11, true],
  ['ftp://', 6, false],
  ['fcgi://', 7, true],
  ['gopher://', 9, false],
  ['http://', 7, true],
  ['https://', 8, true],
  ['h2://', 5, true],
  ['h2c://', 6, true],
  ['ldap://', 7, false],
  ['mailto:', 7, true],
  ['news:', 5, false],
  ['nntp://', 7, false],
  ['scgi://', 7, true],
  ['ws://', 5, true],
  ['wss://', 6, true],
];

/**
 * is_absolute_uri: the length of the scheme part (with `://`) if `uri` starts with a
 * scheme mod_rewrite knows, else 0; and whether that scheme takes a query string.
 */
export function absoluteUri(uri: string): { len: number; qs: boolean } {
  if (uri.startsWith('/') || uri.length <= 5) return { len: 0, qs: false };
  const lower = uri.slice(0, 11).toLowerCase();
  for (const [p, len, qs] of SCHEMES) if (lower.startsWith(p)) return { len, qs };
  if (lower.startsWith('unix:')) return { len: uri[5] === '/' && uri[6] === '/' ? 7 : 5, qs: true };
  return { len: 0, qs: false };
}

/** splitout_queryargs: move a `?query` out of r.filename into r.args, as the flags say. */
export function splitoutQueryArgs(
  r: RequestRecord,
  flags: number,
  log: (lvl: number, msg: string) => void,
): void {
  if ((flags & RF.QSNONE) !== 0) {
    log(2, 'discarding query string, no parse from substitution');
    r.args = '';
    return;
  }
  const fn = r.filename ?? '';
  const abs = absoluteUri(fn);
  if (abs.len > 0 && !abs.qs) {
    r.args = '';
    return;
  }
  if ((flags & RF.QSDISCARD) !== 0) {
    r.args = '';
    log(2, 'discarding query string');
  }
  const q = (flags & RF.QSLAST) !== 0 ? fn.lastIndexOf('?') : fn.indexOf('?', abs.len);
  if (q < 0 || q < abs.len) return;
  const rest = fn.slice(q + 1);
  r.filename = fn.slice(0, q);
  let args = (flags & RF.QSAPPEND) !== 0 ? (rest !== '' ? `${rest}&${r.args}` : r.args) : rest;
  if (args.endsWith('&')) args = args.slice(0, -1);
  r.args = args;
  log(3, `split uri=${fn} -> uri=${r.filename}, args=${args === '' ? '<none>' : args}`);
}

/**
 * reduce_uri: `http://<this host>[:port]/path` → `/path` when it names this server.
 * Returns true if it reduced.
 */
export function reduceUri(r: RequestRecord, log: (lvl: number, msg: string) => void): boolean {
  const fn = r.filename ?? '';
  if (fn.length <= 7 || fn.slice(0, 7).toLowerCase() !== 'http://') return false;
  const rest = fn.slice(7);
  const m = /^([^/:]*)(?::([^/]*))?(\/.*)?$/s.exec(rest);
  if (m === null) return false;
  const host = m[1] ?? '';
  const port = m[2] !== undefined ? Number.parseInt(m[2], 10) || 0 : 80;
  const url = m[3] ?? '/';
  if (!matchesRequestVhost(r, host, port)) return false;
  log(3, `reduce ${fn} -> ${url}`);
  r.filename = url;
  return true;
}

/**
 * ap_matches_request_vhost: one of the server's <VirtualHost> addresses (port and address
 * as written), or else the server's own port (ServerName's, 0 when it names none) and one
 * of its names (ServerName, ServerAlias).
 */
function matchesRequestVhost(r: RequestRecord, host: string, port: number): boolean {
  const h = host.toLowerCase();
  for (const a of r.server.addresses)
    if ((a.port === '*' || a.port === port) && a.host.toLowerCase() === h) return true;
  const core = coreServer(r.server.server);
  const name = splitServerName(core.serverName);
  if (port !== (name.port ?? 0)) return false;
  return [name.host ?? '', ...core.serverAliases].some((n) => n.toLowerCase() === h);
}

/** fully_qualify_uri: prefix `http://server[:port]` unless already absolute. */
export function fullyQualify(r: RequestRecord): void {
  if (r.method === 'CONNECT') return;
  const fn = r.filename ?? '';
  if (absoluteUri(fn).len > 0) return;
  const port = serverPortOf(r);
  r.filename = `http://${serverNameOf(r)}${port === 80 ? '' : `:${String(port)}`}${fn.startsWith('/') ? '' : '/'}${fn}`;
}

/** subst_prefix_path: `match` + `/rest` → `subst` + `/rest`; unchanged when it does not match. */
export function substPrefixPath(input: string, match: string, subst: string): string {
  let len = match.length;
  if (len > 0 && match.endsWith('/')) --len;
  if (input.startsWith(match.slice(0, len)) && input[len] === '/') {
    const s = subst.length > 0 && !subst.endsWith('/') ? subst + '/' : subst;
    return s + input.slice(len + 1);
  }
  return input;
}
