// httpd: modules/http/http_request.c (ap_internal_redirect, internal_internal_redirect,
// rename_original_env), server/request.c (ap_sub_req_lookup_uri, ap_sub_req_method_uri).
//
// Both build a new request from an existing one and re-enter processRequest; nothing
// here sequences phases itself.

import { dropOutputFilters } from './output-filter.js';
import { Request } from './record.js';
import type { RequestRecord } from './record.js';
import type { Outcome } from './hooks.js';
import { processRequest } from './pipeline.js';
import { coreServer } from '../core/view.js';
import { osEscapePath } from '../util/escape-path.js';
import { takeOutputFilters } from './output-filter.js';

/** Default most internal redirects in a chain (AP_DEFAULT_MAX_INTERNAL_REDIRECTS). */
export const MAX_REDIRECTS = 10;

/**
 * ap_is_recursion_limit_exceeded: walk r's chain up, counting internal redirects (prev) and
 * sub-request levels (main); past either limit, log AH00124 / AH00125 and return true.
 * Without it a DirectoryIndex naming a directory looked itself up until memory ran out.
 */
export function recursionLimitExceeded(r: RequestRecord): boolean {
  const core = coreServer(r.server.server);
  const rlimit = core.redirectLimit;
  const slimit = core.subrequestLimit;
  let redirects = 0;
  let subreqs = 0;
  for (let top: RequestRecord = r; top.prev !== undefined || top.main !== undefined;) {
    if (top.prev !== undefined) {
      if (++redirects >= rlimit) {
        r.logError(
          'error',
          'core',
          'AH00124',
          `Request exceeded the limit of ${rlimit} internal redirects due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.`,
        );
        return true;
      }
      top = top.prev;
    }
    if (top.prev === undefined && top.main !== undefined) {
      if (++subreqs >= slimit) {
        r.logError(
          'error',
          'core',
          'AH00125',
          `Request exceeded the limit of ${slimit} subrequest nesting levels due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.`,
        );
        return true;
      }
      top = top.main;
    }
  }
  return false;
}

/**
 * ap_internal_redirect: run `target` (a local URL, may carry `?query`) as a new request
 * linked through `prev`, with every env variable renamed REDIRECT_* plus REDIRECT_URL /
 * REDIRECT_STATUS / REDIRECT_QUERY_STRING. The new request keeps the old one's status
 * (an ErrorDocument answers with the error's status).
 */
export async function internalRedirect(
  r: RequestRecord,
  target: string,
  method?: string,
  /** ap_internal_redirect_handler: the content type the new request starts with. */
  contentType?: string,
): Promise<Outcome> {
  if (recursionLimitExceeded(r)) return 500;
  // The new request builds its own output filters (insert_filter runs again for it).
  dropOutputFilters(r.res);
  const next = new Request({
    req: r.headersIn,
    res: r.res,
    generation: r.generation,
    server: r.server,
    connection: r.connection,
    target,
    method: method ?? r.method,
    prev: r,
    perDir: r.generation.runtime.dirDefaults(r.server),
    status: r.status,
    bytesSent: () => r.bytesSent,
  });
  for (const [k, v] of r.env) next.env.set(`REDIRECT_${k}`, v);
  next.env.set('REDIRECT_URL', r.uri);
  if (r.args !== '') next.env.set('REDIRECT_QUERY_STRING', r.args);
  next.env.set('REDIRECT_STATUS', String(r.status));
  // A type map's validator and no-cache verdict reach the variant's response.
  next.vlistValidator = r.vlistValidator;
  next.noCache = r.noCache;
  if (contentType !== undefined) next.contentType = contentType;
  r.next = next;
  return processRequest(next);
}

/**
 * The request-target for a sub-request URI: each path segment %-escaped. Without `args`, a
 * `?` in `uri` starts the query (`DirectoryIndex x?y=1`); with `args`, `uri` is all path
 * (a file name may hold a `?`) and `args` the query, as written ('' = none).
 */
function escapeTarget(uri: string, args?: string): string {
  const q = args === undefined ? uri.indexOf('?') : -1;
  const path = q < 0 ? uri : uri.slice(0, q);
  const query = args ?? (q < 0 ? undefined : uri.slice(q + 1));
  const escaped = path
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
  return query === undefined || (args !== undefined && query === '')
    ? escaped
    : `${escaped}?${query}`;
}

