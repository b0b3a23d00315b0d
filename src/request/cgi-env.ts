// httpd: server/util_script.c (ap_add_common_vars, ap_add_cgi_vars, http2env,
// original_uri), server/core.c (ap_get_server_name_for_url, ap_context_*).
//
// The CGI environment a request would give a script: r.env (SetEnv, REDIRECT_*), the
// HTTP_* headers, the common server/client variables, then the CGI/1.1 ones. mod_wsgi
// builds its environ from exactly this table (wsgi/environ.ts).

import type { RequestRecord } from './record.js';
import { httpScheme } from './record.js';
import { lookupUri } from './subrequest.js';
import { knownRemoteHost } from './remote-host.js';
import { coreDir, coreServer } from '../core/view.js';
import { serverNameOf, serverPortOf } from './server-name.js';
import { SERVER_BANNER } from '../http/banner.js';
import { documentRootOf } from './server-vars.js';
import { escapeHtml, signatureFor } from '../http/die.js';

/** http2env: the header name as a CGI variable, or undefined if it has other than [A-Za-z0-9-]. */
export function headerToEnv(name: string): string | undefined {
  if (!/^[A-Za-z0-9-]+$/.test(name)) return undefined;
  return 'HTTP_' + name.toUpperCase().replace(/-/g, '_');
}

/** Options of ap_add_common_vars that the caller decides. */
export interface CommonVarsOptions {
  /** Pass Authorization / Proxy-Authorization through (CGIPassAuth / WSGIPassAuthorization). */
  readonly passAuthorization?: boolean;
  /**
   * PATH_TRANSLATED as a sub-request for PATH_INFO mapped it (pathTranslatedOf); without
   * it, DocumentRoot + PATH_INFO.
   */
  readonly pathTranslated?: string | undefined;
}

/** Default PATH when the server's environment has none (DEFAULT_PATH). */
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

/** SERVER_SIGNATURE for the last (setting, name, port, admin): the same for every request. */
let signatureKey = '';
let signatureText = '';
function serverSignature(
  setting: 'off' | 'on' | 'email',
  name: string,
  port: number,
  admin: string,
): string {
  const key = `${setting}\0${name}\0${String(port)}\0${admin}`;
  if (key !== signatureKey) {
    signatureText = signatureFor(setting, name, port, admin).replace(/^<hr>\n/, '');
    signatureKey = key;
  }
  return signatureText;
}

/** ap_add_common_vars: headers, server/client identity, document root. Insertion-ordered. */
export function commonVars(r: RequestRecord, opts: CommonVarsOptions = {}): Map<string, string> {
  // new Map(iterable) costs a call per entry even when there are none.
  const env = r.env.size === 0 ? new Map<string, string>() : new Map<string, string>(r.env);
  const raw = r.headersIn.rawHeaders;
  const seen = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const value = raw[i + 1] ?? '';
    const lower = name.toLowerCase();
    let key: string | undefined;
    if (lower === 'content-type') key = 'CONTENT_TYPE';
    else if (lower === 'content-length') key = 'CONTENT_LENGTH';
    else if (
      (lower === 'authorization' || lower === 'proxy-authorization') &&
      (opts.passAuthorization ?? coreDir(r.perDir).cgiPassAuth) !== true
    )
      key = undefined;
    else if (lower === 'proxy')
      key = undefined; // httpoxy: never HTTP_PROXY
    else key = headerToEnv(name);
    if (key === undefined) continue;
    // apr_table_merge: repeated headers become one value joined with ", ".
    const prev = env.get(key);
    env.set(key, seen.has(key) && prev !== undefined ? `${prev}, ${value}` : value);
    seen.add(key);
  }
  const core = coreServer(r.server.server);
  const dir = coreDir(r.perDir);
  const name = serverNameOf(r);
  const port = serverPortOf(r);
  env.set('PATH', process.env['PATH'] ?? DEFAULT_PATH);
  env.set('SERVER_SIGNATURE', serverSignature(dir.serverSignature, name, port, core.serverAdmin));
  env.set('SERVER_SOFTWARE', SERVER_BANNER);
  env.set('SERVER_NAME', escapeHtml(name));
  env.set('SERVER_ADDR', r.connection.localAddr);
  env.set('SERVER_PORT', String(port));
  // HostnameLookups Off: a name only when a host-based access check looked it up.
  const host = knownRemoteHost(r);
  if (host !== undefined) env.set('REMOTE_HOST', host);
  env.set('REMOTE_ADDR', r.useragentIp);
  env.set('DOCUMENT_ROOT', documentRootOf(r));
  env.set('REQUEST_SCHEME', httpScheme(r.connection));
  env.set('CONTEXT_PREFIX', r.notes.get('context-prefix') ?? '');
  env.set('CONTEXT_DOCUMENT_ROOT', r.notes.get('context-document-root') ?? documentRootOf(r));
  env.set('SERVER_ADMIN', core.serverAdmin);
  if (r.filename !== undefined) env.set('SCRIPT_FILENAME', r.filename);
  env.set('REMOTE_PORT', String(r.connection.remotePort)); // c->client_addr's port
  if (r.user !== undefined) env.set('REMOTE_USER', r.user);
  if (r.authType !== undefined) env.set('AUTH_TYPE', r.authType);
  return env;
}

