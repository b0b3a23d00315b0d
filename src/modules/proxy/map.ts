// httpd: modules/proxy/mod_proxy.c (ap_proxy_trans_match, alias_match),
//        modules/proxy/mod_proxy_http.c (proxy_http_canon),
//        modules/proxy/proxy_util.c (ap_proxy_canonenc_ex, ap_proxy_location_reverse_map,
//        ap_proxy_clear_connection, ap_proxy_create_hdrbrgd).
//
// The pure parts of reverse proxying: which backend URL a request maps to, how the path
// is re-encoded for the backend, which request and response headers are hop-by-hop, and
// how a backend's Location is mapped back to this server (ProxyPassReverse).

import { aliasMatchLength, pregsub } from '../../util/alias-match.js';
import type { ProxyPassEntry, ReverseEntry } from './config.js';

/** Compiled regexes per entry (compiled once, at first use per entry object). */
const compiled = new WeakMap<ProxyPassEntry, RegExp>();
function regexOf(e: ProxyPassEntry): RegExp {
  let re = compiled.get(e);
  if (re === undefined) {
    re = new RegExp(e.fake);
    compiled.set(e, re);
  }
  return re;
}

/** What one ProxyPass entry says about a URI: the backend URL, or excluded by `!`. */
export type TransResult = { readonly url: string } | { readonly excluded: true };

/**
 * ap_proxy_trans_match: the backend URL (without `proxy:`) for `uri`, `excluded` for a
 * matching `!` entry, or undefined when the entry does not match. `rawUri` is the request
 * URI as received (used with nocanon).
 */
export function transMatch(
  e: ProxyPassEntry,
  uri: string,
  rawUri: string,
): TransResult | undefined {
  if (e.regex) {
    const m = regexOf(e).exec(uri);
    if (m === null) return undefined;
    if (e.real === '!') return { excluded: true };
    let use = uri;
    let match = m;
    if (e.nocanon) {
      const raw = regexOf(e).exec(rawUri);
      if (raw !== null) {
        use = rawUri;
        match = raw;
      }
    }
    const found = pregsub(e.real, match);
    // No substitution in the target: the whole URI is appended ($1 is implied).
    return { url: found !== e.real ? found : e.real + use };
  }
  const len = aliasMatchLength(uri, e.fake);
  if (len === 0) return undefined;
  if (e.real === '!') return { excluded: true };
  if (e.nocanon) {
    const rawLen = aliasMatchLength(rawUri, e.fake);
    if (rawLen === len) return { url: e.real + rawUri.slice(rawLen) };
  }
  return { url: e.real + uri.slice(len) };
}

const PATH_ALLOWED = new Set("~$-_.+!*'(),;:@&=");

/**
 * ap_proxy_canonenc_ex(enc_path) for a reverse proxy: '/' stays, letters, digits and
 * `~$-_.+!*'(),;:@&=` stay, every other byte (of the UTF-8 form) becomes %XX, upper-case.
 */
export function canonPath(path: string): string {
  let out = '';
  let plain = true;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c >= 0x80 || !isPlain(c, path.charAt(i))) {
      plain = false;
      break;
    }
  }
  if (plain) return path;
  for (const b of Buffer.from(path, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && isPlain(b, ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isPlain(c: number, ch: string): boolean {
  return (
    ch === '/' ||
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    PATH_ALLOWED.has(ch)
  );
}

/** ap_scan_vchar_obstext: true when `s` holds a control character or a space. */
export function hasCtlOrSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** The parts of a `proxy:` filename's URL that the backend request needs. */
export interface BackendTarget {
  readonly host: string;
  readonly port: number;
  /** Path and query as sent on the request line. */
  readonly path: string;
}

/**
 * proxy_http_canon: the canonical `proxy:` URL for a backend URL, or an error status.
 * `args` is the request's query string; `nocanon` keeps the path (and the query it holds)
 * as is.
 */
export function canonUrl(
  url: string,
  args: string,
  nocanon: boolean,
): { url: string; target: BackendTarget } | { status: 400 | 403; id: string; message: string } {
  const m = /^http:\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?(.*)$/is.exec(url);
  if (m === null || (m[1] ?? '') === '')
    return { status: 400, id: 'AH01083', message: `error parsing URL ${url}: Invalid host` };
  let host = m[1] ?? '';
  if (host.startsWith('[')) host = host.slice(1, -1);
  const port = m[2] === undefined || m[2] === '' ? 80 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { status: 400, id: 'AH01083', message: `error parsing URL ${url}: Invalid port` };
  // Everything after host:port is the path (a '?' in it is encoded, as httpd does).
  const rawPath = (m[3] ?? '').replace(/^\//, '');
  const path = nocanon ? rawPath : canonPath(rawPath);
  if (nocanon && hasCtlOrSpace(path))
    return {
      status: 403,
      id: 'AH10415',
      message: 'To be forwarded path contains control characters or spaces',
    };
  const search = nocanon || args === '' ? undefined : args;
  if (search !== undefined && hasCtlOrSpace(search))
    return {
      status: 403,
      id: 'AH10408',
      message: 'To be forwarded query string contains control characters or spaces',
    };
  const sport = port === 80 ? '' : `:${String(port)}`;
  const h = host.includes(':') ? `[${host}]` : host;
  const reqPath = `/${path}${search === undefined ? '' : `?${search}`}`;
  return { url: `http://${h}${sport}${reqPath}`, target: { host, port, path: reqPath } };
}

/** Response headers a proxy never passes back (ap_proxy_read_headers and its callers). */
const RESPONSE_HOP = new Set([
  'proxy-connection',
  'connection',
  'keep-alive',
  'upgrade',
  'trailer',
  'te',
  'transfer-encoding',
]);

/**
 * Request headers a proxy never forwards (ap_proxy_create_hdrbrgd): the hop-by-hop ones,
 * and Host and Content-Length, which it sets itself.
 */
const REQUEST_HOP = new Set([...RESPONSE_HOP, 'host', 'content-length']);

/** The header names a Connection header lists (find_conn_headers), lower-cased. */
export function connectionTokens(values: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const v of values)
    for (const t of v.split(','))
      if (t.trim() !== '' && t.trim().toLowerCase() !== 'close') out.add(t.trim().toLowerCase());
  return out;
}

/** Drop hop-by-hop fields (and the ones Connection names) from raw name/value pairs. */
function dropHop(raw: readonly string[], fixed: ReadonlySet<string>): [string, string][] {
  const conn: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2)
    if ((raw[i] ?? '').toLowerCase() === 'connection') conn.push(raw[i + 1] ?? '');
  const named = connectionTokens(conn);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i] ?? '';
    const lk = k.toLowerCase();
    if (fixed.has(lk) || named.has(lk)) continue;
    out.push([k, raw[i + 1] ?? '']);
  }
  return out;
}