/**
 * ap_sub_req_lookup_uri: what would `uri` (relative to r's directory if not absolute) map
 * to? Runs steps 1–14 without a handler; the caller reads `status`, `filename`, `finfo`.
 * `args`, if given, is the query and `uri` a path only (see escapeTarget).
 */
export async function lookupUri(
  r: RequestRecord,
  uri: string,
  args?: string,
): Promise<{ rr: RequestRecord; status: Outcome }> {
  const base = r.uri.endsWith('/') ? r.uri : r.uri.slice(0, r.uri.lastIndexOf('/') + 1);
  const abs = uri.startsWith('/') ? uri : base + uri;
  return runSubrequest(r, escapeTarget(abs, args));
}

/**
 * ap_sub_req_lookup_dirent / ap_sub_req_lookup_file: a sub-request for the file `filename`
 * (no translation: the file is already known), with `uri` as its r->uri and `pathInfo`
 * carried along (AP_SUBREQ_MERGE_ARGS); `args` is the query ('' = none).
 */
export async function lookupFile(
  r: RequestRecord,
  file: { filename: string; uri: string; pathInfo: string; args: string },
): Promise<{ rr: RequestRecord; status: Outcome }> {
  return runSubrequest(r, escapeTarget(file.uri, file.args), file);
}

/**
 * ap_sub_req_lookup_dirent (AP_SUBREQ_NO_ARGS), as mod_autoindex asks it: the entry `name`
 * of r's directory, its uri escaped as ap_escape_uri does (bytes as the file system holds
 * them); `isDir` appends the `/` httpd adds to both uri and file name.
 */
export async function lookupDirent(
  r: RequestRecord,
  name: string,
  isDir: boolean,
): Promise<{ rr: RequestRecord; status: Outcome }> {
  const udir = r.uri.slice(0, r.uri.lastIndexOf('/') + 1);
  const fdir = (r.filename ?? '').slice(0, (r.filename ?? '').lastIndexOf('/') + 1);
  const slash = isDir ? '/' : '';
  const target = osEscapePath(Buffer.from(udir + name, 'utf8').toString('latin1'), true) + slash;
  return runSubrequest(r, target, { filename: fdir + name + slash, pathInfo: '' });
}

/**
 * Make and run a sub-request for `target` (steps 1–14, no handler): a GET, as
 * ap_set_sub_req_protocol makes every sub-request. With `file`, a file sub-request
 * (request.c's file_req: r->filename already set, so translate_name and the first location
 * walks do not run). Past the nesting limit it is a 500, not run (ap_sub_req_method_uri).
 */
async function runSubrequest(
  r: RequestRecord,
  target: string,
  file?: { readonly filename: string; readonly pathInfo: string },
): Promise<{ rr: RequestRecord; status: Outcome }> {
  const rr = new Request({
    req: r.headersIn,
    res: r.res,
    generation: r.generation,
    server: r.server,
    connection: r.connection,
    target,
    method: 'GET',
    main: r,
    perDir: r.generation.runtime.dirDefaults(r.server),
  });
  if (file !== undefined) {
    rr.filename = file.filename;
    rr.pathInfo = file.pathInfo;
  }
  const status = recursionLimitExceeded(r) ? 500 : await processRequest(rr, true);
  if (status !== 0 && status > 0) rr.status = status;
  return { rr, status };
}

/**
 * ap_internal_fast_redirect: the sub-request's mapping becomes the request's (no phase is
 * run again); its environment, notes and error headers (a negotiated variant's Vary, TCN
 * and Content-Location) are merged in, and its output filters taken over.
 * RequestRecord's mapping fields are mutable for exactly this.
 */
export function fastRedirect(rr: RequestRecord, r: RequestRecord): void {
  r.uri = rr.uri;
  r.args = rr.args;
  r.filename = rr.filename;
  r.pathInfo = rr.pathInfo;
  r.finfo = rr.finfo;
  r.perDir = rr.perDir;
  r.handler = rr.handler;
  r.contentType = rr.contentType;
  r.contentEncoding = rr.contentEncoding;
  r.contentLanguages = rr.contentLanguages;
  r.noCache = r.noCache && rr.noCache;
  for (const [k, v] of rr.env) r.env.set(k, v);
  for (const [k, v] of rr.notes) r.notes.set(k, v);
  for (const [k, v] of rr.errHeadersOut) r.errHeadersOut.set(k, v);
  takeOutputFilters(rr, r); // r->output_filters = rr->output_filters
}
