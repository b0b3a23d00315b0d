// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_process_group, wsgi_application_group,
// wsgi_callable_object, wsgi_script_name, wsgi_find_path_info.
//
// Expansion of the %{GLOBAL} / %{RESOURCE} / %{SERVER} / %{HOST} / %{ENV:x} tokens in
// WSGIProcessGroup, WSGIApplicationGroup and WSGICallableObject (reference §3.6).
// Only a value that *starts* with '%' is a token; anything else is a literal name, and an
// unknown or unresolved token is returned as written (mod_wsgi does the same).

/** What expansion needs to know about the request. */
export interface ExpandRequest {
  /** ServerName of the matched server (r->server->server_hostname). */
  readonly serverHostname: string;
  /** ap_get_server_port(r) (SERVER_PORT). */
  readonly serverPort: number;
  /** Host the request named (r->hostname), '' if none. */
  readonly hostname: string;
  /** Decoded, normalised URI (r->uri) and the path_info split off it. */
  readonly uri: string;
  readonly pathInfo: string;
  readonly notes: ReadonlyMap<string, string>;
  readonly env: ReadonlyMap<string, string>;
  /** The front end's own environment (getenv). */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
}

/** `host` plus `:port` unless the port is 80 or 443 (DEFAULT_HTTP_PORT / _HTTPS_PORT). */
function withPort(host: string, port: number): string {
  return port === 80 || port === 443 ? host : `${host}:${String(port)}`;
}

/**
 * wsgi_find_path_info: where path_info starts in uri, matching from the end and letting
 * one '/' of path_info stand for a run of '/' in the uri; then forward to the next '/'.
 */
export function findPathInfoStart(uri: string, pathInfo: string): number {
  let lu = uri.length;
  let lp = pathInfo.length;
  // C: while (lu-- && lp-- && uri[lu] == path_info[lp]) — post-decrement in the test.
  for (;;) {
    if (lu-- === 0) break;
    if (lp-- === 0) break;
    if (uri.charAt(lu) !== pathInfo.charAt(lp)) break;
    if (pathInfo.charAt(lp) === '/') {
      while (lu > 0 && uri.charAt(lu - 1) === '/') lu--;
    }
  }
  if (lu === -1) lu = 0;
  while (lu < uri.length && uri.charAt(lu) !== '/') lu++;
  return lu;
}

/** Collapse runs of '/' (ap_no2slash), as mod_wsgi does for SCRIPT_NAME and PATH_INFO. */
export function collapseSlashes(s: string): string {
  return s.replace(/\/{2,}/g, '/');
}

/**
 * wsgi_script_name: the URI minus path_info, slashes collapsed, lower-cased. mod_wsgi 4.9
 * lower-cases unconditionally here (so %{RESOURCE} is case-insensitive); the Debian build
 * this project is compared against does exactly that.
 */
export function resourceScriptName(r: Pick<ExpandRequest, 'uri' | 'pathInfo'>): string {
  const sn = r.pathInfo === '' ? r.uri : r.uri.slice(0, findPathInfoStart(r.uri, r.pathInfo));
  return collapseSlashes(sn).toLowerCase();
}

/** %{ENV:NAME}: notes, then subprocess_env, then the process environment. */
function lookupEnv(r: ExpandRequest, name: string): string | undefined {
  return r.notes.get(name) ?? r.env.get(name) ?? r.processEnv[name];
}

function envName(token: string): string | undefined {
  return token.startsWith('%{ENV:') && token.endsWith('}') && token.length > 7
    ? token.slice(6, -1)
    : undefined;
}

type Kind = 'process' | 'application';

function expand(kind: Kind, r: ExpandRequest, s: string | undefined): string {
  if (s === undefined) {
    // Unset process group = embedded; unset application group = %{RESOURCE}.
    return kind === 'process' ? '' : expand(kind, r, '%{RESOURCE}');
  }
  if (!s.startsWith('%')) return s;
  switch (s) {
    case '%{GLOBAL}':
      return '';
    case '%{RESOURCE}':
      return `${withPort(r.serverHostname, r.serverPort)}|${resourceScriptName(r)}`;
    case '%{SERVER}':
      return withPort(r.serverHostname, r.serverPort);
    case '%{HOST}':
      // An empty/absent Host (HTTP/1.0) falls back to ServerName.
      return withPort(r.hostname === '' ? r.serverHostname : r.hostname, r.serverPort);
  }
  const name = envName(s);
  if (name !== undefined) {
    const value = lookupEnv(r, name);
    if (value !== undefined) {
      // A value that is itself a token (but not another %{ENV:…}) is expanded once more.
      if (value.startsWith('%') && !value.startsWith('%{ENV:')) return expand(kind, r, value);
      return value;
    }
  }
  return s;
}

/** wsgi_process_group: '' = embedded mode. */
export function expandProcessGroup(r: ExpandRequest, s: string | undefined): string {
  return expand('process', r, s);
}

/** wsgi_application_group: '' = the main interpreter; unset = %{RESOURCE}. */
export function expandApplicationGroup(r: ExpandRequest, s: string | undefined): string {
  return expand('application', r, s);
}

/**
 * wsgi_callable_object: a literal name, or %{ENV:x}; anything else starting with '%'
 * (or an unresolved %{ENV:x}) falls back to 'application'.
 */
export function expandCallableObject(r: ExpandRequest, s: string | undefined): string {
  if (s === undefined || s === '%') return 'application';
  if (!s.startsWith('%')) return s;
  const name = envName(s);
  return (name !== undefined ? lookupEnv(r, name) : undefined) ?? 'application';
}
