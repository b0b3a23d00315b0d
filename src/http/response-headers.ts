// httpd: modules/http/http_protocol.c (ap_set_keepalive), modules/http/http_filters.c
// (ap_http_header_filter, basic_http_header: Date and Server first, then r->headers_out,
// then Content-Type).
//
// Gives every response Apache's header order and connection headers, whoever wrote it
// (static handler, die, WSGI dispatch): called from CountingResponse.writeHead, the one
// place all of them pass through (node's implicit header goes through writeHead too).

import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';

/** What ap_set_keepalive knows from the server config and the connection. */
export interface KeepAlivePolicy {
  /** KeepAlive On, a timeout > 0 and MaxKeepAliveRequests not yet used up. */
  readonly allowed: boolean;
  /** KeepAliveTimeout in seconds. */
  readonly timeout: number;
  /** Requests left on this connection (MaxKeepAliveRequests − served); undefined = unlimited. */
  readonly left: number | undefined;
}

/** A header value as node's OutgoingMessage stores it. */
type HeaderValue = string | number | readonly string[];
/** One response header, name as set. */
export type HeaderEntry = readonly [string, HeaderValue];

let dateSecond = -1;
let dateText = '';
/** The Date header for now, formatted once per second (node's own utcDate caches the same way). */
export function httpDate(now = Date.now()): string {
  const sec = Math.floor(now / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateText = new Date(sec * 1000).toUTCString();
  }
  return dateText;
}

/** 204/304 and HEAD answers need no body framing. */
function bodyless(res: ServerResponse, req: IncomingMessage): boolean {
  return res.statusCode === 204 || res.statusCode === 304 || req.method === 'HEAD';
}

/**
 * ap_set_keepalive: keep the connection when the server allows it, the client's protocol and
 * Connection tokens ask for it (node's shouldKeepAlive), nobody forced `Connection: close`
 * (ap_die for 400/408/411/413/414/500/501/503) and the body length is known (Content-Length,
 * chunked on HTTP/1.1, or no body). Keep-Alive/`Connection: Keep-Alive` are sent only when the
 * client sent the keep-alive token; a plain HTTP/1.1 persistent answer carries neither.
 */
export function connectionHeaders(
  res: ServerResponse,
  req: IncomingMessage,
  policy: KeepAlivePolicy,
  forcedClose: boolean,
  hasContentLength: boolean,
): { keep: boolean; headers: [string, string][] } {
  const lengthKnown =
    hasContentLength ||
    bodyless(res, req) ||
    (req.httpVersion === '1.1' && res.useChunkedEncodingByDefault);
  // A client that half-closed (FIN after its request, listener.ts) cannot send another.
  const keep =
    policy.allowed &&
    res.shouldKeepAlive &&
    !forcedClose &&
    lengthKnown &&
    !req.socket.readableEnded;
  if (!keep) return { keep, headers: [['Connection', 'close']] };
  const tokens = req.headers.connection;
  if (tokens === undefined || !/\bkeep-alive\b/i.test(tokens)) return { keep, headers: [] };
  const ka =
    policy.left === undefined
      ? `timeout=${String(policy.timeout)}`
      : `timeout=${String(policy.timeout)}, max=${String(policy.left)}`;
  return {
    keep,
    headers: [
      ['Keep-Alive', ka],
      ['Connection', 'Keep-Alive'],
    ],
  };
}

/**
 * The headers a writeHead call would send: the progressive ones (setHeader, in insertion
 * order), with writeHead's own argument merged as node merges it (an array replaces every
 * same-named header and keeps its duplicates; an object sets each name in place).
 */
