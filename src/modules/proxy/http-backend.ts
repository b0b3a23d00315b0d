// httpd: modules/proxy/mod_proxy_http.c (proxy_http_handler, ap_proxy_http_request,
//        ap_proxy_http_process_response), modules/proxy/proxy_util.c
//        (ap_proxy_connect_backend, ap_proxy_create_hdrbrgd, ap_proxyerror).
//
// One request to an HTTP backend over node's http client, with a keep-alive Agent per
// worker (connection reuse). The request body and the response body are streamed with
// backpressure both ways. Errors answer as httpd does: a refused or unreachable backend
// 503 (AH00957 + AH01114), no status line in time 502 "Proxy Error" (AH01102 + AH00898),
// a bad header line 502 (AH01106), a backend that dies mid-body a cut-short response.

import { request as httpRequest } from 'node:http';
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { coreServer } from '../../core/view.js';
import { DONE } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { constructUrl, serverPortOf, splitServerName } from '../../request/server-name.js';
import { CountingResponse } from '../../http/server.js';
import { dropsConnection } from '../../http/die.js';
import { SERVER_BANNER } from '../../http/banner.js';
import { keepContentTypeInPlace } from '../../http/response-headers.js';
import { aprStatus } from '../../util/apr-status.js';
import { RequestBodyTooLargeError } from '../../request/record.js';
import { RequestReadTimeoutError } from '../../request/read-deadline.js';
import type { ProxyDirConf, ProxyServerConf } from './config.js';
import {
  cookieReverseMap,
  mergeHeader,
  requestHeadersForBackend,
  responseHeadersForClient,
  reverseMap,
  type BackendTarget,
} from './map.js';
import type { ProxyWorker } from './worker.js';

/** AP_SERVER_BASEVERSION for ProxyVia Full: the banner without its comment. */
const VIA_VERSION = SERVER_BANNER.replace(/ .*$/, '');

/** APR_TIMEUP as httpd logs it. */
const TIMEUP = '(70007)The timeout specified has expired';
/** APR_INCOMPLETE as httpd logs it. */
const INCOMPLETE = '(70008)Partial results are valid but processing is incomplete';

/** What the handler needs from the generation's proxy state. */
export interface AgentSource {
  agentFor(key: string, keepAlive: boolean, tcpKeepAlive: boolean): Agent;
}

/** Everything one backend exchange depends on. */
export interface BackendCall {
  readonly r: RequestRecord;
  readonly sconf: ProxyServerConf;
  readonly dconf: ProxyDirConf;
  readonly worker: ProxyWorker | undefined;
  readonly target: BackendTarget;
  readonly agents: AgentSource;
  readonly body: BodyPlan;
}

/** ServerName's host part (r->server->server_hostname). */
function serverHostname(r: RequestRecord): string {
  return splitServerName(coreServer(r.server.server).serverName).host ?? r.connection.localAddr;
}

/** ap_proxyerror: status line `NNN Proxy Error` and the reason in the error page. */
function proxyError(r: RequestRecord, status: number, message: string): number {
  r.notes.set(
    'error-notes',
    `The proxy server could not handle the request<p>Reason: <strong>${message}</strong></p>`,
  );
  r.notes.set('verbose-error-to', '*');
  r.notes.set('status-line', `${String(status)} Proxy Error`);
  return status;
}

/** The client asked for 100-continue and there is a body to send after it. */
const expects100 = (c: BackendCall): boolean =>
  c.dconf.forward100 !== false &&
  !c.body.none &&
  c.body.length !== 0 &&
  c.r.headersIn.headers.expect?.toLowerCase() === '100-continue';

