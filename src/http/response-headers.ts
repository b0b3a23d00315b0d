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

const LAST = new Set(['keep-alive', 'connection', 'content-type']);
const FIRST = ['date', 'server'] as const;

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
): { keep: boolean; headers: [string, string][] } {
  const forced = String(res.getHeader('connection') ?? '')
    .toLowerCase()
    .includes('close');
  const tokens = (req.headers.connection ?? '').toLowerCase();
  const lengthKnown =
    res.hasHeader('content-length') ||
    bodyless(res, req) ||
    (req.httpVersion === '1.1' && res.useChunkedEncodingByDefault);
  const keep = policy.allowed && res.shouldKeepAlive && !forced && lengthKnown;
  if (!keep) return { keep, headers: [['Connection', 'close']] };
  if (!/\bkeep-alive\b/.test(tokens)) return { keep, headers: [] };
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

/** Merge writeHead's header argument into the progressive headers, as node itself does. */
export function mergeWriteHeadHeaders(res: ServerResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    const flat = headers as OutgoingHttpHeader[];
    for (let i = 0; i + 1 < flat.length; i += 2) res.removeHeader(String(flat[i]));
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const v = flat[i + 1];
      if (v !== undefined) res.appendHeader(String(flat[i]), typeof v === 'number' ? String(v) : v);
    }
  } else if (typeof headers === 'object' && headers !== null) {
    for (const [k, v] of Object.entries(
      headers as Record<string, OutgoingHttpHeader | undefined>,
    )) {
      if (v !== undefined) res.setHeader(k, v);
    }
  }
}

/**
 * Re-set the headers in Apache's order: Date, Server, the rest in the order they were set,
 * then Keep-Alive, Connection, Content-Type; with the connection headers of ap_set_keepalive.
 */
export function applyApacheHeaderOrder(
  res: ServerResponse,
  req: IncomingMessage,
  policy: KeepAlivePolicy | undefined,
): void {
  // getRawHeaderNames (node ≥ 15, not in @types/node): names as set, in insertion order.
  const names = (res as ServerResponse & { getRawHeaderNames(): string[] }).getRawHeaderNames();
  const saved = names.map((n) => [n, res.getHeader(n)] as const);
  const get = (
    lower: string,
  ): readonly [string, string | number | readonly string[]] | undefined => {
    const e = saved.find(([n]) => n.toLowerCase() === lower);
    return e?.[1] === undefined ? undefined : [e[0], e[1]];
  };
  const conn = policy === undefined ? undefined : connectionHeaders(res, req, policy);
  for (const n of names) {
    // Keep node's own Connection handling when the server gave no policy (unit tests).
    if (conn === undefined && n.toLowerCase() === 'connection') continue;
    res.removeHeader(n);
  }
  res.setHeader('Date', get('date')?.[1] ?? new Date().toUTCString());
  const server = get('server');
  if (server) res.setHeader(server[0], server[1]);
  for (const [n, v] of saved) {
    const lower = n.toLowerCase();
    if (v === undefined || LAST.has(lower) || (FIRST as readonly string[]).includes(lower))
      continue;
    res.setHeader(n, v);
  }
  if (conn !== undefined) {
    // No header for a plain persistent HTTP/1.1 answer: removing Connection stops node adding
    // its own `Connection: keep-alive` + `Keep-Alive: timeout=N` while it still keeps alive.
    if (conn.headers.length === 0) res.removeHeader('Connection');
    for (const [n, v] of conn.headers) res.setHeader(n, v);
    // Node closes after the response only when it believes the client does not keep alive.
    if (!conn.keep) res.shouldKeepAlive = false;
  } else {
    const ka = get('keep-alive');
    if (ka) res.setHeader(ka[0], ka[1]);
  }
  const ct = get('content-type');
  if (ct) res.setHeader(ct[0], ct[1]);
}