export function collectHeaders(res: ServerResponse, extra: unknown): HeaderEntry[] {
  // getRawHeaderNames (node ≥ 15, not in @types/node): names as set, in insertion order.
  const names = (res as ServerResponse & { getRawHeaderNames(): string[] }).getRawHeaderNames();
  let out: HeaderEntry[] = [];
  for (const n of names) {
    const v = res.getHeader(n);
    if (v !== undefined) out.push([n, v]);
  }
  if (Array.isArray(extra)) {
    const flat = extra as OutgoingHttpHeader[];
    if (out.length > 0) {
      const replaced = new Set<string>();
      for (let i = 0; i + 1 < flat.length; i += 2) replaced.add(String(flat[i]).toLowerCase());
      out = out.filter(([n]) => !replaced.has(n.toLowerCase()));
    }
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const v = flat[i + 1];
      if (v !== undefined) out.push([String(flat[i]), typeof v === 'number' ? String(v) : v]);
    }
  } else if (typeof extra === 'object' && extra !== null) {
    for (const [k, v] of Object.entries(extra as Record<string, OutgoingHttpHeader | undefined>)) {
      if (v === undefined) continue;
      const lower = k.toLowerCase();
      const at = out.findIndex(([n]) => n.toLowerCase() === lower);
      if (at >= 0) out[at] = [k, v];
      else out.push([k, v]);
    }
  }
  return out;
}

/** Headers ap_http_header_filter adds itself, from the request record (setFilterHeaders). */
export interface FilterHeaders {
  /** `Expires: <now>` for r->no_cache, added after ap_set_keepalive's Connection header. */
  readonly expires?: string;
  /** Content-Encoding and Content-Language from r, set after Content-Type. */
  readonly entity?: readonly HeaderEntry[];
}

const filterHeaders = new WeakMap<ServerResponse, FilterHeaders>();

/**
 * Hand over the headers ap_http_header_filter derives from r (Content-Encoding and
 * Content-Language after Content-Type, Expires for r->no_cache after Connection): the
 * default handler sets them here rather than through setHeader, which would keep them in
 * insertion order like any header a WSGI application sets.
 */
export function setFilterHeaders(res: ServerResponse, h: FilterHeaders): void {
  filterHeaders.set(res, { ...filterHeaders.get(res), ...h });
}

/** r's languages, then the handler's own ones not among them, joined by ',' (httpd's order). */
function mergeLanguages(ours: string, theirs: HeaderValue | undefined): string {
  const langs = ours.split(',');
  const seen = new Set(langs.map((l) => l.toLowerCase()));
  for (const t of String(theirs ?? '').split(',')) {
    const tok = t.trim();
    if (tok !== '' && !seen.has(tok.toLowerCase())) {
      seen.add(tok.toLowerCase());
      langs.push(tok);
    }
  }
  return langs.join(',');
}

/** Responses whose Content-Type keeps its place among the headers (see below). */
const typeInPlace = new WeakSet<ServerResponse>();

/**
 * mod_proxy: the backend's Content-Type is already in headers_out, so ap_http_header_filter's
 * apr_table_setn replaces it where it stands instead of adding it last.
 */
export function keepContentTypeInPlace(res: ServerResponse): void {
  typeInPlace.add(res);
}

/** ap_send_error_response forgets r->content_encoding and r->content_languages. */
export function clearEntityHeaders(res: ServerResponse): void {
  const h = filterHeaders.get(res);
  if (h?.entity !== undefined) filterHeaders.set(res, { ...h, entity: [] });
}

/**
 * Apache's order for `entries`: Date, Server, the rest as given, then Keep-Alive, Connection,
 * Transfer-Encoding, Content-Type; with the connection headers of ap_set_keepalive. Returns the flat
 * [name, value, ...] list for writeHead. Side effects on `res` decide node's own connection
 * handling: a plain persistent HTTP/1.1 answer gets no Connection header (node would add
 * `Connection: keep-alive` + `Keep-Alive: timeout=N`), and a closing one ends the socket.
 * Without a policy (unit tests) node's own Connection handling is left alone.
 */
