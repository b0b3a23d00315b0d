// httpd: server/protocol.c (ap_read_request: LimitRequestLine → 414, LimitRequestFieldSize /
// LimitRequestFields → 400), modules/http/http_request.c (ap_process_request),
// modules/http/http_protocol.c (ap_set_keepalive), server/connection.c.
//
// One request end to end (listener.ts owns the node:http servers): pick the server by
// address and Host, check the read limits, run the pipeline, then log_transaction once the
// response is done. CountingResponse writes every response head in Apache's order.

import { ServerResponse } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ListenIR } from '../config/ir.js';
import { runAll } from '../request/hooks.js';
import { Request, RequestBodyTooLargeError, hostnameOf } from '../request/record.js';
import { BodyDeadline, RequestReadTimeoutError } from '../request/read-deadline.js';
import type { ConnectionLog, TlsConnection, WireCounters } from '../request/record.js';
import type { RequestRecord } from '../request/record.js';
import { processRequest } from '../request/pipeline.js';
import type { Generation } from '../server/generation.js';
import { coreServer } from '../core/view.js';
import { die } from './die.js';
import { SERVER_BANNER } from './banner.js';
import { selectServer } from './vhost.js';
import { connectionOf } from './connection.js';
import { apacheOrder, collectHeaders } from './response-headers.js';
import type { HeaderEntry } from './response-headers.js';
import type { KeepAlivePolicy } from './response-headers.js';

/** One edit of a response head (CountingResponse.addHeadEdit). */
export interface HeadEdit {
  readonly rank: number;
  readonly edit: (head: [string, string][], errorResponse: boolean) => [string, string][];
}

/** A ServerResponse that counts body bytes (for %b / %B). */
export class CountingResponse<
  R extends IncomingMessage = IncomingMessage,
> extends ServerResponse<R> {
  bodyBytes = 0;
  /**
   * The handler bounds its own wait (mod_cgi's script timeout): while nothing is queued
   * to write, the connection's idle Timeout does not cut the request (httpd times socket
   * reads and writes, not a handler's work).
   */
  handlerTimesOut = false;
  /**
   * Output-side edits of the head, in httpd's filter order (mod_expires' filter, then
   * mod_headers'): added per request by modules that have something to do. `errorResponse`
   * tells an error page (ap_send_error_response) apart.
   */
  headEdits: HeadEdit[] | undefined;
  /** Set by sendErrorResponse: this head is an error page's. */
  errorResponse = false;
  /** Add an edit of the head; lower ranks run first (httpd's filter types). */
  addHeadEdit(rank: number, edit: HeadEdit['edit']): void {
    const list = (this.headEdits ??= []);
    const at = list.findIndex((e) => e.rank > rank);
    list.splice(at < 0 ? list.length : at, 0, { rank, edit });
  }
  /** The head through headEdits, multi-valued fields (Set-Cookie) one entry per value. */
  #edited(entries: readonly HeaderEntry[]): HeaderEntry[] {
    let flat: [string, string][] = [];
    for (const [k, v] of entries) {
      if (Array.isArray(v)) for (const one of v as string[]) flat.push([k, String(one)]);
      else flat.push([k, String(v)]);
    }
    for (const e of this.headEdits ?? []) flat = e.edit(flat, this.errorResponse);
    return flat;
  }
  /** Set per request by the server; undefined leaves node's own Connection handling. */
  keepAlive: KeepAlivePolicy | undefined;
  /** Chunked-encoding bytes around the body (size lines, CRLFs, the last chunk), for %O. */
  framingBytes = 0;
  #count(chunk: unknown, encoding: unknown): number {
    const n =
      typeof chunk === 'string'
        ? Buffer.byteLength(
            chunk,
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          )
        : chunk instanceof Uint8Array
          ? chunk.byteLength
          : 0;
    this.bodyBytes += n;
    return n;
  }
  /** What node's chunked framing adds around `n` body bytes (hex size, CRLF, CRLF). */
  #frame(n: number): void {
    if (this.chunkedEncoding && n > 0) this.framingBytes += n.toString(16).length + 4;
  }
  /** The bytes this response puts on the wire: head, body and framing (mod_logio's %O). */
  get wireBytes(): number {
    const head = (this as unknown as { _header?: unknown })._header;
    return (
      (typeof head === 'string' ? Buffer.byteLength(head, 'latin1') : 0) +
      this.bodyBytes +
      this.framingBytes
    );
  }
  // Node's write/end are overloaded; these forward every form unchanged.
  override write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const n = this.req.method !== 'HEAD' ? this.#count(chunk, encoding) : 0;
    const ok = super.write(chunk, encoding as never, cb as never);
    this.#frame(n); // after: the head (and so the framing decision) goes out with the first write
    return ok;
  }
  /** The head as written ([name, value, …]), for the access log's %{…}o. */
  sentHeaders: readonly unknown[] | undefined;
  /** The Server header every response gets unless a handler set its own. */
  serverBanner: string | undefined;
  /**
   * Apache's header order and keep-alive headers for every response (response-headers.ts).
   * The ordered list goes to node as writeHead's array argument; when no handler used
   * setHeader (the WSGI path) node takes its fast path and stores each header once.
   */
  override writeHead(statusCode: number, reason?: unknown, headers?: unknown): this {
    if (this.headersSent) return super.writeHead(statusCode); // node raises ERR_HTTP_HEADERS_SENT
    const message = typeof reason === 'string' ? reason : undefined;
    // apacheOrder reads the status (204/304 drop content headers); node sets it again.
    if (Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 999)
      this.statusCode = statusCode;
    let entries = collectHeaders(this, message === undefined ? reason : headers);
    if (this.headEdits !== undefined) entries = this.#edited(entries);
    const flat = apacheOrder(this, this.req, this.keepAlive, entries, this.serverBanner);
    const names = this.getHeaderNames();
    const progressive = names.length > 0;
    for (const n of names) this.removeHeader(n);
    this.sentHeaders = flat;
    // @types/node types the array form as a list of [name, value] pairs or a flat string list.
    const arg = (progressive ? sameNamesTogether(flat) : flat) as unknown as string[];
    return message === undefined
      ? super.writeHead(statusCode, arg)
      : super.writeHead(statusCode, message, arg);
  }
  override end(chunk?: unknown, encoding?: unknown, cb?: unknown): this {
    const n =
      typeof chunk !== 'function' && chunk !== undefined && this.req.method !== 'HEAD'
        ? this.#count(chunk, encoding)
        : 0;
    const ended = this.writableEnded;
    super.end(chunk as never, encoding as never, cb as never);
    if (!ended && this.chunkedEncoding) {
      this.#frame(n);
      this.framingBytes += 5; // "0\r\n\r\n"
    }
    return this;
  }
}

