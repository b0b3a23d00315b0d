// httpd: server/protocol.c (read_request_line / ap_parse_request_line: a request-target
// that is not origin-form gives 400 and "AH03450: HTTP Request Line; Unable to parse URI"),
// server/util.c (ap_parse_uri over apr_uri_parse), modules/http/http_request.c (the
// refused request still runs log_transaction).
//
// node's parser refuses a target such as `ftp:x`, `foo:bar` or `1ftp://h/x` before any
// request object exists (HPE_INVALID_URL). httpd reads the same line into a request_rec,
// answers 400 and logs it like any request, so the access log shows
// `"GET ftp:x HTTP/1.1" 400 341`. This file builds the minimal record for that one line
// (method, target, protocol, connection, the address-based server) and runs the
// log_transaction hooks on it; normal requests never come here. The same goes for any
// request node's parser refuses with 400 or 501 (a bad header line, a bad Content-Length,
// a request line that is not one): httpd logs each of them with the line as it was read.

import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ListenIR } from '../config/ir.js';
import { runAll } from '../request/hooks.js';
import { Request } from '../request/record.js';
import type { Generation } from '../server/generation.js';
import { selectServer } from './vhost.js';
import { connectionOf, unmapV4 } from './connection.js';

/** A request line node refused for its target: `METHOD SP target SP HTTP/x.y`. */
export interface RefusedLine {
  readonly method: string;
  readonly target: string;
  /** `1.1` from `HTTP/1.1`. */
  readonly version: string;
  /** r->the_request when it is not `method target HTTP/version` (a malformed line). */
  readonly theRequest?: string;
}

/**
 * The request line at the start of bytes node's parser refused, for the access log: up to
 * the first LF, a CR before it dropped (a bare LF stays, as httpd's the_request keeps it).
 * Method and target are its first two words; undefined when there is no line.
 */
export function requestLineOf(raw: Buffer): RefusedLine | undefined {
  const text = raw.toString('latin1');
  const lf = text.indexOf('\n');
  let line = lf < 0 ? text : text.slice(0, lf);
  if (line.endsWith('\r')) line = line.slice(0, -1);
  else if (lf >= 0) line += '\n';
  if (line.trim() === '') return undefined;
  const [method = '', target = '', proto = ''] = line.trimEnd().split(' ');
  const version = /^HTTP\/(\d\.\d)$/.exec(proto)?.[1] ?? '1.0';
  return { method, target, version, theRequest: line };
}

/**
 * The request line of a target httpd refuses with 400 while reading it (not origin-form,
 * not `*`), or undefined when the line is not well formed or starts with `/`.
 */
export function refusedTargetLine(line: string): RefusedLine | undefined {
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([^\s/]\S*) HTTP\/(\d\.\d)$/.exec(line);
  if (m === null) return undefined;
  const [, method = '', target = '', version = ''] = m;
  return { method, target, version };
}

/**
 * What httpd's AH03450 names as the URI (r->uri after apr_uri_parse), or undefined when
 * httpd refuses the target without that message. A valid scheme (`ftp:`) is skipped first;
 * the URI then runs to the first `:`, `?` or `#`. After a scheme, an empty path or one
 * starting with `/` is refused elsewhere, silently (captured from httpd 2.4.71).
 */
export function unparsedUriOf(target: string): string | undefined {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(target);
  const rest = scheme === null ? target : target.slice(scheme[0].length);
  const end = rest.search(/[:?#]/);
  const uri = end < 0 ? rest : rest.slice(0, end);
  if (scheme !== null && (uri === '' || uri.startsWith('/'))) return undefined;
  return uri;
}

/** A request answered before node parsed it, for log_transaction. */
export interface UnparsedRequest {
  readonly gen: Generation;
  readonly listen: ListenIR;
  readonly socket: Socket;
  readonly line: RefusedLine;
  readonly status: number;
  /** Body bytes sent. */
  readonly bytes: number;
  /** Reports a log hook that threw (the server's MW00302). */
  readonly failed: (err: unknown) => void;
}

/**
 * Log a request refused at its request line as httpd does: the AH03450 debug line, then
 * log_transaction (access log) for a record with `status` and `bytes` body bytes. The
 * server is the one the connection's address selects (no Host header was read).
 */
export function logRefusedRequest(u: UnparsedRequest): void {
  const { gen, socket, line } = u;
  const client = `${unmapV4(socket.remoteAddress)}:${socket.remotePort ?? 0}`;
  const uri = unparsedUriOf(line.target);
  if (uri !== undefined)
    gen.log.log('debug', 'core', 'AH03450', `HTTP Request Line; Unable to parse URI: '${uri}'`, {
      client,
    });
  logUnparsedRequest(u);
}

/**
 * log_transaction for a request answered before node parsed it (status, `bytes` body bytes):
 * a minimal record with the line's method, target and the_request, on the server the
 * connection's address selects (no Host header was read).
 */
export function logUnparsedRequest(u: UnparsedRequest): void {
  const { gen, listen, socket, line, status, bytes, failed } = u;
  const req = new IncomingMessage(socket);
  req.method = line.method;
  req.url = line.target;
  req.httpVersion = line.version;
  const res = new ServerResponse(req);
  res.statusCode = status;
  const connection = connectionOf(socket, 0);
  const server = selectServer(gen.ir, listen, connection.localAddr, connection.localPort, '');
  const r = new Request({
    req,
    res,
    generation: gen,
    server,
    connection,
    perDir: gen.dirDefaults(server),
    status,
    bytesSent: () => bytes,
    ...(line.theRequest !== undefined ? { theRequest: line.theRequest } : {}),
  });
  try {
    const rv = runAll(gen.hooks.logTransaction, r);
    if (typeof rv !== 'number') rv.catch(failed);
  } catch (err) {
    failed(err);
  }
}
