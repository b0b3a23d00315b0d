// httpd: modules/http/http_core.c (register_hooks: ap_send_http_trace and http_send_options
// at map_to_storage MIDDLE), modules/http/http_filters.c (ap_send_http_trace),
// modules/http/http_protocol.c (make_allow, ap_send_http_options), server/http_protocol.c
// method registry (ap_method_number_of).
//
// TRACE is answered in map_to_storage, before any access check, as httpd does: the request
// line and headers echoed back as message/http. `TraceEnable Off` refuses it with 405; a body
// is refused with 413 unless `TraceEnable extended` (then it is echoed, up to 64 KiB).
// `OPTIONS *` is answered there too, with no Allow header.

import { DECLINED, DONE } from '../request/hooks.js';
import type { Outcome } from '../request/hooks.js';
import type { RequestRecord } from '../request/record.js';
import type { CoreServerConf } from './config.js';

/** Methods httpd registers at startup: one table, shared with <Limit>'s checks. */
export { KNOWN_METHODS } from '../config/method-limit.js';

/** What core's default_handler allows (ap_allow_standard_methods M_GET, M_OPTIONS, M_POST). */
export const DEFAULT_HANDLER_METHODS: readonly string[] = ['GET', 'POST', 'OPTIONS'];

/**
 * httpd walks its method hash, whose order APR randomises per process; this fixed order is
 * one httpd produces. HEAD shares GET's method number, so it comes with GET.
 */
const ALLOW_ORDER = ['GET', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'PATCH', 'HEAD'];

/** The server's TraceEnable (default on), read from the original request's server. */
export function traceEnableOf(r: RequestRecord): 'on' | 'off' | 'extended' {
  let first = r;
  while (first.prev !== undefined) first = first.prev;
  const conf = first.server.server['core'] as CoreServerConf | undefined;
  return conf?.traceEnable ?? 'on';
}

/** make_allow: r.allowed in method order, HEAD with GET, then TRACE unless TraceEnable Off. */
export function makeAllow(r: RequestRecord): string {
  const allowed = new Set(r.allowed ?? []);
  if (allowed.has('GET')) allowed.add('HEAD');
  const out = ALLOW_ORDER.filter((m) => allowed.has(m));
  for (const m of allowed) if (!out.includes(m)) out.push(m);
  if (traceEnableOf(r) !== 'off') out.push('TRACE');
  return out.join(',');
}

/**
 * The request line and header fields as httpd holds them: duplicate fields merged into the
 * first one's place (apr_table_compress), values joined by ", ", surrounding spaces gone.
 */
export function echoedHead(theRequest: string, rawHeaders: readonly string[]): string {
  const fields: [string, string][] = [];
  const at = new Map<string, number>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const value = (rawHeaders[i + 1] ?? '').trim();
    const key = name.toLowerCase();
    const j = at.get(key);
    const f = j === undefined ? undefined : fields[j];
    if (f !== undefined) f[1] += `, ${value}`;
    else {
      at.set(key, fields.length);
      fields.push([name, value]);
    }
  }
  return `${theRequest}\r\n${fields.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}

/** Extended TRACE bodies: 64 KiB with a Content-Length; the chunk buffer httpd reads into. */
const TRACE_MAX_LENGTH = 65536;
const TRACE_MAX_CHUNKED = 73730 - 32;

/** ap_send_http_trace: echo a TRACE request back, or refuse it. */
async function sendTrace(r: RequestRecord): Promise<Outcome> {
  const mode = traceEnableOf(r);
  if (mode === 'off') {
    r.notes.set('error-notes', 'TRACE denied by server configuration');
    return 405;
  }
  const h = r.headersIn.headers;
  const chunked = h['transfer-encoding'] !== undefined;
  const length = Number(h['content-length'] ?? '0');
  let body = Buffer.alloc(0);
  if (chunked || length > 0) {
    if (mode !== 'extended') {
      r.logError('info', 'http', 'AH01595', `${r.method} with body is not allowed for ${r.uri}`);
      r.notes.set('error-notes', 'TRACE with a request body is not allowed');
      return 413;
    }
    const limit = chunked ? TRACE_MAX_CHUNKED : TRACE_MAX_LENGTH;
    if (length > limit) {
      r.notes.set('error-notes', 'Extended TRACE request bodies cannot exceed 64k\n');
      return 413;
    }
    const parts: Buffer[] = [];
    let seen = 0;
    for await (const chunk of r.readBody()) {
      seen += chunk.length;
      if (seen <= limit) parts.push(chunk); // past it: read on and drop, then refuse
    }
    if (seen > limit) {
      r.notes.set('error-notes', 'Extended TRACE request bodies cannot exceed 64k\n');
      return 413;
    }
    body = Buffer.concat(parts);
  }
  const res = r.res;
  res.statusCode = 200;
  // No Content-Length: chunked on HTTP/1.1 (named here so it sits where httpd puts it),
  // the connection's close otherwise.
  if (res.useChunkedEncodingByDefault && !r.headerOnly)
    res.setHeader('Transfer-Encoding', 'chunked');
  res.setHeader('Content-Type', 'message/http');
  const head = echoedHead(r.theRequest, r.headersIn.rawHeaders);
  res.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  return DONE;
}

/** map_to_storage (MIDDLE): ap_send_http_trace, then http_send_options for `OPTIONS *`. */
export async function httpMapToStorage(r: RequestRecord): Promise<Outcome> {
  if (r.method === 'TRACE') return sendTrace(r);
  if (r.method === 'OPTIONS' && r.uri === '*') {
    r.res.statusCode = 200;
    r.res.setHeader('Content-Length', 0);
    r.res.end();
    return DONE;
  }
  return DECLINED;
}