/**
 * After setHeader was used, node's writeHead applies an array head with setHeader per
 * field, so a repeated name would keep only its last value: repeated names become one
 * multi-valued entry (node still writes one line per value), at the first one's place.
 */
function sameNamesTogether(flat: readonly unknown[]): unknown[] {
  const seen = new Map<string, number>();
  let dup = false;
  for (let i = 0; i < flat.length; i += 2) {
    const k = String(flat[i]).toLowerCase();
    if (seen.has(k)) dup = true;
    else seen.set(k, i);
  }
  if (!dup) return [...flat];
  const out: unknown[] = [];
  const at = new Map<string, number>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const k = String(flat[i]).toLowerCase();
    const v = flat[i + 1];
    const j = at.get(k);
    if (j === undefined) {
      at.set(k, out.length);
      out.push(flat[i], v);
      continue;
    }
    const prev = out[j + 1];
    out[j + 1] = [
      ...(Array.isArray(prev) ? (prev as unknown[]) : [prev]),
      ...(Array.isArray(v) ? (v as unknown[]) : [v]),
    ];
  }
  return out;
}

/** The generation source: the server swaps it on graceful reload. */
export interface GenerationSource {
  current(): Generation;
  /** Bracket a request so a draining generation knows when it is idle. */
  enter(g: Generation): void;
  leave(g: Generation): void;
}

/** Request-line / header checks of ap_read_request; a status + note, or undefined. */
function checkReadLimits(
  r: RequestRecord,
  req: IncomingMessage,
): { status: number; note?: string; log: string; id: string } | undefined {
  const core = coreServer(r.server.server);
  if (core.limitRequestLine > 0 && r.theRequest.length > core.limitRequestLine) {
    return {
      status: 414,
      id: 'AH00565',
      log: `request failed: client's request-line exceeds LimitRequestLine (longer than ${core.limitRequestLine})`,
    };
  }
  const raw = req.rawHeaders;
  if (core.limitRequestFields > 0 && raw.length / 2 > core.limitRequestFields) {
    return {
      status: 400,
      note: "The number of request header fields exceeds this server's limit.",
      id: 'AH00563',
      log: 'request failed: error reading the headers',
    };
  }
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const len = name.length + 2 + (raw[i + 1] ?? '').length;
    if (core.limitRequestFieldSize > 0 && len > core.limitRequestFieldSize) {
      return {
        status: 400,
        note: 'Size of a request header field exceeds server limit.',
        id: 'AH00561',
        log: `Request header exceeds LimitRequestFieldSize: ${name}`,
      };
    }
  }
  return undefined;
}

