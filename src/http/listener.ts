// httpd: server/listen.c (one listening socket per Listen), server/mpm/event/event.c
// (connection timeouts, retiring connections on restart), server/protocol.c (the 400/408/501
// httpd answers before a request exists).
//
// One node:http server per Listen: node's settings from the core config, the request
// callback (server.ts handleRequest), read timeouts and parser errors, and what a reload
// does to the connections open at the time.

import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { TlsSetup } from '../modules/module.js';
import type { TlsConnection } from '../request/record.js';
import type { ListenIR, ServerIR } from '../config/ir.js';
import type { Generation } from '../server/generation.js';
import { coreDir, coreServer } from '../core/view.js';
import type { CoreServerConf } from '../core/config.js';
import { cannedErrorPage, signatureFor } from './die.js';
import { SERVER_BANNER } from './banner.js';
import {
  logRefusedRequest,
  logUnparsedRequest,
  refusedTargetLine,
  requestLineOf,
} from './refused-request.js';
import { httpDate } from './response-headers.js';
import { statusLine } from './status.js';
import { splitServerName } from '../request/server-name.js';
import { CountingResponse, handleRequest, logFailed } from './server.js';
import { HeaderWatch } from './header-deadline.js';
import { unmapV4 } from './connection.js';
import { fanOutAccepts } from './accept-fanout.js';
import type { AcceptFanout } from './accept-fanout.js';
import type { ErrorLog } from '../logging/error-log.js';
import { selectServer } from './vhost.js';
import type { StageLimits } from '../request/read-deadline.js';
import type { ConnState, GenerationSource } from './server.js';

/**
 * Raw 400 for bytes node's parser refused (there is no request to hang a record on).
 * Returns the body's length, or undefined when nothing could be written.
 */
function earlyError(
  gen: Generation,
  socket: Socket,
  status: number,
  method = 'GET',
  errorNotes?: string,
): number | undefined {
  if (!socket.writable) return undefined;
  const core = coreServer(gen.ir.main.server);
  const sigConf = coreDir(gen.ir.main.dirDefaults).serverSignature;
  const name = splitServerName(core.serverName).host ?? socket.localAddress ?? 'localhost';
  const body = cannedErrorPage(
    status,
    {
      method,
      notes: new Map(errorNotes === undefined ? [] : [['error-notes', errorNotes]]),
      serverAdmin: core.serverAdmin,
      signature: signatureFor(sigConf, name, 80, core.serverAdmin),
    },
    '',
  );
  // A method node refuses never reaches a handler; httpd's default handler would answer
  // its 501 with the methods it serves (make_allow), so the same Allow goes out here.
  const trace = (gen.ir.main.server['core'] as CoreServerConf | undefined)?.traceEnable;
  const allow =
    status === 501 ? `Allow: GET,POST,OPTIONS,HEAD${trace === 'off' ? '' : ',TRACE'}\r\n` : '';
  socket.end(
    `HTTP/1.1 ${statusLine(status)}\r\nDate: ${httpDate()}\r\nServer: ${SERVER_BANNER}\r\n${allow}` +
      `Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n${body}`,
    'latin1',
  );
  return Buffer.byteLength(body, 'latin1');
}

/** A node:http server for one Listen, with what a reload needs to reach its connections. */
export interface HttpListener {
  readonly server: Server;
  /**
   * Apply the current generation's connection settings (Timeout, KeepAliveTimeout,
   * LimitRequest*) to the server: new connections get them (a reload).
   */
  configure(): void;
  /**
   * A reload retires every connection open now, as httpd's old children go away
   * (event.c: a graceful restart closes idle keep-alive connections and answers the
   * requests in progress with `Connection: close`; a restart kills the children, cutting
   * in-flight responses). graceful: an idle connection is closed, a busy one (or one
   * still sending its request) finishes that request and closes; otherwise every
   * connection is destroyed at once.
   */
  retireConnections(opts: { graceful: boolean }): void;
  /**
   * Stop listening (the extra accept handles too). Resolves once every connection this
   * listener accepted is closed, as net.Server.close does.
   */
  close(): Promise<void>;
}

