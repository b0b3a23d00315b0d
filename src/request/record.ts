// httpd: include/httpd.h (request_rec)
//
// The per-request record every phase reads and writes. Per-module configs are reached
// through the module object (r.dirConf(mod), r.serverConf(mod)), never by string keys.

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ModuleDef } from '../modules/module.js';
import type { Stats } from 'node:fs';
import type { ConfigIR, ModuleSlots, ServerIR } from '../config/ir.js';
import type { ErrorLog, LogLevel } from '../logging/error-log.js';
import type { RequestRuntime } from './runtime.js';
import { RequestReadTimeoutError } from './read-deadline.js';
import type { BodyDeadline } from './read-deadline.js';

export interface RequestRecord {
  /** Raw request-target from the request line (REQUEST_URI), e.g. `/a%20b?x=1`. */
  readonly unparsedUri: string;
  readonly method: string;
  /** e.g. `HTTP/1.1`. */
  readonly protocol: string;
  /** Decoded, normalised path (r->uri). */
  uri: string;
  /** Raw query string without `?` ("" if none). */
  args: string;
  /** Mapped filesystem path (r->filename), set by translate. */
  filename: string | undefined;
  /** Trailing path after the file (r->path_info). */
  pathInfo: string;
  /**
   * A prefix of `filename` translate expects to be a regular file (a WSGIScriptAlias
   * script): map_to_storage tries it first (see splitPathInfo). No httpd counterpart.
   */
  fileHint: string | undefined;
  /** Handler name (r->handler), e.g. `wsgi-script`. */
  handler: string | undefined;
  contentType: string | undefined;
  /** r->content_encoding (mod_mime's AddEncoding, a negotiated variant's encoding). */
  contentEncoding: string | undefined;
  /** r->content_languages (mod_mime's AddLanguage / DefaultLanguage), lower-case. */
  contentLanguages: readonly string[] | undefined;
  /**
   * r->vlist_validator: the variant list's entity tag (mod_negotiation), merged into the
   * chosen variant's ETag (ap_make_etag_ex).
   */
  vlistValidator: string | undefined;
  /**
   * r->no_cache: the response must not be cached (ap_http_header_filter adds `Expires: now`);
   * set by mod_negotiation for HTTP/1.0 clients.
   */
  noCache: boolean;
  /** Per-request environment (r->subprocess_env): SetEnv etc. */
  readonly env: Map<string, string>;
  /** Module notes (r->notes). */
  readonly notes: Map<string, string>;
  /**
   * Headers for an error response (r->err_headers_out), e.g. the WWW-Authenticate of a
   * 401: ap_send_error_response keeps them when it clears the others. An internal redirect
   * (a local ErrorDocument) shares its predecessor's.
   */
  readonly errHeadersOut: Map<string, string>;
  /** Lower-cased header name → values as received (node's headersDistinct). */
  readonly headersIn: IncomingMessage;
  readonly res: ServerResponse;
  /** Authenticated user (r->user) and auth type. */
  user: string | undefined;
  authType: string | undefined;
  /** Response status for logging (r->status). */
  status: number;
  /** The server (main or vhost) that was selected for this request. */
  readonly server: ServerIR;
  /** This module's per-dir config after the walks (ap_get_module_config(r->per_dir_config)). */
  dirConf<S, D>(mod: ModuleDef<S, D>): D;
  /** This module's server config of the selected server. */
  serverConf<S, D>(mod: ModuleDef<S, D>): S;