/**
 * protocol.c's Host checks (ap_read_request, fix_hostname): HTTP/1.1 needs a Host; a
 * Host must be a reg-name / IPv4 / [IPv6] with an optional numeric port. Else 400.
 */
export function checkHost(req: IncomingMessage): { id: string; log: string } | undefined {
  // From rawHeaders: headersDistinct would build an array for every header of the request.
  const hosts: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2)
    if ((raw[i] as string).length === 4 && (raw[i] as string).toLowerCase() === 'host')
      hosts.push(raw[i + 1] as string);
  // An empty Host names no host: HTTP/1.1 needs one, HTTP/1.0 goes on without.
  if (hosts.length === 0 || (hosts.length === 1 && hosts[0]?.trim() === '')) {
    if (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1)
      return {
        id: 'AH00569',
        log: `client sent HTTP/1.1 request without hostname (see RFC2616 section 14.23): ${req.url ?? ''}`,
      };
    return undefined;
  }
  const host = hosts.length > 1 ? hosts.join(',') : (hosts[0] ?? '');
  if (!/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+;=%-]*)(?::\d*)?$/.test(host))
    return { id: 'AH00550', log: `Client sent malformed Host header: ${host}` };
  return undefined;
}

/**
 * ap_parse_uri: an absolute-form target with this server's scheme names the host, and it
 * beats the Host header (RFC 9112 §3.2.2) for the virtual host too.
 */