/** The client's header fields that go on to the backend (before Host, X-Forwarded-*, Via). */
export const requestHeadersForBackend = (raw: readonly string[]): [string, string][] =>
  dropHop(raw, REQUEST_HOP);

/** The backend's header fields that go back to the client (before reverse mapping). */
export const responseHeadersForClient = (raw: readonly string[]): [string, string][] =>
  dropHop(raw, RESPONSE_HOP);

/** apr_table_mergen: add `value` to the field `name` (", " joined) or append the field. */
export function mergeHeader(headers: [string, string][], name: string, value: string): void {
  const lower = name.toLowerCase();
  const at = headers.find(([k]) => k.toLowerCase() === lower);
  if (at === undefined) headers.push([name, value]);
  else at[1] = `${at[1]}, ${value}`;
}

/**
 * ap_proxy_location_reverse_map: a backend URL in Location / Content-Location / URI
 * mapped back through the ProxyPassReverse entries (first match, case-insensitive). A
 * result that is not absolute is made so with `construct` (ap_construct_url).
 */
export function reverseMap(
  entries: readonly ReverseEntry[],
  url: string,
  construct: (path: string) => string,
): string {
  for (const e of entries) {
    let part = url;
    if (e.real.startsWith('/')) {
      // A path-only target matches the path part of an absolute URL.
      const sep = url.indexOf('://');
      if (sep >= 0) {
        const slash = url.indexOf('/', sep + 3);
        if (slash >= 0) part = url.slice(slash);
      }
    }
    const l2 = e.real.length;
    if (l2 > 0 && part.length >= l2 && part.slice(0, l2).toLowerCase() === e.real.toLowerCase()) {
      const u = e.fake + part.slice(l2);
      return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(u) ? u : construct(u);
    }
  }
  return url;
}

/**
 * ap_proxy_cookie_reverse_map: a Set-Cookie value with its `path=` and `domain=` attribute
 * values replaced per ProxyPassReverseCookiePath / ProxyPassReverseCookieDomain. An entry
 * matches when the value starts with its first argument (the domain case-insensitively), and
 * then the whole value becomes the second. As in httpd, the replacement found goes where the
 * last attribute of that name stands.
 */
export function cookieReverseMap(
  value: string,
  paths: readonly ReverseEntry[],
  domains: readonly ReverseEntry[],
): string {
  let at = 0;
  let path: { start: number; end: number } | undefined;
  let domain: { start: number; end: number } | undefined;
  let newPath: string | undefined;
  let newDomain: string | undefined;
  for (const token of value.split(';')) {
    const start = at;
    at += token.length + 1;
    const lead = token.length - token.trimStart().length;
    const t = token.slice(lead);
    const vStart = start + lead;
    if (t.slice(0, 5).toLowerCase() === 'path=') {
      const v = t.slice(5);
      path = { start: vStart + 5, end: start + token.length };
      const hit = paths.find((e) => v.startsWith(e.fake));
      if (hit !== undefined) newPath = hit.real;
    } else if (t.slice(0, 7).toLowerCase() === 'domain=') {
      const v = t.slice(7).toLowerCase();
      domain = { start: vStart + 7, end: start + token.length };
      const hit = domains.find((e) => v.startsWith(e.fake.toLowerCase()));
      if (hit !== undefined) newDomain = hit.real;
    }
  }
  const edits: { start: number; end: number; text: string }[] = [];
  if (newPath !== undefined && path !== undefined) edits.push({ ...path, text: newPath });
  if (newDomain !== undefined && domain !== undefined) edits.push({ ...domain, text: newDomain });
  edits.sort((a, b) => b.start - a.start);
  let out = value;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