/**
 * Open connections on one listener at which it asks for extra accept handles
 * (accept-fanout.ts): a server this busy spends long enough per loop iteration that taking
 * one new connection per iteration would leave a burst of them queued for seconds.
 */
export const FANOUT_AT = 8;

/** The response node is writing on `socket`, if any (node's own `_httpMessage`). */
function inFlight(socket: Socket): CountingResponse | null {
  return (socket as Socket & { _httpMessage?: CountingResponse | null })._httpMessage ?? null;
}

/** Node's server settings from the main server's core config. */
function applySettings(server: Server, src: GenerationSource): void {
  const core = coreServer(src.current().ir.main.server);
  // Big enough for LimitRequestLine + LimitRequestFields × LimitRequestFieldSize, so the
  // limits are checked (with httpd's statuses) by checkReadLimits, not by node's parser.
  // node reads maxHeaderSize when it sets up a connection's parser, so a change reaches
  // new connections (old ones are retired by the reload).
  (server as Server & { maxHeaderSize: number }).maxHeaderSize = Math.min(
    64 * 1024 * 1024,
    core.limitRequestLine +
      4 +
      (core.limitRequestFields || 100) * ((core.limitRequestFieldSize || 8190) + 4) +
      4,
  );
  server.maxHeadersCount = (core.limitRequestFields || 2000) + 1;
  server.keepAliveTimeout = core.keepAliveTimeout * 1000;
  server.timeout = core.timeout * 1000;
  server.headersTimeout = core.timeout * 1000;
}

/** What mod_status reports of the open connections (the event MPM's per-process counts). */
export interface ConnectionStats {
  /** Open client connections. */
  readonly total: number;
  /** Idle kept-alive connections, waiting for their next request. */
  readonly keepAlive: number;
}

/** The open connections of every listener of this process. */
const openConnections = new Set<{
  readonly sockets: ReadonlySet<Socket>;
  readonly conns: WeakMap<Socket, ConnState>;
}>();

/** Count the open connections (mod_status's ConnsTotal, ConnsAsyncKeepAlive). */
export function connectionStats(): ConnectionStats {
  let total = 0;
  let keepAlive = 0;
  for (const { sockets, conns } of openConnections) {
    for (const s of sockets) {
      total++;
      const c = conns.get(s);
      if (c !== undefined && c.active === 0 && s.bytesRead === c.readAtIdle) keepAlive++;
    }
  }
  return { total, keepAlive };
}

