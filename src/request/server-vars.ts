// httpd: the server variables mod_rewrite (lookup_variable) and ap_expr (request_var_fn,
//        conn_var_fn, misc_var_fn) both know, with the same values.
//
// Each of them adds its own (mod_rewrite: HTTP_* and SERVER_ADDR; ap_expr: HANDLER,
// REQUEST_STATUS, …) and answers API_VERSION and SCRIPT_USER its own way.

import { nameById } from '../util/etc-files.js';
import { coreServer } from '../core/view.js';
import { SERVER_BANNER } from '../http/banner.js';
import type { RequestRecord } from './record.js';
import { httpScheme } from './record.js';
import { serverNameOf, serverPortOf } from './server-name.js';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** TIME: YYYYMMDDhhmmss in local time. */
export function timeString(d: Date): string {
  return `${pad(d.getFullYear(), 4)}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

/** apr_uid_name_get / apr_gid_name_get: the name of `id` in /etc/passwd or /etc/group. */
export function accountName(user: boolean, id: number): string | undefined {
  return nameById(user ? '/etc/passwd' : '/etc/group', id);
}

/** The note a module that moves the document root per request leaves it in. */
export const DOCUMENT_ROOT_NOTE = 'document-root';

/** ap_document_root(r): the request's own document root (mod_vhost_alias), else DocumentRoot. */
export function documentRootOf(r: RequestRecord): string {
  return r.notes.get(DOCUMENT_ROOT_NOTE) ?? coreServer(r.server.server).documentRoot;
}

/** The value of a variable both know (name in upper case), or undefined for any other. */
export function commonVar(r: RequestRecord, name: string): string | undefined {
  switch (name) {
    case 'TIME':
      return timeString(new Date());
    case 'TIME_YEAR':
      return pad(new Date().getFullYear(), 4);
    case 'TIME_MON':
      return pad(new Date().getMonth() + 1);
    case 'TIME_DAY':
      return pad(new Date().getDate());
    case 'TIME_HOUR':
      return pad(new Date().getHours());
    case 'TIME_MIN':
      return pad(new Date().getMinutes());
    case 'TIME_SEC':
      return pad(new Date().getSeconds());
    case 'TIME_WDAY':
      return String(new Date().getDay());
    case 'SERVER_SOFTWARE':
      return SERVER_BANNER;
    case 'REQUEST_METHOD':
      return r.method;
    case 'REQUEST_SCHEME':
      return httpScheme(r.connection);
    case 'REQUEST_URI':
      return r.uri;
    case 'REQUEST_FILENAME':
    case 'SCRIPT_FILENAME':
      return r.filename ?? '';
    case 'REMOTE_HOST': // HostnameLookups Off: REMOTE_NAME falls back to the address
    case 'REMOTE_ADDR':
    case 'CONN_REMOTE_ADDR':
      return r.useragentIp;
    case 'REMOTE_PORT':
      return String(r.connection.remotePort);
    case 'REMOTE_IDENT':
      return '';
    case 'REMOTE_USER':
      return r.user ?? '';
    case 'AUTH_TYPE':
      return r.authType ?? '';
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
      return documentRootOf(r);
    case 'THE_REQUEST':
      return r.theRequest;
    case 'CONTEXT_PREFIX':
      return r.notes.get('context-prefix') ?? '';
    case 'CONTEXT_DOCUMENT_ROOT':
      return r.notes.get('context-document-root') ?? documentRootOf(r);
    case 'HTTPS':
      return r.connection.tls === undefined ? 'off' : 'on';
    case 'IPV6':
      return r.useragentIp.includes(':') && !r.useragentIp.startsWith('::ffff:') ? 'on' : 'off';
    default:
      return undefined;
  }
}
