// httpd: modules/http/http_request.c (ap_internal_redirect, internal_internal_redirect,
// rename_original_env), server/request.c (ap_sub_req_lookup_uri, ap_sub_req_method_uri).
//
// Both build a new request from an existing one and re-enter processRequest; nothing
// here sequences phases itself.

import { Request } from './record.js';
import type { RequestRecord } from './record.js';
import type { Outcome } from './hooks.js';
import { processRequest } from './pipeline.js';

/** Most internal redirects a chain may take before httpd's "too many redirects" (LimitInternalRecursion 10). */
export const MAX_REDIRECTS = 10;

function depth(r: RequestRecord): number {
  let n = 0;
  for (let p = r.prev; p !== undefined; p = p.prev) n++;
  return n;
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
): Promise<Outcome> {
  if (depth(r) >= MAX_REDIRECTS) {
    r.logError(
      'error',
      'core',
      'AH00124',
      `Request exceeded the limit of ${MAX_REDIRECTS} internal redirects due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.`,
    );
    return 500;
  }
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
  r.next = next;
  return processRequest(next);
}

/**
 * ap_sub_req_lookup_uri: what would `uri` (relative to r's directory if not absolute) map
 * to? Runs steps 1–14 without a handler; the caller reads `status`, `filename`, `finfo`.
 */
export async function lookupUri(
  r: RequestRecord,
  uri: string,
): Promise<{ rr: RequestRecord; status: Outcome }> {
  const base = r.uri.endsWith('/') ? r.uri : r.uri.slice(0, r.uri.lastIndexOf('/') + 1);
  const abs = uri.startsWith('/') ? uri : base + uri;
  const rr = new Request({
    req: r.headersIn,
    res: r.res,
    generation: r.generation,
    server: r.server,
    connection: r.connection,
    target: abs
      .split('/')
      .map((s) => encodeURIComponent(s).replace(/%3F/g, '?'))
      .join('/'),
    method: r.method === 'HEAD' ? 'GET' : r.method,
    main: r,
    perDir: r.generation.runtime.dirDefaults(r.server),
  });
  const status = await processRequest(rr, true);
  if (status !== 0 && status > 0) rr.status = status;
  return { rr, status };
}