export function apacheOrder(
  res: ServerResponse,
  req: IncomingMessage,
  policy: KeepAlivePolicy | undefined,
  entries: readonly HeaderEntry[],
  serverBanner?: string,
): HeaderValue[] {
  let date: HeaderEntry | undefined;
  let server: HeaderEntry | undefined;
  const rest: HeaderEntry[] = [];
  const keepAlive: HeaderEntry[] = [];
  const connection: HeaderEntry[] = [];
  const contentType: HeaderEntry[] = [];
  const transferEncoding: HeaderEntry[] = [];
  const varies: string[] = [];
  let varyAt = -1;
  let forcedClose = false;
  let hasContentLength = false;
  // ap_http_header_filter: 204/304 responses don't have content related headers.
  const headerOnly = res.statusCode === 204 || res.statusCode === 304;
  for (const e of entries) {
    const lower = e[0].toLowerCase();
    if (
      headerOnly &&
      (lower === 'content-type' || lower === 'content-length' || lower === 'transfer-encoding')
    )
      continue;
    switch (lower) {
      case 'date':
        date ??= e;
        break;
      case 'server':
        server ??= e;
        break;
      case 'keep-alive':
        keepAlive.push(e);
        break;
      case 'connection':
        connection.push(e);
        if (String(e[1]).toLowerCase().includes('close')) forcedClose = true;
        break;
      case 'content-type':
        if (typeInPlace.has(res)) rest.push(e);
        else contentType.push(e);
        break;
      case 'content-length':
        hasContentLength = true;
        rest.push(e);
        break;
      case 'transfer-encoding':
        transferEncoding.push(e);
        break;
      case 'vary':
        // fixup_vary: every Vary field name once (case-insensitively), in one header where
        // the first Vary was, joined by ','.
        for (const v of typeof e[1] === 'object' ? e[1] : [String(e[1])])
          for (const t of v.split(/[\s,]+/))
            if (t !== '' && !varies.some((x) => x.toLowerCase() === t.toLowerCase()))
              varies.push(t);
        if (varyAt < 0) {
          varyAt = rest.length;
          rest.push(e);
        }
        break;
      default:
        rest.push(e);
    }
  }
  if (varyAt >= 0) {
    const first = rest[varyAt];
    if (varies.length === 0) rest.splice(varyAt, 1);
    else if (first !== undefined) rest[varyAt] = [first[0], varies.join(',')];
  }
  const flat: HeaderValue[] = date === undefined ? ['Date', httpDate()] : [date[0], date[1]];
  if (server !== undefined) flat.push(server[0], server[1]);
  else if (serverBanner !== undefined) flat.push('Server', serverBanner);
  for (const [n, v] of rest) flat.push(n, v);
  if (policy === undefined) {
    for (const [n, v] of keepAlive) flat.push(n, v);
    for (const [n, v] of connection) flat.push(n, v);
  } else {
    const conn = connectionHeaders(res, req, policy, forcedClose, hasContentLength);
    // No header for a plain persistent HTTP/1.1 answer: removing Connection stops node adding
    // its own `Connection: keep-alive` + `Keep-Alive: timeout=N` while it still keeps alive.
    if (conn.headers.length === 0) res.removeHeader('Connection');
    for (const [n, v] of conn.headers) flat.push(n, v);
    // Node closes after the response only when it believes the client does not keep alive.
    if (!conn.keep) res.shouldKeepAlive = false;
  }
  const filter = filterHeaders.get(res);
  if (filter?.expires !== undefined) flat.push('Expires', filter.expires);
  // ap_http_header_filter adds Transfer-Encoding after ap_set_keepalive's headers.
  for (const [n, v] of transferEncoding) flat.push(n, v);
  for (const [n, v] of contentType) flat.push(n, v);
  // A handler's own Content-Encoding is replaced in place (apr_table_setn); its
  // Content-Language is merged after r's languages; else they follow the Content-Type.
  if (!headerOnly) {
    for (const [n, v] of filter?.entity ?? []) {
      const lower = n.toLowerCase();
      let at = -1;
      for (let i = 0; i < flat.length; i += 2) if (String(flat[i]).toLowerCase() === lower) at = i;
      if (at < 0) flat.push(n, v);
      else
        flat[at + 1] = lower === 'content-language' ? mergeLanguages(String(v), flat[at + 1]) : v;
    }
  }
  return flat;
}
