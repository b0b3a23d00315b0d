// httpd: server/util_expr_eval.c (request_var_fn, conn_var_fn, misc_var_fn, req_table_func)
// — the RequestRecord side of ExprRequest.

import { readFileSync } from 'node:fs';
import type { RequestRecord } from '../request/record.js';
import { logIdOf } from '../request/record.js';
import { serverNameOf, serverPortOf } from '../request/server-name.js';
import { coreServer } from '../core/view.js';
import { SERVER_BANNER } from '../http/banner.js';
import type { ExprRequest } from './eval.js';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** apr_table_get: exact name first, then any case. */
function tableGet(m: ReadonlyMap<string, string>, name: string): string | undefined {
  const v = m.get(name);
  if (v !== undefined) return v;
  const lower = name.toLowerCase();
  for (const [k, x] of m) if (k.toLowerCase() === lower) return x;
  return undefined;
}

/** The first value of a request header (apr_table_get on headers_in). */
function headerIn(r: RequestRecord, name: string): string | undefined {
  const raw = r.headersIn.rawHeaders;
  const lower = name.toLowerCase();
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === lower) return raw[i + 1];
  return undefined;
}

function timeString(d: Date): string {
  return `${pad(d.getFullYear(), 4)}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** The name of `id` in an /etc/passwd-style file. */
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

const headerValue = (v: string | number | readonly string[] | undefined): string | undefined =>
  v === undefined ? undefined : typeof v === 'object' ? v[0] : String(v);

/**
 * LAST_MODIFIED: r->mtime, which the handler sets when it serves a file (ap_update_mtime,
 * the Last-Modified it sends); 0 (the epoch, in local time) before that or on error pages.
 */
export function lastModifiedVar(lastModified: string | undefined): string {
  const t = lastModified === undefined ? NaN : Date.parse(lastModified);
  return timeString(new Date(Number.isNaN(t) ? 0 : t));
}

/** request_var_fn / conn_var_fn / misc_var_fn (headers are read by eval.ts). */
function variable(r: RequestRecord, name: string): string {
  const now = new Date();
  switch (name) {
    case 'TIME_YEAR':
      return pad(now.getFullYear(), 4);
    case 'TIME_MON':
      return pad(now.getMonth() + 1);
    case 'TIME_DAY':
      return pad(now.getDate());
    case 'TIME_HOUR':
      return pad(now.getHours());
    case 'TIME_MIN':
      return pad(now.getMinutes());
    case 'TIME_SEC':
      return pad(now.getSeconds());
    case 'TIME_WDAY':
      return String(now.getDay());
    case 'TIME':
      return timeString(now);
    case 'SERVER_SOFTWARE':
      return SERVER_BANNER;
    case 'API_VERSION':
      return '20120211'; // MODULE_MAGIC_NUMBER_MAJOR of httpd 2.4
    case 'REQUEST_METHOD':
      return r.method;
    case 'REQUEST_SCHEME':
      return 'http';
    case 'REQUEST_URI':
      return r.uri;
    case 'REQUEST_FILENAME':
    case 'SCRIPT_FILENAME':
      return r.filename ?? '';
    case 'REMOTE_HOST':
    case 'REMOTE_ADDR':
    case 'CONN_REMOTE_ADDR':
      return r.connection.remoteAddr;
    case 'REMOTE_IDENT':
      return '';
    case 'REMOTE_USER':
      return r.user ?? '';
    case 'SERVER_ADMIN':
      return coreServer(r.server.server).serverAdmin;
    case 'SERVER_NAME':
      return serverNameOf(r);
    case 'SERVER_PORT':
      return String(serverPortOf(r));
    case 'SERVER_PROTOCOL':
      return r.protocol;
    case 'PATH_INFO':
      return r.pathInfo;
    case 'QUERY_STRING':
      return r.args;
    case 'IS_SUBREQ':
      return r.main !== undefined ? 'true' : 'false';
    case 'DOCUMENT_ROOT':
      return coreServer(r.server.server).documentRoot;
    case 'AUTH_TYPE':
      return r.authType ?? '';
    case 'THE_REQUEST':
      return r.theRequest;
    case 'CONTENT_TYPE':
      return r.contentType ?? '';
    case 'HANDLER':
      return r.handler ?? '';
    case 'REQUEST_LOG_ID':
      return logIdOf(r);
    case 'SCRIPT_USER':
    case 'SCRIPT_GROUP': {
      // apr_uid_name_get / apr_gid_name_get: the name from the passwd or group database.
      if (r.finfo === undefined) return '';
      const user = name === 'SCRIPT_USER';
      const id = user ? r.finfo.uid : r.finfo.gid;
      return nameOf(user ? '/etc/passwd' : '/etc/group', id) ?? '';
    }
    case 'DOCUMENT_URI':
      return tableGet(r.env, 'DOCUMENT_URI') ?? r.uri;
    case 'LAST_MODIFIED':
      return lastModifiedVar(headerValue(r.res.getHeader('last-modified')));
    case 'CONTEXT_PREFIX':
      return r.notes.get('context-prefix') ?? '';
    case 'CONTEXT_DOCUMENT_ROOT':
      return r.notes.get('context-document-root') ?? coreServer(r.server.server).documentRoot;
    case 'REQUEST_STATUS':
      return r.status ? String(r.status) : '';
    case 'REMOTE_PORT':
      return String(r.connection.remotePort);
    case 'HTTPS':
    case 'HTTP2':
      return 'off';
    case 'IPV6':
      return r.connection.remoteAddr.includes(':') && !r.connection.remoteAddr.startsWith('::ffff:')
        ? 'on'
        : 'off';
    case 'CONN_LOG_ID':
      return r.connection.log.id ?? '';
    default:
      return '';
  }
}

/** The ExprRequest view of a request. */
export function exprRequest(r: RequestRecord): ExprRequest {
  return {
    variable: (name) => variable(r, name),
    header: (name) => headerIn(r, name),
    respHeader: (name) => {
      const v = r.res.getHeader(name);
      // apr_table_get: the first of several fields.
      if (v !== undefined) return Array.isArray(v) ? (v[0] ?? '') : String(v);
      return tableGet(r.errHeadersOut, name);
    },
    note: (name) => tableGet(r.notes, name),
    env: (name) => tableGet(r.env, name),
    remoteIp: r.connection.remoteAddr,
  };
}