  // --- Additive fields (request-side helper): what httpd's request_rec/conn_rec also carry.
  /** The connection's addresses and keep-alive count (conn_rec). */
  readonly connection: ConnectionInfo;
  /**
   * r->useragent_ip and its port: the client as modules see it (REMOTE_ADDR, Require ip,
   * %a, the error log's [client ip:port]). The peer's address unless mod_remoteip took the
   * client from a proxy header (then the port is 0); connection.remoteAddr stays the peer
   * (and REMOTE_PORT its port). Sub-requests and internal redirects inherit it.
   */
  useragentIp: string;
  useragentPort: number;
  /** Host name the request named (r->hostname), lower-cased, port stripped; '' if none. */
  readonly hostname: string;
  /** The request line as received (r->the_request), e.g. `GET / HTTP/1.1`. */
  readonly theRequest: string;
  /** Request start, ms since the epoch (r->request_time). */
  readonly requestTime: number;
  /**
   * The connection's byte counters when this request began (mod_logio's %I / %O / %S are
   * the differences at log time); undefined for records without a socket of their own.
   */
  readonly wireStart?: WireCounters | undefined;
  /** True for HEAD (r->header_only). */
  readonly headerOnly: boolean;
  /** Current per-dir config of every module (r->per_dir_config). Replaced by the walks. */
  perDir: ModuleSlots;
  /** stat() of `filename` after map_to_storage (r->finfo); undefined = does not exist. */
  finfo: Stats | undefined;
  /** The request this one was internally redirected from (r->prev). */
  readonly prev: RequestRecord | undefined;
  /** mod_reqtimeout's body stage for a request with a body, once armed. */
  readonly bodyDeadline?: BodyDeadline | undefined;
  /** The main request of a sub-request (r->main); undefined for a main request. */
  readonly main: RequestRecord | undefined;
  /** The request an internal redirect created from this one (r->next). */
  next: RequestRecord | undefined;
  /** Body bytes written to the client so far (for %b / %B). */
  readonly bytesSent: number;
  /** The generation serving this request (logs, hooks, module state). */
  readonly generation: GenerationView;
  /**
   * Methods the handler allows (r->allowed, ap_allow_standard_methods), for the Allow header
   * of OPTIONS, 405 and 501 answers (core/http-methods.ts makeAllow). Unset = none.
   */
  allowed?: readonly string[];
  /**
   * The request body, enforcing LimitRequestBody while streaming: past the limit it throws
   * RequestBodyTooLargeError (the server answers 413 if nothing was sent yet).
   */
  readBody(): AsyncGenerator<Buffer>;
  /**
   * The same body as a paused event stream, for handlers that forward it chunk by chunk
   * with backpressure (no async iteration per chunk): 'data' (Buffer), 'end', and 'error'
   * (RequestBodyTooLargeError past LimitRequestBody, logged as AH00539, or the client's
   * failure). Nothing flows until `resume()`.
   */
  bodyStream(): BodyStream;
  /**
   * Log through the error log with `[client addr:port]` added (ap_log_rerror); `status`
   * is the APR status text httpd puts before the client, e.g. `(13)Permission denied`.
   */
  logError(level: LogLevel, module: string, id: string, message: string, status?: string): void;
}

/** The connection a request arrived on (conn_rec). */
export interface ConnectionInfo {
  readonly remoteAddr: string;
  readonly remotePort: number;
  readonly localAddr: string;
  readonly localPort: number;
  /** Requests already served on this connection before this one. */
  readonly keepalives: number;
  /** The connection's log id (conn_rec->log_id), shared by its requests. */
  readonly log: ConnectionLog;
  /** Set when the connection speaks TLS (mod_ssl's SSLConnRec). */
  readonly tls?: TlsConnection;
}

/** A TLS connection (mod_ssl's SSLConnRec): the socket and the server of its handshake. */
export interface TlsConnection {
  readonly socket: TLSSocket;
  /** The server whose certificate the handshake used (SNI, else the address's default). */
  readonly server: ServerIR;
  /** The SNI name the client sent, undefined without one. */
  readonly sni: string | undefined;
  /** SSL_CLIENT_VERIFY: NONE, SUCCESS or FAILED:reason, decided at the handshake. */
  readonly clientVerify: string;
  /** One SSL_* variable of this connection ('' when it has none), as mod_ssl names them. */
  lookup(name: string): string;
}

/**
 * ap_ssl_var_lookup for the connection: HTTPS is on or off; the SSL_* names are the TLS
 * connection's, empty without TLS (or without mod_ssl).
 */
export function sslVarLookup(c: ConnectionInfo, name: string): string {
  const upper = name.toUpperCase();
  if (upper === 'HTTPS') return c.tls === undefined ? 'off' : 'on';
  return c.tls?.lookup(upper) ?? '';
}

/** ap_http_scheme: https on a TLS connection (mod_ssl's http_scheme hook). */
export function httpScheme(c: ConnectionInfo): 'http' | 'https' {
  return c.tls === undefined ? 'http' : 'https';
}

/**
 * conn_rec->log_id: httpd creates it the first time an error-log line is written for the
 * connection; mod_wsgi shows it as `mod_wsgi.connection_id` from then on.
 */
export interface ConnectionLog {
  id: string | undefined;
}

/** Give the connection its log id if it has none (server/log.c add_log_id). */
export function noteConnectionLogged(c: ConnectionInfo): void {
  c.log.id ??= randomBytes(8).toString('base64url').slice(0, 11);
}