/** original_uri: the request-target of the first request of a redirect chain. */
function originalUri(r: RequestRecord): string {
  let o = r;
  while (o.prev !== undefined) o = o.prev;
  return o.unparsedUri;
}

/** ap_add_cgi_vars: GATEWAY_INTERFACE … SCRIPT_NAME / PATH_INFO / PATH_TRANSLATED. */
export function cgiVars(r: RequestRecord): Map<string, string> {
  return addCgiVars(new Map<string, string>(), r);
}

/** ap_add_cgi_vars into `env` (set in place: an existing key keeps its position). */
function addCgiVars(
  env: Map<string, string>,
  r: RequestRecord,
  pathTranslated?: string,
): Map<string, string> {
  env.set('GATEWAY_INTERFACE', 'CGI/1.1');
  env.set('SERVER_PROTOCOL', r.protocol);
  env.set('REQUEST_METHOD', r.method);
  env.set('QUERY_STRING', r.args);
  // CGIVar REQUEST_URI current-uri: r->uri as it is now (decoded, no query string).
  env.set(
    'REQUEST_URI',
    coreDir(r.perDir).cgiVarRequestUri === 'current-uri' ? r.uri : originalUri(r),
  );
  const pi = r.pathInfo;
  if (pi !== '' && r.uri.endsWith(pi)) {
    env.set('SCRIPT_NAME', r.uri.slice(0, r.uri.length - pi.length));
    env.set('PATH_INFO', pi);
    env.set('PATH_TRANSLATED', pathTranslated ?? coreServer(r.server.server).documentRoot + pi);
  } else {
    env.set('SCRIPT_NAME', r.uri);
    if (pi !== '') env.set('PATH_INFO', pi);
  }
  return env;
}

/** Common + CGI variables, as a CGI script (or mod_wsgi) would see them. */
export function cgiEnvironment(
  r: RequestRecord,
  opts: CommonVarsOptions = {},
): Map<string, string> {
  return addCgiVars(commonVars(r, opts), r, opts.pathTranslated);
}

/**
 * ap_add_cgi_vars' PATH_TRANSLATED: what a sub-request for PATH_INFO maps to (its filename
 * plus its own path info), so aliases and WSGIScriptAlias apply as in httpd. Undefined when
 * there is no PATH_INFO or the sub-request maps to no file.
 */
export async function pathTranslatedOf(r: RequestRecord): Promise<string | undefined> {
  const pi = r.pathInfo;
  if (pi === '' || !r.uri.endsWith(pi)) return undefined;
  const { rr } = await lookupUri(r, pi);
  return rr.filename === undefined ? undefined : rr.filename + rr.pathInfo;
}