/** The header fields sent to the backend, in httpd's order (Host first). */
export function backendHeaders(c: BackendCall): [string, string][] {
  const { r, target, dconf, sconf } = c;
  const raw = r.headersIn.rawHeaders;
  const fields = requestHeadersForBackend(raw);
  // Proxy100Continue (On by default): a client's 100-continue goes on with a body to send;
  // otherwise Expect is dropped.
  if (!expects100(c)) {
    for (let i = fields.length - 1; i >= 0; i--)
      if (fields[i]?.[0].toLowerCase() === 'expect') fields.splice(i, 1);
  }
  const clientHost = r.headersIn.headers.host;
  let host: string;
  if (dconf.preserveHost === true) {
    host = clientHost ?? serverHostname(r);
  } else {
    const h = target.host.includes(':') ? `[${target.host}]` : target.host;
    host = target.port === 80 ? h : `${h}:${String(target.port)}`;
  }
  const portNum = serverPortOf(r);
  const portstr = portNum === 80 ? '' : `:${String(portNum)}`;
  const via = sconf.via ?? 'off';
  if (via === 'block') {
    for (let i = fields.length - 1; i >= 0; i--)
      if (fields[i]?.[0].toLowerCase() === 'via') fields.splice(i, 1);
  } else if (via !== 'off') {
    const v = `${r.protocol.replace(/^HTTP\//, '')} ${serverHostname(r)}${portstr}`;
    mergeHeader(fields, 'Via', via === 'full' ? `${v} (${VIA_VERSION})` : v);
  }
  if (dconf.addHeaders !== false) {
    mergeHeader(fields, 'X-Forwarded-For', r.useragentIp);
    if (clientHost !== undefined) mergeHeader(fields, 'X-Forwarded-Host', clientHost);
    mergeHeader(fields, 'X-Forwarded-Server', serverHostname(r));
  }
  // A reverse proxy that authenticated the user itself does not pass the credentials on.
  if (r.user !== undefined && !r.env.has('Proxy-Chain-Auth')) {
    for (let i = fields.length - 1; i >= 0; i--)
      if (fields[i]?.[0].toLowerCase() === 'proxy-authorization') fields.splice(i, 1);
  }
  const reuse =
    c.worker !== undefined && c.worker.disableReuse !== true && !r.env.has('proxy-nokeepalive');
  const out: [string, string][] = [['Host', host], ...fields];
  out.push(['Connection', reuse ? 'Keep-Alive' : 'close']);
  if (c.body.length !== undefined) out.push(['Content-Length', String(c.body.length)]);
  return out;
}

/**
 * How much of a chunked request body is read before the backend is contacted
 * (ap_proxy_prefetch_input's MAX_MEM_SPOOL): a body that ends within it is sent with a
 * Content-Length, as httpd does; a longer one is streamed chunked.
 */
const PREFETCH = 16384;

/** The request body as it will be sent to the backend. */
export interface BodyPlan {
  /** Already read (prefetched). */
  readonly first: readonly Buffer[];
  /** The rest, still to read; undefined when `first` is all of it. */
  readonly rest: AsyncGenerator<Buffer> | undefined;
  /** The Content-Length to send; undefined = chunked (or no body). */
  readonly length: number | undefined;
  /** No body at all: neither Content-Length nor Transfer-Encoding goes out. */
  readonly none: boolean;
}

/** The status a failed body read answers (ap_map_http_request_error). */
export function bodyErrorStatus(e: unknown): number {
  if (e instanceof RequestBodyTooLargeError) return 413;
  if (e instanceof RequestReadTimeoutError) return 408;
  return 400;
}

/** Decide the body framing; reads up to PREFETCH bytes of a chunked body. */
export async function planBody(r: RequestRecord): Promise<BodyPlan | { status: number }> {
  const h = r.headersIn.headers;
  const te = h['transfer-encoding'] !== undefined;
  const cl = h['content-length'];
  if (r.main !== undefined || (!te && cl === undefined))
    return { first: [], rest: undefined, length: undefined, none: true };
  if (!te) {
    const n = Number(cl);
    return { first: [], rest: n > 0 ? r.readBody() : undefined, length: n, none: false };
  }
  const it = r.readBody();
  const first: Buffer[] = [];
  let n = 0;
  try {
    while (n < PREFETCH) {
      const x = await it.next();
      if (x.done === true) return { first, rest: undefined, length: n, none: false };
      first.push(x.value);
      n += x.value.length;
    }
  } catch (e) {
    return { status: bodyErrorStatus(e) };
  }
  return { first, rest: it, length: undefined, none: false };
}

/** Wait until `req` can take more, or is gone. */
function drained(req: ClientRequest): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

/** Feed the body to the backend with backpressure; settles when sent (rejects on a read error). */
async function sendBody(plan: BodyPlan, req: ClientRequest, waitContinue: boolean): Promise<void> {
  if (plan.none) {
    // Neither framing header: node would add Content-Length: 0 (or chunked) itself.
    req.removeHeader('Content-Length');
    req.removeHeader('Transfer-Encoding');
  }
  let send = true;
  if (waitContinue) {
    req.flushHeaders();
    // The backend's 100 Continue lets the body go; a final answer first means it is not
    // wanted (it is still read from the client, and the connection is not reused).
    send = await new Promise<boolean>((resolve) => {
      req.once('continue', () => resolve(true));
      req.once('response', () => resolve(false));
      req.once('close', () => resolve(false));
    });
  }
  if (send)
    for (const chunk of plan.first) if (!req.destroyed && !req.write(chunk)) await drained(req);
  if (plan.rest !== undefined) {
    for await (const chunk of plan.rest) {
      if (!send || req.destroyed) continue; // keep reading: the body must still be consumed
      if (!req.write(chunk)) await drained(req);
    }
  }
  if (!send) req.shouldKeepAlive = false;
  if (!req.destroyed) req.end();
}

