// httpd: server/util_expr_eval.c (request_var_fn, conn_var_fn, misc_var_fn, req_table_func)
// — the RequestRecord side of ExprRequest.

import type { RequestRecord } from '../request/record.js';
import { logIdOf, sslVarLookup } from '../request/record.js';
import { accountName, commonVar, timeString } from '../request/server-vars.js';
import { headerIn, tableGet } from '../request/tables.js';
import type { ExprRequest } from './eval.js';

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
  const common = commonVar(r, name);
  if (common !== undefined) return common;
  if (name.startsWith('SSL_')) return sslVarLookup(r.connection, name);
  switch (name) {
    case 'API_VERSION':
      return '20120211'; // MODULE_MAGIC_NUMBER_MAJOR of httpd 2.4
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
      return accountName(user, user ? r.finfo.uid : r.finfo.gid) ?? '';
    }
    case 'DOCUMENT_URI':
      return tableGet(r.env, 'DOCUMENT_URI') ?? r.uri;
    case 'LAST_MODIFIED':
      return lastModifiedVar(headerValue(r.res.getHeader('last-modified')));
    case 'REQUEST_STATUS':
      return r.status ? String(r.status) : '';
    case 'HTTP2':
      return 'off';
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
    remoteIp: r.useragentIp,
  };
}
