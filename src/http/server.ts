// httpd: server/protocol.c (ap_read_request: LimitRequestLine → 414, LimitRequestFieldSize /
// LimitRequestFields → 400), modules/http/http_request.c (ap_process_request),
// modules/http/http_protocol.c (ap_set_keepalive), server/connection.c.
//
// One node:http server per Listen. Each request: pick the server by address and Host,
// check the read limits, run the pipeline, then log_transaction once the response is done.

import { createServer, ServerResponse } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ListenIR } from '../config/ir.js';
import { runAll } from '../request/hooks.js';
import { Request, RequestBodyTooLargeError } from '../request/record.js';
import type { RequestRecord } from '../request/record.js';
import { processRequest } from '../request/pipeline.js';
import type { Generation } from '../server/generation.js';
import { coreDir, coreServer } from '../core/view.js';
import { cannedErrorPage, die, signatureFor } from './die.js';
import { SERVER_BANNER } from './banner.js';
import { selectServer } from './vhost.js';
import { applyApacheHeaderOrder, mergeWriteHeadHeaders } from './response-headers.js';
import type { KeepAlivePolicy } from './response-headers.js';
import { statusLine } from './status.js';
import { splitServerName } from '../request/server-name.js';

/** A ServerResponse that counts body bytes (for %b / %B). */
export class CountingResponse<
  R extends IncomingMessage = IncomingMessage,