/** How the exchange ended before a response head arrived. */
type HeadOutcome =
  | { readonly kind: 'response'; readonly res: IncomingMessage }
  | { readonly kind: 'connect'; readonly error: unknown }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'read'; readonly error: unknown };

class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  readonly errno = 110;
}

/** Start the backend request and wait for the response head (or the reason there is none). */
function exchange(
  c: BackendCall,
  agent: Agent,
  ioTimeoutMs: number,
  connectTimeoutMs: number,
): {
  req: ClientRequest;
  head: Promise<HeadOutcome>;
  body: Promise<void>;
  timedOut: () => boolean;
  bodyError: () => { readonly e: unknown } | undefined;
} {
  const { r, target } = c;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of backendHeaders(c)) {
    const prev = headers[k];
    headers[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const req = httpRequest({
    host: target.host,
    port: target.port,
    method: r.method,
    path: target.path,
    headers,
    agent,
    setHost: false,
  });
  let connected = false;
  let timedOut = false;
  const head = new Promise<HeadOutcome>((resolve) => {
    req.once('socket', (sock: Socket) => {
      if (!sock.connecting) {
        connected = true;
        return;
      }
      const timer = setTimeout(() => {
        req.destroy(new ConnectTimeoutError('connect timeout'));
      }, connectTimeoutMs);
      sock.once('connect', () => {
        connected = true;
        clearTimeout(timer);
      });
      sock.once('close', () => {
        clearTimeout(timer);
      });
    });
    req.setTimeout(ioTimeoutMs, () => {
      timedOut = true;
      req.destroy();
    });
    req.once('response', (res) => {
      resolve({ kind: 'response', res });
    });
    req.on('error', (error) => {
      if (timedOut) resolve({ kind: 'timeout' });
      else if (!connected) resolve({ kind: 'connect', error });
      else resolve({ kind: 'read', error });
    });
  });
  let bodyError: { readonly e: unknown } | undefined;
  const body = sendBody(c.body, req, expects100(c)).catch((e: unknown) => {
    bodyError = { e };
    req.destroy();
  });
  return { req, head, body, timedOut: () => timedOut, bodyError: () => bodyError };
}

/** Response header fields that carry a URL ProxyPassReverse maps back. */
const REVERSE_MAPPED = new Set(['location', 'content-location', 'uri', 'destination']);

/** ap_proxy_should_override: does ProxyErrorOverride take this status? */
function shouldOverride(d: ProxyDirConf, status: number): boolean {
  if (d.errorOverride !== true || status < 400 || status >= 600) return false;
  const codes = d.errorOverrideCodes;
  return codes.length === 0 || codes.includes(status);
}

/** Is this a node HTTP parser error about a header line (ProxyBadHeader's territory)? */
const isBadHeader = (e: unknown): boolean =>
  e instanceof Error &&
  'code' in e &&
  typeof e.code === 'string' &&
  /^HPE_(INVALID_HEADER_TOKEN|INVALID_HEADER|HEADER_OVERFLOW|LF_EXPECTED|CR_EXPECTED|UNEXPECTED_SPACE)/.test(
    e.code,
  );

/** The pieces of a started exchange that the handler follows. */
type Exchange = ReturnType<typeof exchange>;

/** proxy_http_handler for one request whose backend is `c.target`. */
export async function proxyHttp(c: BackendCall): Promise<Outcome> {
  const { r, sconf, dconf, worker, target } = c;
  if (r.res instanceof CountingResponse) r.res.handlerTimesOut = true;
  const ioTimeoutMs =
    worker?.timeoutMs ?? sconf.timeoutMs ?? coreServer(r.server.server).timeout * 1000;
  const connectTimeoutMs = worker?.connectTimeoutMs ?? ioTimeoutMs;
  // The generic reverse worker (a [P] URL no ProxyPass worker covers) never reuses.
  const reuse =
    worker !== undefined && worker.disableReuse !== true && !r.env.has('proxy-nokeepalive');
  const key = worker?.name ?? `reverse:${target.host}:${String(target.port)}`;
  const agent = c.agents.agentFor(key, reuse, worker?.keepalive === true);
  let x: Exchange = exchange(c, agent, ioTimeoutMs, connectTimeoutMs);
  let current = x.req;
  const onGone = (): void => {
    if (!r.res.writableFinished) current.destroy();
  };
  r.res.once('close', onGone);
  let got = await x.head;
  // A kept-alive connection the backend closed meanwhile (ap_proxy_is_socket_connected):
  // try once more on a new one when no body bytes were committed to the dead one.
  if (
    got.kind === 'read' &&
    x.req.reusedSocket &&
    c.body.rest === undefined &&
    c.body.first.length === 0 &&
    !r.res.destroyed
  ) {
    x = exchange(c, agent, ioTimeoutMs, connectTimeoutMs);
    current = x.req;
    got = await x.head;
  }
  const { req, body, timedOut, bodyError } = x;
  const finish = async (): Promise<void> => {
    await body;
    r.res.off('close', onGone);
  };
  const addr = `${target.host}:${String(target.port)}`;
  if (got.kind !== 'response') {
    await finish();
    // The client's body could not be read: its own status (400, 408, 413).
    const failed = bodyError();
    if (failed !== undefined) return bodyErrorStatus(failed.e);
  }
  if (got.kind === 'connect') {
    r.generation.log.log(
      'error',
      'proxy',
      'AH00957',
      `http: attempt to connect to ${addr} (${addr}) failed`,
      { status: aprStatus(got.error) ?? TIMEUP },
    );
    r.logError(
      'error',
      'proxy_http',
      'AH01114',
      `HTTP: failed to make connection to backend: ${target.host}`,
    );
    return 503;
  }
  if (got.kind === 'timeout' || got.kind === 'read') {
    if (got.kind === 'read' && isBadHeader(got.error)) {
      r.logError(
        'warn',
        'proxy_http',
        'AH01106',
        `bad HTTP/1.1 header returned by ${r.uri} (${r.method})`,
      );
      return 502;
    }
    const status = got.kind === 'timeout' ? TIMEUP : aprStatus(got.error);
    r.logError(
      'error',
      'proxy_http',
      'AH01102',
      `error reading status line from remote server ${addr}`,
      ...(status === undefined ? [] : [status]),
    );
    r.logError(
      'error',
      'proxy',
      'AH00898',
      `Error reading from remote server returned by ${r.uri}`,
    );
    return proxyError(r, 502, 'Error reading from remote server');
  }
  const res = got.res;
  const status = res.statusCode ?? 502;
  if (shouldOverride(dconf, status)) {
    // ProxyErrorOverride: this server's ErrorDocument answers; the backend's body goes.
    res.resume();
    await finish();
    return status;
  }
  const fields = responseHeadersForClient(res.rawHeaders);
  const flat: string[] = [];
  // ap_proxy_http_process_response tucks the cookies away and adds them after the rest.
  const cookies: string[] = [];
  const mapCookies = dconf.cookiePaths.length > 0 || dconf.cookieDomains.length > 0;
  const chunked = res.headers['transfer-encoding'] !== undefined;
  for (const [k, v] of fields) {
    const lk = k.toLowerCase();
    if (chunked && lk === 'content-length') continue;
    if (lk === 'set-cookie')
      cookies.push(k, mapCookies ? cookieReverseMap(v, dconf.cookiePaths, dconf.cookieDomains) : v);
    else
      flat.push(
        k,
        REVERSE_MAPPED.has(lk) ? reverseMap(dconf.raliases, v, (p) => constructUrl(r, p)) : v,
      );
  }
  flat.push(...cookies);
  const via = sconf.via ?? 'off';
  if (via === 'on' || via === 'full') {
    const portNum = serverPortOf(r);
    // The client's protocol version, as httpd writes it (r->proto_num).
    const v = `${r.protocol.replace(/^HTTP\//, '')} ${serverHostname(r)}${portNum === 80 ? '' : `:${String(portNum)}`}`;
    flat.push('Via', via === 'full' ? `${v} (${VIA_VERSION})` : v);
  }
  // ap_set_keepalive: after these statuses the client connection closes (as for any answer).
  if (dropsConnection(status)) flat.push('Connection', 'close');
  r.status = status;
  keepContentTypeInPlace(r.res);
  r.res.writeHead(status, res.statusMessage, flat);
  await streamBack(r, res, req, timedOut);
  await finish();
  return DONE;
}

/**
 * Copy the backend's body to the client with backpressure. A backend that stops short
 * (closed or timed out mid-body) cuts the client's response too: the connection is closed
 * without completing the body, so the client cannot take it for a whole response.
 */
function streamBack(
  r: RequestRecord,
  res: IncomingMessage,
  req: ClientRequest,
  timedOut: () => boolean,
): Promise<void> {
  const out = r.res;
  return new Promise((resolve) => {
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      res.off('data', onData);
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      if (!out.write(chunk)) res.pause();
    };
    const onDrain = (): void => {
      res.resume();
    };
    const onClose = (): void => {
      if (!out.writableFinished) req.destroy();
      done();
    };
    const cut = (): void => {
      if (settled) return;
      r.logError(
        'error',
        'proxy_http',
        'AH01110',
        'error reading response',
        timedOut() ? TIMEUP : INCOMPLETE,
      );
      out.destroy();
      done();
    };
    out.on('drain', onDrain);
    out.on('close', onClose);
    res.on('data', onData);
    res.once('aborted', cut);
    res.once('error', cut);
    res.once('end', () => {
      if (res.complete) {
        out.end();
        done();
      } else cut();
    });
  });
}