/** Create (not yet listening) the node:http server for one Listen. */
export function createListener(src: GenerationSource, listen: ListenIR): HttpListener {
  const conns = new WeakMap<Socket, ConnState>();
  const sockets = new Set<Socket>();
  const registered = { sockets, conns };
  openConnections.add(registered);
  /** The last request node parsed on each connection (for a half-close, see below). */
  const incoming = new WeakMap<Socket, IncomingMessage>();
  /** Connections a graceful reload retired: their next request is their last. */
  const retired = new WeakSet<Socket>();
  // mod_reqtimeout's header stage: the limits of the server a connection's address
  // selects (c->base_server), taken when it opens (a reload retires connections).
  const headerLimits = new WeakMap<Socket, StageLimits>();
  const headerWatch = new HeaderWatch((socket) => headerTimedOut(socket));
  const headerTimedOut = (socket: Socket): void => {
    const gen = src.current();
    gen.log.log('info', 'reqtimeout', 'AH01382', 'Request header read timeout', {
      client: `${unmapV4(socket.remoteAddress)}:${socket.remotePort ?? 0}`,
    });
    // node holds the partial request line, so it cannot be told apart from a partial
    // header: both get httpd's 408 page and log as a request line httpd did not read.
    const bytes = earlyError(gen, socket, 408);
    if (bytes !== undefined)
      logUnparsedRequest({
        gen,
        listen,
        socket,
        line: { method: 'GET', target: '', version: '1.1', theRequest: '-' },
        status: 408,
        bytes,
        failed: (e) => logFailed(gen, e),
      });
    socket.destroySoon();
  };
  const server = createServer<typeof IncomingMessage, typeof CountingResponse>(
    {
      ServerResponse: CountingResponse,
      requestTimeout: 0,
      requireHostHeader: false,
    },
    (req, res) => {
      const sock = req.socket;
      incoming.set(sock, req);
      if (retired.has(sock)) res.shouldKeepAlive = false;
      const limits = headerLimits.get(sock);
      if (limits !== undefined) headerWatch.unwatch(sock);
      void handleRequest(src, listen, req, res, conns);
      // After handleRequest's own 'finish' listener (which ends the request's count): the
      // connection, idle again, waits for the next request's head.
      if (limits !== undefined)
        res.once('finish', () => {
          if (!sock.destroyed && (conns.get(sock)?.active ?? 0) === 0)
            headerWatch.watch(sock, limits);
        });
    },
  );
  // Expect other than 100-continue: node would answer 417 itself; handleRequest answers it
  // as httpd does (canned page quoting the header, AH00570, access-logged).
  server.on('checkExpectation', (req: IncomingMessage, res: CountingResponse) => {
    incoming.set(req.socket, req);
    headerWatch.unwatch(req.socket);
    void handleRequest(src, listen, req, res, conns);
  });
  // CONNECT: node hands over the raw socket (no proxy here). httpd runs it through the
  // request cycle like any method (the default handler answers 405); node no longer parses
  // the connection, so it closes after the answer.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    headerWatch.unwatch(socket);
    const res = new CountingResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => socket.destroySoon());
    void handleRequest(src, listen, req, res, conns);
  });
  applySettings(server, src);
  server.once('close', () => openConnections.delete(registered));
  // A client may half-close once it has sent its request (shutdown(SHUT_WR), `nc -N`):
  // httpd still answers it. node's default aborts the request at the FIN; with
  // httpAllowHalfOpen its response is the connection's last. A FIN before the request
  // (its body) is complete means the client cannot finish it: that one is aborted.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  let fanout: AcceptFanout | undefined;
  let closing = false;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (fanout === undefined && !closing && sockets.size >= FANOUT_AT) {
      const bound = server.address() as AddressInfo | null;
      const where = `${listen.host === '' ? '*' : listen.host}:${bound?.port ?? listen.port}`;
      const log = (): ErrorLog => src.current().log;
      const fan = fanOutAccepts(server, {
        onError: (message) =>
          log().log('warn', 'core', 'MW00304', `no extra accept handles for ${where}: ${message}`),
      });
      fanout = fan;
      void fan.ready.then(() => {
        if (fan.handles > 0)
          log().log('debug', 'core', 'MW00305', `${fan.handles} extra accept handles for ${where}`);
      });
    }
    const gen = src.current();
    const base = selectServer(
      gen.ir,
      listen,
      unmapV4(socket.localAddress),
      socket.localPort ?? 0,
      '',
    );
    const limits = gen.readTimeouts(base)?.header;
    if (limits !== undefined) {
      headerLimits.set(socket, limits);
      headerWatch.watch(socket, limits);
      socket.once('close', () => headerWatch.unwatch(socket));
    }
    socket.once('end', () => {
      const req = incoming.get(socket);
      // (node's parser may already have answered 400 and be ending the socket.)
      if (req !== undefined && !req.complete && !socket.writableEnded) socket.destroy();
    });
  });
  server.on('timeout', (socket: Socket) => {
    if (inFlight(socket)?.handlerTimesOut === true && socket.writableLength === 0) return;
    const conn = conns.get(socket);
    if ((conn?.active ?? 0) === 0 && socket.bytesRead > (conn?.readAtIdle ?? 0)) {
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
    if (code === 'HPE_INVALID_TRANSFER_ENCODING' && inFlight(socket) !== null) {
      // A single coding that is not chunked ("gzip"): node dispatched the request before it
      // refused the body, and handleRequest answers it (400, AH02539, connection closed).
      return;
    }
    const client = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
    const raw = (err as { rawPacket?: unknown }).rawPacket;
    const line = Buffer.isBuffer(raw) ? (raw.toString('latin1').split(/\r?\n/)[0] ?? '') : '';
    const logged = (status: number, bytes: number | undefined): void => {
      // httpd runs log_transaction for these too, with the line as it read it.
      // A request node already dispatched (a bad body) is logged by its own record.
      const parsed =
        Buffer.isBuffer(raw) && inFlight(socket) === null ? requestLineOf(raw) : undefined;
      if (bytes !== undefined && parsed !== undefined)
        logUnparsedRequest({
          gen,
          listen,
          socket,
          line: parsed,
          status,
          bytes,
          failed: (e) => logFailed(gen, e),
        });
    };
    if (
      code === 'HPE_INVALID_METHOD' &&
      /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/\d\.\d$/.test(line)
    ) {
      // protocol.c: a well-formed request line with a method httpd does not know → 501.
      gen.log.log('error', 'core', 'AH00135', `Invalid method in request ${line}`, { client });
      logged(501, earlyError(gen, socket, 501, line.split(' ')[0] ?? 'GET'));
      return;
    }
    const refused = code === 'HPE_INVALID_URL' ? refusedTargetLine(line) : undefined;
    if (refused !== undefined) {
      // protocol.c: a target that is not origin-form is a 400 httpd still logs.
      const bytes = earlyError(gen, socket, 400);
      if (bytes !== undefined)
        logRefusedRequest({
          gen,
          listen,
          socket,
          line: refused,
          status: 400,
          bytes,
          failed: (e) => logFailed(gen, e),
        });
      return;
    }
    gen.log.log('debug', 'core', 'MW00303', `client error: ${code} ${err.message}`, { client });
    logged(400, earlyError(gen, socket, 400));
  });
  installTls(server, src, listen, conns);
  return {
    server,
    close() {
      closing = true;
      const own = new Promise<void>((resolve) => server.close(() => resolve()));
      return Promise.all([own, fanout?.close()]).then(() => undefined);
    },
    configure: () => applySettings(server, src),
    retireConnections({ graceful }): void {
      for (const socket of sockets) {
        if (!graceful) {
          socket.destroy();
          continue;
        }
        const res = inFlight(socket);
        const conn = conns.get(socket);
        const idle =
          conn !== undefined && conn.active === 0 && socket.bytesRead === conn.readAtIdle;
        if (res === null && idle) {
          socket.destroy();
          continue;
        }
        retired.add(socket);
        if (res === null) continue; // its request is still arriving: the callback marks it
        if (!res.headersSent) res.shouldKeepAlive = false;
        else res.once('finish', () => socket.destroySoon());
      }
    },
  };
}