> extends ServerResponse<R> {
  bodyBytes = 0;
  /** Set per request by the server; undefined leaves node's own Connection handling. */
  keepAlive: KeepAlivePolicy | undefined;
  #count(chunk: unknown, encoding: unknown): void {
    if (typeof chunk === 'string')
      this.bodyBytes += Buffer.byteLength(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    else if (chunk instanceof Uint8Array) this.bodyBytes += chunk.byteLength;
  }
  // Node's write/end are overloaded; these forward every form unchanged.
  override write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    if (this.req.method !== 'HEAD') this.#count(chunk, encoding);
    return super.write(chunk, encoding as never, cb as never);
  }
  /** Apache's header order and keep-alive headers for every response (response-headers.ts). */
  override writeHead(statusCode: number, reason?: unknown, headers?: unknown): this {
    if (!this.headersSent) {
      mergeWriteHeadHeaders(this, typeof reason === 'string' ? headers : reason);
      applyApacheHeaderOrder(this, this.req, this.keepAlive);
    }
    return typeof reason === 'string'
      ? super.writeHead(statusCode, reason)
      : super.writeHead(statusCode);
  }
  override end(chunk?: unknown, encoding?: unknown, cb?: unknown): this {
    if (typeof chunk !== 'function' && chunk !== undefined && this.req.method !== 'HEAD')
      this.#count(chunk, encoding);
    return super.end(chunk as never, encoding as never, cb as never);
  }
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
  const hosts = req.headersDistinct['host'] ?? [];
  if (hosts.length === 0) {
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

/** Handle one request end to end. */
async function handleRequest(
  src: GenerationSource,
  listen: ListenIR,
  req: IncomingMessage,
  res: CountingResponse,
  counts: WeakMap<Socket, number>,
): Promise<void> {
  const gen = src.current();
  src.enter(gen);
  const sock = req.socket;
  const n = counts.get(sock) ?? 0;
  counts.set(sock, n + 1);
  const localAddr = (sock.localAddress ?? '').replace(/^::ffff:/, '');
  const host = req.headers.host;
  const hostname =
    host === undefined ? '' : host.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const server = selectServer(gen.ir, listen, localAddr, sock.localPort ?? 0, hostname);
  const r = new Request({
    req,
    res,
    generation: gen,
    server,
    connection: {
      remoteAddr: (sock.remoteAddress ?? '').replace(/^::ffff:/, ''),
      remotePort: sock.remotePort ?? 0,
      localAddr,
      localPort: sock.localPort ?? 0,
      keepalives: n,
    },
    perDir: gen.dirDefaults(server),
    bytesSent: () => res.bodyBytes,
  });
  res.setHeader('Server', SERVER_BANNER);
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
  // A response queued behind another on a keep-alive socket (node's state.outgoing) gets
  // neither 'finish' nor 'close' when the socket dies, so the socket's own 'close' ends the
  // request too; without it such a request stayed "in flight" forever and its generation
  // (with its daemon processes) was never disposed.
  const onSocketClose = (): void => logTransaction();
  sock.once('close', onSocketClose);
  const logTransaction = (): void => {
    if (logged) return;
    logged = true;
    sock.off('close', onSocketClose);
    Promise.resolve()
      .then(() => runAll(gen.hooks.logTransaction, r))
      .catch((err: unknown) =>
        gen.log.log('error', 'core', 'MW00302', `log_transaction failed: ${String(err)}`),
      )
      .finally(() => src.leave(gen));
  };
  res.once('finish', logTransaction);
  res.once('close', logTransaction);
  try {
    const bad = checkHost(req);
    if (bad !== undefined) {
      r.logError('debug', 'core', bad.id, bad.log);
      await die(r, 400);
      return;
    }
    const limit = checkReadLimits(r, req);
    if (limit !== undefined) {
      r.logError('error', 'core', limit.id, limit.log);
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

/** Raw 400 for bytes node's parser refused (there is no request to hang a record on). */
function earlyError(gen: Generation, socket: Socket, status: number, method = 'GET'): void {
  if (!socket.writable) return;
  const core = coreServer(gen.ir.main.server);
  const sigConf = coreDir(gen.ir.main.dirDefaults).serverSignature;
  const name = splitServerName(core.serverName).host ?? socket.localAddress ?? 'localhost';
  const body = cannedErrorPage(
    status,
    {
      method,
      notes: new Map(),
      serverAdmin: core.serverAdmin,
      signature: signatureFor(sigConf, name, 80, core.serverAdmin),
    },
    '',
  );
  socket.end(
    `HTTP/1.1 ${statusLine(status)}\r\nDate: ${new Date().toUTCString()}\r\nServer: ${SERVER_BANNER}\r\n` +
      `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n${body}`,
    'latin1',
  );
}

/** Create (not yet listening) the node:http server for one Listen. */
export function createListener(src: GenerationSource, listen: ListenIR): Server {
  const core = coreServer(src.current().ir.main.server);
  const counts = new WeakMap<Socket, number>();
  // Big enough for LimitRequestLine + LimitRequestFields × LimitRequestFieldSize, so the
  // limits are checked (with httpd's statuses) by checkReadLimits, not by node's parser.
  const maxHeaderSize = Math.min(
    64 * 1024 * 1024,
    core.limitRequestLine +
      4 +
      (core.limitRequestFields || 100) * ((core.limitRequestFieldSize || 8190) + 4) +
      4,
  );
  const server = createServer<typeof IncomingMessage, typeof CountingResponse>(
    {
      ServerResponse: CountingResponse,
      maxHeaderSize,
      requestTimeout: 0,
      requireHostHeader: false,
      keepAliveTimeout: core.keepAliveTimeout * 1000,
    },
    (req, res) => {
      void handleRequest(src, listen, req, res, counts);
    },
  );
  server.maxHeadersCount = (core.limitRequestFields || 2000) + 1;
  server.timeout = core.timeout * 1000;
  server.headersTimeout = core.timeout * 1000;
  // core Timeout: an idle socket holding part of a request gets httpd's 408 (protocol.c
  // read_request_line/ap_get_mime_headers time out → 408); otherwise it is just closed.
  const active = new WeakMap<Socket, number>();
  const readAtIdle = new WeakMap<Socket, number>();
  server.on('request', (req: IncomingMessage, res: CountingResponse) => {
    const sock = req.socket;
    active.set(sock, (active.get(sock) ?? 0) + 1);
    res.once('close', () => {
      active.set(sock, (active.get(sock) ?? 1) - 1);
      readAtIdle.set(sock, sock.bytesRead);
    });
  });
  server.on('timeout', (socket: Socket) => {
    if ((active.get(socket) ?? 0) === 0 && socket.bytesRead > (readAtIdle.get(socket) ?? 0)) {
      const gen = src.current();
      gen.log.log('info', 'core', 'AH00566', 'request failed: read timeout (Timeout)', {
        client: `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`,
      });
      earlyError(gen, socket, 408);
      socket.destroySoon();
      return;
    }
    socket.destroy();
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const gen = src.current();
    const code = err.code ?? '';
    if (
      code === 'ECONNRESET' ||
      code === 'ERR_HTTP_REQUEST_TIMEOUT' ||
      (code === 'HPE_HEADER_OVERFLOW' && !socket.writable)
    ) {
      socket.destroy();
      return;
    }
    const client = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
    const raw = (err as { rawPacket?: unknown }).rawPacket;
    const line = Buffer.isBuffer(raw) ? (raw.toString('latin1').split(/\r?\n/)[0] ?? '') : '';
    if (
      code === 'HPE_INVALID_METHOD' &&
      /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/\d\.\d$/.test(line)
    ) {
      // protocol.c: a well-formed request line with a method httpd does not know → 501.
      gen.log.log('error', 'core', 'AH00135', `Invalid method in request ${line}`, { client });
      earlyError(gen, socket, 501, line.split(' ')[0] ?? 'GET');
      return;
    }
    gen.log.log('debug', 'core', 'MW00303', `client error: ${code} ${err.message}`, { client });
    earlyError(gen, socket, 400);
  });
  return server;
}
