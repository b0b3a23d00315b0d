// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_scan_headers (the Apache child reading a
// daemon's response head) and Adapter_start_response's header loop (embedded mode);
// httpd: modules/http/http_filters.c ap_http_header_filter (err_headers_out goes out before
// headers_out), server/util.c ap_content_type_tolower, server/protocol.c
// ap_rationalize_mtime / ap_set_last_modified.
//
// The application's headers as Apache + mod_wsgi put them on the wire, before the server's
// own ordering (Date, Server, ..., Connection, Transfer-Encoding, Content-Type; see
// src/http/response-headers.ts):
// - WWW-Authenticate goes to err_headers_out, so it leads (both modes).
// - Daemon mode parses the head like a CGI response: Content-Type's type is lower-cased;
//   Location, Content-Length, Content-Range and Transfer-Encoding are set (one value, the
//   last, where the name first appeared) and so is Last-Modified, re-dated by
//   ap_set_last_modified; other repeated names are merged into one comma-separated header;
//   Set-Cookie headers keep their values and go last.

import { httpDate } from '../http/response-headers.js';

/** One header, name and value. */
export type HeaderPair = readonly [string, string];

const SET = new Set(['location', 'content-length', 'content-range', 'transfer-encoding']);

/** Names Apache writes itself (from r->content_type, r->clength, r->mtime), whatever the app's case. */
const CANONICAL = new Map([
  ['content-type', 'Content-Type'],
  ['content-length', 'Content-Length'],
  ['last-modified', 'Last-Modified'],
]);

/** ap_content_type_tolower: the part before the first ';' in lower case. */
function contentTypeToLower(v: string): string {
  const semi = v.indexOf(';');
  return semi < 0 ? v.toLowerCase() : v.slice(0, semi).toLowerCase() + v.slice(semi);
}

/**
 * ap_update_mtime + ap_set_last_modified for a script's Last-Modified: an unparsable date
 * leaves r->mtime at 0 (the epoch); a date after the request started is clamped to now.
 */
function lastModified(v: string, requestTimeMs: number, nowMs: number): string {
  const t = Date.parse(v);
  const mtime = Number.isNaN(t) || t < 0 ? 0 : Math.floor(t / 1000) * 1000;
  const now = mtime < requestTimeMs ? requestTimeMs : nowMs;
  return httpDate(mtime > now ? now : mtime);
}

/**
 * The application's response headers in the order (and merge) Apache + mod_wsgi sends them.
 * `daemon`: the request ran in a daemon process group. `requestTimeMs`: r->request_time.
 */
export function scanHeaders(
  headers: readonly HeaderPair[],
  daemon: boolean,
  requestTimeMs: number,
  nowMs = Date.now(),
): HeaderPair[] {
  let plain = true;
  for (const [k] of headers) {
    const c = k.charCodeAt(0) | 0x20;
    // Every special name starts with c, l, s, t or w: the common case skips the work.
    if (c === 0x63 || c === 0x6c || c === 0x73 || c === 0x74 || c === 0x77) {
      plain = false;
      break;
    }
  }
  if (plain && (!daemon || headers.length < 2)) return headers as HeaderPair[];
  const auth: HeaderPair[] = [];
  const cookies: HeaderPair[] = [];
  // Daemon mode: the CGI-special names are set in headers_out while the head is read; the
  // merged rest is overlaid after it, then the cookies.
  const direct: [string, string][] = [];
  const merged: [string, string][] = [];
  const at = new Map<string, [string, string]>();
  for (const [k, v] of headers) {
    const lower = k.toLowerCase();
    if (lower === 'www-authenticate') {
      auth.push([k, v]);
      continue;
    }
    if (!daemon) {
      // Content-Type and Content-Length become r->content_type / ap_set_content_length:
      // Apache writes them under its own spelling.
      merged.push([lower === 'last-modified' ? k : (CANONICAL.get(lower) ?? k), v]);
      continue;
    }
    if (lower === 'set-cookie') {
      cookies.push([k, v]);
      continue;
    }
    const isSet = SET.has(lower) || lower === 'last-modified' || lower === 'content-type';
    const value =
      lower === 'content-type'
        ? contentTypeToLower(v)
        : lower === 'last-modified'
          ? lastModified(v, requestTimeMs, nowMs)
          : v;
    const prev = at.get(lower);
    if (prev !== undefined) {
      // apr_table_set keeps one value; the APR merge joins them ("a, b").
      prev[1] = isSet ? value : `${prev[1]}, ${value}`;
      continue;
    }
    const entry: [string, string] = [CANONICAL.get(lower) ?? k, value];
    at.set(lower, entry);
    (isSet ? direct : merged).push(entry);
  }
  const out = [...direct, ...merged];
  return [...auth, ...out, ...cookies];
}
