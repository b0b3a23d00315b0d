// httpd: modules/mappers/mod_rewrite.c (lookup_variable, lookup_header).
//
// %{NAME} in a template: the server variables mod_rewrite knows, %{HTTP:header},
// %{ENV:var}, %{SSL:var} (empty: no TLS here) and the look-ahead forms %{LA-U:var} /
// %{LA-F:var}, whose sub-request engine.ts runs before the (synchronous) expansion. An
// unknown name expands to the empty string, as in httpd.

import { readFileSync } from 'node:fs';
import type { RequestRecord } from '../../request/record.js';
import { serverNameOf, serverPortOf } from '../../request/server-name.js';
import { coreServer } from '../../core/view.js';
import { SERVER_BANNER } from '../../http/banner.js';

/** What a variable lookup reads besides the request (rewrite_ctx). */
export interface VarCtx {
  r: RequestRecord;
  /** Header names a condition read (for Vary), reset per condition. */
  varyThis: string | undefined;
  /** Results of the look-ahead sub-requests, keyed by the variable's full name. */
  readonly lookahead: Map<string, string>;
}

/** apr_table_get(headers_in, name) for a Host-less Vary note (lookup_header). */
function lookupHeader(name: string, ctx: VarCtx): string | undefined {
  const raw = ctx.r.headersIn.rawHeaders;
  const lower = name.toLowerCase();
  let val: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === lower) {
      val = raw[i + 1];
      break;
    }
  // RFC 7231 7.1.4: never `Vary: Host`.
  if (val !== undefined && lower !== 'host')
    ctx.varyThis = ctx.varyThis === undefined ? name : `${ctx.varyThis}, ${name}`;
  return val;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** apr_table_get(env/notes): exact name first, then any case (tables are case-blind). */
function tableGet(m: ReadonlyMap<string, string>, name: string): string | undefined {
  const v = m.get(name);
  if (v !== undefined) return v;
  const lower = name.toLowerCase();
  for (const [k, x] of m) if (k.toLowerCase() === lower) return x;
  return undefined;
}

/** lookup_variable. */
export function lookupVariable(var0: string, ctx: VarCtx): string {
  const r = ctx.r;
  if (var0.length < 4) return '';
  if (var0[3] === ':') {
    const head = var0.slice(0, 3).toUpperCase();
    const rest = var0.slice(4);
    if (rest !== '' && head === 'ENV')
      return tableGet(r.notes, rest) ?? tableGet(r.env, rest) ?? process.env[rest] ?? '';
    return ''; // SSL:… — no mod_ssl: empty, as ap_ssl_var_lookup without TLS
  }
  if (var0[4] === ':') {
    const head = var0.slice(0, 4).toUpperCase();
    const rest = var0.slice(5);
    if (rest === '') return '';
    if (head === 'HTTP') return lookupHeader(rest, ctx) ?? '';
    if (head === 'LA-U' || head === 'LA-F') return ctx.lookahead.get(var0) ?? '';
    return '';
  }
  const v = var0.toUpperCase();
  const now = new Date();
  switch (v) {
    case 'TIME':
      return `${pad(now.getFullYear(), 4)}${pad(now.getMonth() + 1)}${pad(now.getDate())}${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
    case 'IPV6':
      return r.connection.remoteAddr.includes(':') && !r.connection.remoteAddr.startsWith('::ffff:')
        ? 'on'
        : 'off';
    case 'HTTPS':
      return 'off';
    case 'TIME_DAY':
      return pad(now.getDate());
    case 'TIME_SEC':
      return pad(now.getSeconds());
    case 'TIME_MIN':
      return pad(now.getMinutes());
    case 'TIME_MON':
      return pad(now.getMonth() + 1);
    case 'TIME_WDAY':
      return String(now.getDay());
    case 'TIME_YEAR':
      return pad(now.getFullYear(), 4);
    case 'TIME_HOUR':
      return pad(now.getHours());
    case 'IS_SUBREQ':
      return r.main !== undefined ? 'true' : 'false';
    case 'PATH_INFO':
      return r.pathInfo;
    case 'AUTH_TYPE':
      return r.authType ?? '';
    case 'HTTP_HOST':
      return lookupHeader('Host', ctx) ?? '';
    case 'SERVER_NAME':
      return serverNameOf(r);
    case 'REMOTE_ADDR':
      return r.connection.remoteAddr;
    case 'SERVER_ADDR':
      return r.connection.localAddr;
    case 'HTTP_ACCEPT':
      return lookupHeader('Accept', ctx) ?? '';
    case 'THE_REQUEST':
      return r.theRequest;
    case 'API_VERSION':
      return '20120211:142'; // MODULE_MAGIC_NUMBER_MAJOR:MINOR of the httpd 2.4 it is checked against
    case 'HTTP_COOKIE':
      return lookupHeader('Cookie', ctx) ?? '';
    case 'SERVER_PORT':
      return String(serverPortOf(r));
    case 'REMOTE_HOST':
      return r.connection.remoteAddr; // HostnameLookups Off: REMOTE_NAME falls back to the IP
    case 'REMOTE_PORT':
      return String(r.connection.remotePort);
    case 'REMOTE_USER':
      return r.user ?? '';
    case 'SCRIPT_USER':
    case 'SCRIPT_GROUP':
      return ownerOf(r, v === 'SCRIPT_USER');
    case 'REQUEST_URI':
      return r.uri;
    case 'REMOTE_IDENT':
      return '';
    case 'HTTP_REFERER':
      return lookupHeader('Referer', ctx) ?? '';
    case 'QUERY_STRING':
      return r.args;
    case 'SERVER_ADMIN':
      return coreServer(r.server.server).serverAdmin;
    case 'DOCUMENT_ROOT':
      return coreServer(r.server.server).documentRoot;
    case 'HTTP_FORWARDED':
      return lookupHeader('Forwarded', ctx) ?? '';
    case 'CONTEXT_PREFIX':
      return r.notes.get('context-prefix') ?? '';
    case 'REQUEST_METHOD':
      return r.method;
    case 'REQUEST_SCHEME':
      return 'http';
    case 'HTTP_USER_AGENT':
      return lookupHeader('User-Agent', ctx) ?? '';
    case 'SCRIPT_FILENAME':
    case 'REQUEST_FILENAME':
      return r.filename ?? '';
    case 'SERVER_PROTOCOL':
      return r.protocol;
    case 'SERVER_SOFTWARE':
      return SERVER_BANNER;
    case 'CONN_REMOTE_ADDR':
      return r.connection.remoteAddr;
    case 'HTTP_PROXY_CONNECTION':
      return lookupHeader('Proxy-Connection', ctx) ?? '';
    case 'CONTEXT_DOCUMENT_ROOT':
      return r.notes.get('context-document-root') ?? coreServer(r.server.server).documentRoot;
    default:
      return '';
  }
}

/**
 * SCRIPT_USER / SCRIPT_GROUP: the owner of the file after the directory walk, by name
 * (apr_uid_name_get reads the passwd/group database; here /etc/passwd and /etc/group),
 * "<unknown>" before the walk (server context) or for a file that is not there.
 */
function ownerOf(r: RequestRecord, user: boolean): string {
  const st = r.finfo;
  if (st === undefined) return '<unknown>';
  const id = user ? st.uid : st.gid;
  return nameOf(user ? '/etc/passwd' : '/etc/group', id) ?? String(id);
}

function nameOf(db: string, id: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(db, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[2] === String(id)) return f[0];
  }
  return undefined;
}