/** What a request may see of its generation (server/generation.ts implements it). */
export interface GenerationView {
  readonly ir: ConfigIR;
  readonly log: ErrorLog;
  /** The value a module's provision() returned, for modules that keep state. */
  moduleState(name: string): unknown;
  /** Hooks, handlers, compiled sections and walk caches of this generation. */
  readonly runtime: RequestRuntime;
}

// --- Implementation (request-side helper) ------------------------------------------------

import { coreDir } from '../core/view.js';
import { dirConfOf, serverConfOf } from '../config/slots.js';

/** Everything needed to build a record; sub-requests and redirects override some fields. */
export interface RecordInit {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly generation: GenerationView;
  readonly server: ServerIR;
  readonly connection: ConnectionInfo;
  /** Request target (defaults to req.url). */
  readonly target?: string;
  readonly method?: string;
  readonly prev?: RequestRecord;
  readonly main?: RequestRecord;
  /** Initial per-dir config: the server's defaults. */
  readonly perDir: ModuleSlots;
  /** Initial r->status (an ErrorDocument redirect starts with the error's status). */
  readonly status?: number;
  /** Body bytes counter shared with the response (server/http layer). */
  readonly bytesSent?: () => number;
  /** r->the_request as read, when node never parsed it (a refused request line). */
  readonly theRequest?: string;
  /** Socket counters when the request began (see RequestRecord.wireStart). */
  readonly wireStart?: WireCounters;
}

/**
 * Split a request-target into path and query, as ap_parse_uri does: leading `//` runs
 * collapse to one `/` first (the target is a path, not a scheme-relative URL); an
 * absolute-form target keeps only its path, and one without a path (`http://h?q=1`) gets
 * `/`, or `*` for OPTIONS.
 */
export function splitTarget(
  target: string,
  method = 'GET',
): {
  path: string;
  args: string;
  host: string | undefined;
} {
  // CONNECT's target is authority-form (apr_uri_parse_hostinfo): no path, so r->uri is "/".
  if (method === 'CONNECT' && !target.startsWith('/')) return { path: '/', args: '', host: target };
  let t = target.replace(/^\/{2,}/, '/');
  let host: string | undefined;
  let noPath = false;
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(t);
  if (abs !== null) {
    host = abs[1];
    t = t.slice(abs[0].length);
    noPath = !t.startsWith('/');
  }
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  const path = q < 0 ? t : t.slice(0, q);
  const args = q < 0 ? '' : t.slice(q + 1);
  return { path: noPath ? (method === 'OPTIONS' ? '*' : '/') : path, args, host };
}

/**
 * ap_post_read_request's scheme rule: a request-target with a scheme other than http or
 * https (any case) is refused with 400 unless it is a proxy request (never, here). Scheme
 * as apr_uri_parse reads it: a letter, then letters, digits, `+`, `-`, `.`, then `:`.
 */
export function refusedScheme(target: string): boolean {
  const c = target.charCodeAt(0) | 0x20;
  if (c < 0x61 || c > 0x7a) return false; // origin-form (`/`) and `*` end here
  const m = /^[A-Za-z][A-Za-z0-9+.-]*(?=:)/.exec(target);
  return m !== null && !/^https?$/i.test(m[0]);
}

let lastHost = '';
let lastHostname = '';

/** Host header → r->hostname: lower-cased, port and trailing dot removed. */
export function hostnameOf(host: string | undefined): string {
  if (host === undefined) return '';
  // Keep-alive clients repeat the same Host, and each request asks twice (vhost selection,
  // then the record): a one-entry cache skips the string work.
  if (host === lastHost) return lastHostname;
  const name = parseHostname(host);
  lastHost = host;
  lastHostname = name;
  return name;
}