/** OpenSSL's X509_V_ERR_* numbers of the reasons verifyPeer gives (AH02039's "(N)"). */
const X509_ERRNO: Readonly<Record<string, number>> = {
  'certificate is not yet valid': 9,
  'certificate has expired': 10,
  'self-signed certificate': 18,
  'self-signed certificate in certificate chain': 19,
  'unable to get local issuer certificate': 20,
  'certificate chain too long': 22,
};

/** mod_ssl's answer to plain HTTP on a TLS port (ssl_io_filter_error, HTTP_BAD_REQUEST). */
const PLAIN_HTTP_NOTES =
  "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n Instead use the HTTPS scheme to access this URL, please.<br />\n";

/**
 * mod_ssl's connection side (ssl_hook_pre_connection, ssl_io_filter_init): a connection
 * whose address selects a server with SSLEngine on speaks TLS with that server's
 * certificate, or with the certificate of the name-based virtual host its SNI names
 * (ssl_callback_ServerNameIndication). node's http connection handling gets the TLS
 * socket once the handshake is done. Plain HTTP sent there gets httpd's 400 page.
 * Listeners whose servers have no TLS setup pay one lookup per connection.
 */
function installTls(
  server: Server,
  src: GenerationSource,
  listen: ListenIR,
  conns: WeakMap<Socket, ConnState>,
): void {
  const plain = server.listeners('connection') as ((s: Socket) => void)[];
  server.removeAllListeners('connection');
  const handOver = (socket: Socket): void => {
    for (const l of plain) l.call(server, socket);
  };
  server.on('connection', (raw: Socket) => {
    const gen = src.current();
    if (raw instanceof TLSSocket || !gen.anyTls()) {
      handOver(raw);
      return;
    }
    const local = unmapV4(raw.localAddress);
    const base = selectServer(gen.ir, listen, local, raw.localPort ?? 0, '');
    const setup = gen.tls(base);
    if (setup === undefined) {
      handOver(raw);
      return;
    }
    const core = coreServer(gen.ir.main.server);
    raw.setTimeout(core.timeout * 1000, () => raw.destroy());
    raw.on('error', () => raw.destroy());
    raw.once('data', (chunk: Buffer) => {
      raw.pause();
      raw.unshift(chunk);
      raw.setTimeout(0);
      // A TLS record starts with its content type: 22 = handshake.
      if (chunk[0] === 0x16) startTls(raw, base, setup);
      else plainHttp(raw);
    });
  });

  const startTls = (raw: Socket, base: ServerIR, setup: TlsSetup): void => {
    const gen = src.current();
    const local = unmapV4(raw.localAddress);
    const client = `${unmapV4(raw.remoteAddress)}:${raw.remotePort ?? 0}`;
    let chosen = base;
    let chosenSetup = setup;
    let sni: string | undefined;
    // node asks for a client certificate when the socket is made, before SNI is known: if
    // any server of this generation verifies clients, every handshake asks (a client
    // without one still gets through where the chosen server does not require it).
    const requestCert =
      setup.verifyClient !== 'none' ||
      gen.ir.vhosts.some((v) => (gen.tls(v)?.verifyClient ?? 'none') !== 'none');
    const tls = new TLSSocket(raw, {
      isServer: true,
      secureContext: setup.context,
      requestCert,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      SNICallback: (name, cb) => {
        sni = name;
        const byName = selectServer(gen.ir, listen, local, raw.localPort ?? 0, name.toLowerCase());
        const named = gen.tls(byName);
        if (named !== undefined) {
          chosen = byName;
          chosenSetup = named;
        }
        cb(null, chosenSetup.context);
      },
    });
    const failed = (err: Error): void => {
      gen.log.log('info', 'ssl', 'AH02008', `SSL library error in handshake: ${err.message}`, {
        client,
      });
      tls.destroy();
    };
    tls.once('error', failed);
    tls.once('secure', () => {
      tls.off('error', failed);
      const mode = chosenSetup.verifyClient;
      const verify = mode === 'none' ? 'NONE' : chosenSetup.verifyPeer(tls);
      const refused =
        (mode === 'require' && verify !== 'SUCCESS') ||
        (mode === 'optional' && verify.startsWith('FAILED:'));
      if (refused) {
        // ssl_callback_SSLVerify (AH02039) / ssl_io_filter_handshake (AH02261).
        gen.log.log(
          'info',
          'ssl',
          verify === 'NONE' ? 'AH02261' : 'AH02039',
          verify === 'NONE'
            ? 'Re-negotiation handshake failed: No required SSL certificate was sent'
            : `Certificate Verification: Error (${X509_ERRNO[verify.slice(7)] ?? 0}): ${verify.slice(7)}`,
          { client },
        );
        tls.destroy();
        return;
      }
      const setupUsed = chosenSetup;
      let vars: Map<string, string> | undefined;
      const info: TlsConnection = {
        socket: tls,
        server: chosen,
        sni,
        clientVerify: verify,
        lookup: (name) => (vars ??= setupUsed.variables(tls, sni, verify)).get(name) ?? '',
      };
      conns.set(tls, { count: 0, active: 0, readAtIdle: 0, log: { id: undefined }, tls: info });
      handOver(tls);
    });
  };

  const plainHttp = (raw: Socket): void => {
    const gen = src.current();
    gen.log.log(
      'info',
      'ssl',
      'AH01996',
      'SSL handshake failed: HTTP spoken on HTTPS port; trying to send HTML error page',
      { client: `${unmapV4(raw.remoteAddress)}:${raw.remotePort ?? 0}` },
    );
    raw.resume();
    const bytes = earlyError(gen, raw, 400, 'GET', PLAIN_HTTP_NOTES);
    // mod_ssl answers a request line it makes up, "GET / HTTP/1.0", and logs that.
    if (bytes !== undefined)
      logUnparsedRequest({
        gen,
        listen,
        socket: raw,
        line: { method: 'GET', target: '/', version: '1.0', theRequest: 'GET / HTTP/1.0' },
        status: 400,
        bytes,
        failed: (e) => logFailed(gen, e),
      });
    raw.destroySoon();
  };
}