function absoluteHost(url: string | undefined): string | undefined {
  if (url === undefined || url.charCodeAt(0) === 0x2f) return undefined;
  return /^http:\/\/([^/?#]*)/i.exec(url)?.[1];
}

/** ap_is_chunked: the last transfer coding is `chunked`. */
export function isChunked(te: string): boolean {
  const codings = te.split(',');
  return (codings[codings.length - 1] ?? '').trim().toLowerCase() === 'chunked';
}

/** Per-connection state, one WeakMap entry per socket. */
export interface ConnState {
  /** Requests started on this connection (keepalives = count before this one). */
  count: number;
  /** Requests whose response is not yet closed. */
  active: number;
  /** socket.bytesRead when the connection last became idle (for the 408 decision). */
  readAtIdle: number;
  /** conn_rec->log_id, once an error-log line was written for the connection. */
  readonly log: ConnectionLog;
  /** A TLS connection: its socket and handshake server (set by the listener). */
  readonly tls?: TlsConnection;
}

/** Handle one request end to end. */
export async function handleRequest(
  src: GenerationSource,
  listen: ListenIR,
  req: IncomingMessage,
  res: CountingResponse,
  conns: WeakMap<Socket, ConnState>,
): Promise<void> {
  const gen = src.current();
  src.enter(gen);
  const sock = req.socket;
  let conn = conns.get(sock);
  if (conn === undefined) {
    conn = { count: 0, active: 0, readAtIdle: 0, log: { id: undefined } };
    conns.set(sock, conn);
  }
  const n = conn.count++;
  conn.active++;
  const connection = connectionOf(sock, n, conn.log, conn.tls);
  const server = selectServer(
    gen.ir,
    listen,
    connection.localAddr,
    connection.localPort,
    hostnameOf(absoluteHost(req.url) ?? req.headers.host),
  );
  const wire: WireCounters = { read: conn.readAtIdle };
  const r = new Request({
    req,
    res,
    generation: gen,
    server,
    connection,
    perDir: gen.dirDefaults(server),
    bytesSent: () => res.bodyBytes,
    // This request's bytes start after what the connection had read when it went idle.
    wireStart: wire,
  });
  res.serverBanner = SERVER_BANNER;
  armBodyDeadline(gen, r, req, res);
  // ap_set_keepalive's server side (KeepAlive, KeepAliveTimeout, MaxKeepAliveRequests: httpd
  // allows max+1 requests); the headers are decided when the response head is written.
  const core = coreServer(server.server);
  res.keepAlive = {
    allowed:
      core.keepAlive &&
      core.keepAliveTimeout > 0 &&
      !(core.maxKeepAliveRequests > 0 && n >= core.maxKeepAliveRequests),
    timeout: core.keepAliveTimeout,
    left: core.maxKeepAliveRequests > 0 ? core.maxKeepAliveRequests - n : undefined,
  };
  let logged = false;
  const state = conn;
  // One handler for the response's 'finish' and 'close' and the socket's 'close': a response
  // queued behind another on a keep-alive socket (node's state.outgoing) gets neither
  // 'finish' nor 'close' when the socket dies, so the socket's own 'close' ends the request
  // too; without it such a request stayed "in flight" forever and its generation (with its
  // daemon processes) was never disposed.
  const logTransaction = (): void => {
    if (logged) return;
    logged = true;
    state.active--;
    state.readAtIdle = sock.bytesRead;
    sock.off('close', logTransaction);
    queueMicrotask(() => {
      try {
        const rv = runAll(gen.hooks.logTransaction, r);
        if (typeof rv !== 'number') {
          rv.then(
            () => src.leave(gen),
            (err: unknown) => {
              logFailed(gen, err);
              src.leave(gen);
            },
          );
          return;
        }
      } catch (err) {
        logFailed(gen, err);
      }
      src.leave(gen);
    });
  };
  sock.once('close', logTransaction);
  res.once('finish', logTransaction);
  res.once('close', logTransaction);
  try {
    const te = req.headers['transfer-encoding'];
    if (te !== undefined && !isChunked(te)) {
      // protocol.c (RFC 7230 3.3.3): chunked must be the final coding, else 400 and close.
      // node dispatches a lone "gzip" before its parser refuses the body (listener.ts).
      r.logError(
        'debug',
        'core',
        'AH02539',
        `client sent unknown Transfer-Encoding (${te}): ${r.uri}`,
      );
      res.shouldKeepAlive = false;
      await die(r, 400);
      return;
    }
    if (req.url?.includes('#') === true) {
      // read_request_line (HttpProtocolOptions Strict): RFC 3986 3.5, no fragment.
      r.logError('debug', 'core', 'AH02421', 'HTTP Request Line; URI must not contain a fragment');
      res.shouldKeepAlive = false;
      await die(r, 400);
      return;
    }
    const expect = req.headers.expect;
    if (expect !== undefined && expect !== '' && expect.toLowerCase() !== '100-continue') {
      // ap_check_request_header: only 100-continue is understood (node's checkExpectation).
      r.logError(
        'info',
        'core',
        'AH00570',
        `client sent an unrecognized expectation value of Expect: ${expect}`,
      );
      await die(r, 417);
      return;
    }
    const bad = checkHost(req);
    if (bad !== undefined) {
      r.logError('debug', 'core', bad.id, bad.log);
      await die(r, 400);
      return;
    }
    const limit = checkReadLimits(r, req);
    if (limit !== undefined) {
      r.logError('info', 'core', limit.id, limit.log); // APLOG_INFO in protocol.c
      if (limit.note !== undefined) r.notes.set('error-notes', limit.note);
      await die(r, limit.status);
      return;
    }
    await processRequest(r);
  } catch (err) {
    if (err instanceof RequestBodyTooLargeError) {
      if (res.headersSent) res.destroy();
      else await die(r, 413);
      return;
    }
    if (err instanceof RequestReadTimeoutError) {
      // ap_discard_request_body (or a handler's read) hit mod_reqtimeout's body deadline:
      // 408 (ap_map_http_request_error), the connection closes (armBodyDeadline).
      if (res.headersSent) res.destroy();
      else await die(r, 408);
      return;
    }
    // Exceptions are bugs: log once with an id and answer 500 (STYLE avoid-6).
    r.logError(
      'error',
      'core',
      'MW00301',
      `unexpected error while processing ${r.uri}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    if (res.headersSent) res.destroy();
    else await die(r, 500);
  }
}

/**
 * reqtimeout_before_body (post_read_request): a request with a body gets the body stage of
 * its server's RequestReadTimeout. When it expires: AH01382, and the connection is not kept
 * alive (a response already complete, e.g. of an app that did not read the body, leaves
 * the connection waiting for the rest of that body: it is closed).
 */
function armBodyDeadline(
  gen: Generation,
  r: Request,
  req: IncomingMessage,
  res: CountingResponse,
): void {
  const limits = gen.readTimeouts(r.server)?.body;
  if (limits === undefined || req.method === 'CONNECT') return;
  const cl = req.headers['content-length'];
  if ((cl === undefined || cl === '0') && req.headers['transfer-encoding'] === undefined) return;
  if (req.complete) return;
  const deadline = new BodyDeadline(limits, req);
  r.bodyDeadline = deadline;
  deadline.onExpire(() => {
    r.logError('info', 'reqtimeout', 'AH01382', 'Request body read timeout');
    const sock = req.socket;
    if (!res.headersSent) res.shouldKeepAlive = false;
    else if (res.writableFinished) sock.destroy();
    else res.once('finish', () => sock.destroySoon());
  });
}

export function logFailed(gen: Generation, err: unknown): void {
  gen.log.log('error', 'core', 'MW00302', `log_transaction failed: ${String(err)}`);
}