function parseHostname(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The note mod_unique_id leaves its id in: it is the request's log id then. */
export const UNIQUE_ID_NOTE = 'tswsgi-unique-id';

/**
 * r->log_id: a stable per-request id in the shape of Apache's (11 base64url characters),
 * shared by mod_wsgi.request_id and the access log's %L; with mod_unique_id, its UNIQUE_ID.
 */
export function logIdOf(r: RequestRecord): string {
  const unique = r.notes.get(UNIQUE_ID_NOTE);
  if (unique !== undefined) return unique;
  // (µs since the epoch) XOR the client port, as 8 big-endian bytes in base64url. The µs
  // count is below 2^53, so it splits exactly into two 32-bit halves; the port (< 2^16)
  // only touches the low half.
  const us = Math.round(r.requestTime * 1000);
  const hi = Math.floor(us / 0x100000000);
  const lo = (us - hi * 0x100000000) ^ r.connection.remotePort;
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(hi, 0);
  b.writeUInt32BE(lo >>> 0, 4);
  return b.toString('base64url').slice(0, 11);
}

/** Where this request's bytes start on its connection (mod_logio's %I for chunked bodies). */
export interface WireCounters {
  readonly read: number;
}

/** What bodyStream() returns: the part of a Readable a body consumer uses. */
export interface BodyStream {
  on(event: 'data', fn: (chunk: Buffer) => void): this;
  on(event: 'end', fn: () => void): this;
  on(event: 'error', fn: (e: unknown) => void): this;
  off(event: 'data', fn: (chunk: Buffer) => void): this;
  off(event: 'end', fn: () => void): this;
  off(event: 'error', fn: (e: unknown) => void): this;
  pause(): this;
  resume(): this;
  readonly readableEnded: boolean;
}

/** bodyStream(): the request's IncomingMessage with LimitRequestBody counted per chunk. */
export class LimitedBody extends EventEmitter implements BodyStream {
  readonly #src: Readable;
  #ended = false;
  #failed = false;
  /** A failure no 'error' listener heard yet. */
  #error: { readonly e: unknown } | undefined;
  constructor(
    src: Readable,
    limit: number,
    tooLarge: (seen: number) => void,
    deadline?: BodyDeadline,
  ) {
    super();
    this.#src = src;
    // An internal redirect (ErrorDocument) meets a body already read or discarded.
    this.#ended = src.readableEnded;
    if (!this.#ended && src.destroyed)
      process.nextTick(() => this.#fail(new Error('request body aborted')));
    // mod_reqtimeout's body stage: the read fails with APR_TIMEUP (the socket stays, for
    // the error response).
    if (!this.#ended && deadline !== undefined)
      deadline.onExpire(() => {
        if (this.#ended) return;
        src.pause();
        this.#fail(new RequestReadTimeoutError('body'));
      });
    let seen = 0;
    // Paused before the 'data' listener goes on, so nothing flows until resume().
    src.pause();
    src.on('data', (chunk: Buffer | string) => {
      if (this.#failed) return;
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      seen += buf.length;
      if (limit > 0 && seen > limit) {
        this.#failed = true;
        src.pause();
        tooLarge(seen);
        this.emit('error', new RequestBodyTooLargeError(limit));
        return;
      }
      this.emit('data', buf);
    });
    src.on('end', () => {
      if (this.#failed) return;
      this.#ended = true;
      this.emit('end');
    });
    src.on('error', (e: unknown) => this.#fail(e));
    src.on('close', () => {
      if (!this.#ended) this.#fail(new Error('request body aborted'));
    });
  }
  #fail(e: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    // A consumer may attach its 'error' listener later (dispatch, once a worker is free):
    // it gets the failure at its resume(), and an unheard 'error' never throws.
    if (this.listenerCount('error') > 0) this.emit('error', e);
    else this.#error = { e };
  }
  get readableEnded(): boolean {
    return this.#ended;
  }
  pause(): this {
    this.#src.pause();
    return this;
  }
  resume(): this {
    if (!this.#failed) this.#src.resume();
    else if (this.#error !== undefined && this.listenerCount('error') > 0) {
      const { e } = this.#error;
      this.#error = undefined;
      process.nextTick(() => this.emit('error', e));
    }
    return this;
  }
}

/** The body went past LimitRequestBody while being read (httpd: AH00539 → 413). */
export class RequestBodyTooLargeError extends Error {
  readonly code = 'MW_ERR_BODY_TOO_LARGE';
  readonly limit: number;
  constructor(limit: number) {
    super(`Request body exceeds the configured limit of ${limit}`);
    this.limit = limit;
  }
}

/** The request_rec. */
export class Request implements RequestRecord {
  readonly unparsedUri: string;
  readonly method: string;
  readonly protocol: string;
  uri: string;
  args: string;
  filename: string | undefined = undefined;
  pathInfo = '';
  fileHint: string | undefined = undefined;
  handler: string | undefined = undefined;
  contentType: string | undefined = undefined;
  contentEncoding: string | undefined = undefined;
  contentLanguages: readonly string[] | undefined = undefined;
  vlistValidator: string | undefined = undefined;
  noCache = false;
  readonly env = new Map<string, string>();
  readonly notes = new Map<string, string>();
  readonly errHeadersOut: Map<string, string>;
  readonly headersIn: IncomingMessage;
  readonly res: ServerResponse;
  user: string | undefined = undefined;
  authType: string | undefined = undefined;
  status = 200;
  readonly server: ServerIR;
  readonly connection: ConnectionInfo;
  useragentIp: string;
  useragentPort: number;
  readonly hostname: string;
  readonly theRequest: string;
  readonly requestTime: number;
  readonly wireStart: WireCounters | undefined;
  readonly headerOnly: boolean;
  perDir: ModuleSlots;
  finfo: Stats | undefined = undefined;
  readonly prev: RequestRecord | undefined;
  readonly main: RequestRecord | undefined;
  next: RequestRecord | undefined = undefined;
  /** mod_reqtimeout's body stage (an internal redirect keeps the original's). */
  bodyDeadline: BodyDeadline | undefined;
  readonly generation: GenerationView;
  readonly #bytesSent: () => number;

  constructor(init: RecordInit) {
    const req = init.req;
    this.headersIn = req;
    this.res = init.res;
    this.generation = init.generation;
    this.server = init.server;
    this.connection = init.connection;
    const from = init.prev ?? init.main;
    this.useragentIp = from?.useragentIp ?? init.connection.remoteAddr;
    this.useragentPort = from?.useragentPort ?? init.connection.remotePort;
    this.method = init.method ?? req.method ?? 'GET';
    this.protocol = `HTTP/${req.httpVersion}`;
    this.unparsedUri = init.target ?? req.url ?? '/';
    const { path, args, host } = splitTarget(this.unparsedUri, this.method);
    this.uri = path;
    this.args = args;
    this.hostname = hostnameOf(host ?? req.headers.host);
    this.theRequest =
      init.prev?.theRequest ??
      init.theRequest ??
      `${req.method ?? 'GET'} ${req.url ?? '/'} ${this.protocol}`;
    this.requestTime = init.prev?.requestTime ?? Date.now();
    this.wireStart = init.prev?.wireStart ?? init.wireStart;
    this.headerOnly = this.method === 'HEAD';
    this.perDir = init.perDir;
    this.prev = init.prev;
    this.main = init.main;
    this.errHeadersOut = init.prev?.errHeadersOut ?? new Map<string, string>();
    this.bodyDeadline = init.prev?.bodyDeadline;
    this.#bytesSent = init.bytesSent ?? (() => 0);
    if (init.status !== undefined) this.status = init.status;
  }

  get bytesSent(): number {
    return this.#bytesSent();
  }

  dirConf<S, D>(mod: ModuleDef<S, D>): D {
    return dirConfOf(mod, this.perDir);
  }

  serverConf<S, D>(mod: ModuleDef<S, D>): S {
    return serverConfOf(mod, this.server);
  }

  async *readBody(): AsyncGenerator<Buffer> {
    // Pulled from bodyStream(), so LimitRequestBody and the read deadline apply alike.
    const body = this.bodyStream();
    const queue: Buffer[] = [];
    let ended = body.readableEnded;
    let failure: { readonly e: unknown } | undefined;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    body.on('data', (chunk) => {
      queue.push(chunk);
      body.pause();
      notify();
    });
    body.on('end', () => {
      ended = true;
      notify();
    });
    body.on('error', (e) => {
      failure = { e };
      notify();
    });
    if (!ended) body.resume();
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        yield chunk;
        if (queue.length === 0 && !ended && failure === undefined) body.resume();
        continue;
      }
      if (failure !== undefined) throw failure.e;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  bodyStream(): BodyStream {
    const limit = coreDir(this.perDir).limitRequestBody;
    return new LimitedBody(
      this.headersIn,
      limit,
      (seen) =>
        this.logError(
          'error',
          'http',
          'AH00539',
          `Read content-length of ${seen} is larger than the configured limit of ${limit}`,
        ),
      this.bodyDeadline,
    );
  }

  logError(level: LogLevel, module: string, id: string, message: string, status?: string): void {
    if (this.generation.log.enabled(level, module)) noteConnectionLogged(this.connection);
    this.generation.log.log(level, module, id, message, {
      client: `${this.useragentIp}:${this.useragentPort}`,
      ...(status === undefined ? {} : { status }),
    });
  }
}
