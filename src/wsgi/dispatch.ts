// mod_wsgi: src/server/wsgi_remote.c (wsgi_execute_remote: send the environ and the body
// to the daemon, read the CGI response back and stream it to the client). Here the
// request rides one stream of a worker's multiplexed channel, and both bodies move under
// per-stream credit (docs/protocol.md, Flow control), so neither side holds a whole body.
//
// Better than mod_wsgi on purpose (reference §7): a crashed worker gives a 502 whose log
// line names the exit status/signal and pid (not "Truncated or oversized response
// headers"); a failure after the response started aborts the client connection so the
// truncation is visible (no terminating chunk, issue #42); request-timeout answers 504 for
// the one request that overran (or aborts its connection) and names URI, pid and elapsed
// time in the log (reference §7 #9; the pool decides whether the worker must go).

import { flushOutput, hasOutputFilters } from '../request/output-filter.js';
import type { ServerResponse } from 'node:http';
import { RequestReadTimeoutError } from '../request/read-deadline.js';
import type { ErrorLog } from '../logging/error-log.js';
import type { BodyStream } from '../request/record.js';
import type { Environ } from './protocol/messages.js';
import { INITIAL_WINDOW } from './protocol/frames.js';
import { PoolError } from './daemon/supervisor.js';
import { scanHeaders } from './scan-headers.js';
import type { ProcessPool } from './daemon/supervisor.js';
import type { StreamHandler, WorkerStream } from './daemon/worker-process.js';

/** Response bytes the client socket may hold before credit is withheld (see onData). */
const CLIENT_BUFFER = 1 << 20;

/** The request body as dispatch consumes it: RequestRecord.bodyStream(), paused. */
export type BodySource = BodyStream;

/** What the wsgi handler hands to a daemon group for one request. */
export interface DispatchRequest {
  readonly environ: Environ;
  readonly body: BodySource | null;
  readonly scriptFilename: string;
  readonly scriptMtimeMs: number;
  readonly headOnly: boolean;
  /**
   * WSGIErrorOverride (daemon mode): a 400–599 status from the application is answered
   * through the error path (hooks.onError) and the application's body is discarded.
   */
  readonly errorOverride?: boolean;
  /**
   * Daemon mode (wsgi_execute_remote): a 200 whose Location is a local path ('/…') is an
   * internal redirect, CGI-style: the body is discarded and hooks.onInternalRedirect runs.
   */
  readonly internalRedirect?: boolean;
  /** r->request_time (ms since the epoch), for a Last-Modified from the app; default: now. */
  readonly requestTimeMs?: number;
}

/** Optional hooks: ErrorDocument rendering and log decoration. */
export interface DispatchHooks {
  /**
   * Render an error response (ErrorDocument logic); default: a canned Apache page.
   * `keep` holds the application's headers that survive into it (err_headers_out).
   */
  readonly onError?: (status: number, keep: readonly Header[]) => void | Promise<void>;
  /** `[client ip:port]` decoration for log lines. */
  readonly client?: string;
  /** Serve `location` as an internal redirect (GET); resolves with the final status. */
  readonly onInternalRedirect?: (location: string) => Promise<number>;
}

/** One response header, name and value. */
export type Header = readonly [string, string];

/**
 * Headers mod_wsgi's wsgi_scan_headers files under r->err_headers_out, which
 * ap_send_error_response keeps: an overridden error still carries the app's challenge.
 */
const KEPT_ON_OVERRIDE = new Set(['www-authenticate']);

/** A status whose response has a body (not 1xx, 204 or 304). */
const hasBody = (status: number): boolean => status >= 200 && status !== 204 && status !== 304;

/** ap_is_HTTP_ERROR: the statuses WSGIErrorOverride replaces. */
export const isHttpError = (status: number): boolean => status >= 400 && status < 600;

/** Outcome for the access log. `status` is Apache's r->status (200 if the client left first). */
export interface DispatchResult {
  readonly status: number;
  readonly bytesSent: number;
}

const TITLES: Readonly<Record<number, [string, string]>> = {
  404: ['Not Found', 'The requested URL was not found on this server.'],
  500: [
    'Internal Server Error',
    'The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.',
  ],
  502: ['Bad Gateway', 'The proxy server received an invalid\nresponse from an upstream server.'],
  503: [
    'Service Unavailable',
    'The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.',
  ],
  504: [
    'Gateway Timeout',
    'The gateway did not receive a timely response\nfrom the upstream server or application.',
  ],
};

/** A canned Apache-style error page (http_protocol.c get_canned_error_string, paraphrased). */
export function cannedErrorPage(status: number): string {
  const [title, text] = TITLES[status] ?? ['Error', 'An error occurred.'];
  return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${status} ${title}</title>\n</head><body>\n<h1>${title}</h1>\n<p>${text}</p>\n</body></html>\n`;
}

/**
 * Make a started response visibly truncated: flush what was written, then close the
 * connection without the terminating chunk (destroy() alone could drop corked bytes).
 */
function truncate(res: ServerResponse): void {
  const sock = res.socket;
  if (sock && !sock.destroyed) sock.destroySoon();
  else res.destroy();
}

function defaultError(res: ServerResponse, status: number, keep: readonly Header[] = []): void {
  const body = cannedErrorPage(status);
  const headers: string[] = [];
  for (const [k, v] of keep) headers.push(k, v);
  headers.push('Content-Type', 'text/html; charset=iso-8859-1');
  headers.push('Content-Length', String(Buffer.byteLength(body, 'latin1')));
  res.writeHead(status, headers);
  res.end(body, 'latin1');
}

/** The request URI for log lines: REQUEST_URI, else SCRIPT_NAME + PATH_INFO [+ ?QUERY_STRING]. */
function requestUri(environ: Environ): string {
  const env: ReadonlyMap<string, string> = 'size' in environ ? environ : new Map(environ);
  const raw = env.get('REQUEST_URI');
  if (raw !== undefined) return raw;
  const qs = env.get('QUERY_STRING') ?? '';
  return `${env.get('SCRIPT_NAME') ?? ''}${env.get('PATH_INFO') ?? ''}${qs ? `?${qs}` : ''}`;
}

/** Run one request on `pool` and stream the response into `res`. Never rejects. */
export function dispatch(
  pool: ProcessPool,
  req: DispatchRequest,
  res: ServerResponse,
  log: ErrorLog,
  hooks: DispatchHooks = {},
): Promise<DispatchResult> {
  return new Promise<DispatchResult>((resolve) => {
    const group = pool.spec.name;
    const fields = hooks.client !== undefined ? { client: hooks.client } : {};
    const body = req.body;
    let stream: WorkerStream | undefined;
    let started = false;
    let finished = false;
    let aborted = false;
    /** request-timeout fired: the worker's late frames for this stream are ignored. */
    let timedOut = false;
    let status = 0;
    let bytesSent = 0;
    let pendingGrant = 0;
    const pend: Buffer[] = [];
    let bodyEnded = false;
    let eofSent = false;
    /** WSGIErrorOverride took the response: its status, while the app's body is discarded. */
    let overridden = 0;
    /** A 200 + local Location (internal redirect): its target, while the body is dropped. */
    let redirectTo: string | undefined;
    /** The app's headers an overridden error keeps (WWW-Authenticate). */
    let keep: readonly Header[] = [];

    const done = (st: number): void => {
      if (finished) return;
      finished = true;
      res.off('close', onClose);
      res.off('drain', onDrain);
      detachBody();
      resolve({ status: st, bytesSent });
    };

    const renderError = (st: number): void => {
      status = st;
      if (aborted || res.headersSent) {
        if (!aborted) truncate(res);
        done(st);
        return;
      }
      const p = hooks.onError
        ? Promise.resolve(hooks.onError(st, keep))
        : Promise.resolve(defaultError(res, st, keep));
      p.then(
        () => done(st),
        (e: unknown) => {
          log.log('error', 'wsgi', 'MW00220', `error page for ${st} failed: ${String(e)}`, fields);
          if (!res.headersSent) defaultError(res, st, keep);
          else truncate(res);
          done(st);
        },
      );
    };

    /** Serve the internal redirect the app asked for (its body was discarded). */
    const followRedirect = (to: string): void => {
      const run = hooks.onInternalRedirect;
      if (run === undefined) {
        renderError(500);
        return;
      }
      run(to).then(
        (st) => done(st),
        (e: unknown) => {
          log.log(
            'error',
            'wsgi',
            'MW00233',
            `internal redirect to ${to} failed: ${String(e)}`,
            fields,
          );
          if (!res.headersSent) defaultError(res, 500);
          else truncate(res);
          done(500);
        },
      );
    };

    // ---- request body → worker, within credit
    const flushBody = (): void => {
      if (!stream || stream.closed || aborted) return;
      while (pend.length > 0 && stream.sendCredit > 0) {
        const c = pend[0];
        if (!c) break;
        const n = Math.min(c.length, stream.sendCredit, INITIAL_WINDOW);
        stream.data(n === c.length ? c : c.subarray(0, n));
        if (n === c.length) pend.shift();
        else pend[0] = c.subarray(n);
      }
      if (pend.length > 0) body?.pause();
      else if (bodyEnded) {
        if (!eofSent) {
          eofSent = true;
          stream.eof();
        }
      } else body?.resume();
    };
    const onBodyData = (chunk: Buffer | string): void => {
      pend.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
      flushBody();
    };
    const onBodyEnd = (): void => {
      bodyEnded = true;
      flushBody();
    };
    const onBodyError = (e: unknown): void => {
      if (!(e instanceof RequestReadTimeoutError)) {
        abort();
        return;
      }
      // mod_reqtimeout ended the body (mod_wsgi's daemon-mode proxying of the body failed):
      // the app's reads fail (ABORT), what it answers is dropped, the client gets 408.
      detachBody();
      if (aborted || finished || timedOut) return;
      timedOut = true;
      log.log(
        'error',
        'wsgi',
        'MW00234',
        `mod_wsgi (pid=${String(process.pid)}): Request data read error when proxying data to daemon process: The timeout specified has expired.`,
        fields,
      );
      stream?.abort();
      if (!started) renderError(408);
      else {
        truncate(res);
        done(status);
      }
    };
    const detachBody = (): void => {
      if (!body) return;
      body.off('data', onBodyData);
      body.off('end', onBodyEnd);
      body.off('error', onBodyError);
    };

    // ---- response body → client, granting credit as the socket takes it
    const onDrain = (): void => {
      if (pendingGrant > 0 && stream) {
        stream.grant(pendingGrant);
        pendingGrant = 0;
      }
    };

    const abort = (): void => {
      if (aborted || finished) return;
      aborted = true;
      stream?.abort();
      // Apache logs r->status for a client that left; it is 200 unless the app had set one.
      done(started || overridden !== 0 ? status : 200);
    };
    const onClose = (): void => {
      if (!res.writableFinished) abort();
    };
    res.on('close', onClose);

    const handler: StreamHandler = {
      client: hooks.client,
      onStart(statusLine, headers) {
        if (aborted || finished || timedOut) return;
        const sp = statusLine.indexOf(' ');
        const code = Number(sp < 0 ? statusLine : statusLine.slice(0, sp));
        const reason = sp < 0 ? undefined : statusLine.slice(sp + 1);
        if (req.errorOverride === true && isHttpError(code)) {
          // wsgi_execute_remote: the app's status goes to ap_die once its body has been read
          // and dropped (onData grants credit at once, so the worker runs on to close());
          // onEnd renders the page. mod_wsgi skips that wait for HEAD; here HEAD waits too,
          // so the request body keeps flowing until the worker is done with it.
          overridden = code;
          status = code;
          // r->status is the app's from here on: a client that leaves meanwhile logs it.
          res.statusCode = code;
          keep = headers.filter(([k]) => KEPT_ON_OVERRIDE.has(k.toLowerCase()));
          return;
        }
        if (req.internalRedirect === true && code === 200) {
          const loc = headers.find(([k]) => k.toLowerCase() === 'location')?.[1];
          if (loc?.startsWith('/') === true) {
            // wsgi_execute_remote: CGI semantics; the body is read and dropped (onData).
            redirectTo = loc;
            return;
          }
        }
        const flat: string[] = [];
        let length = false;
        for (const [k, v] of scanHeaders(headers, group !== '', req.requestTimeMs ?? Date.now())) {
          flat.push(k, v);
          if (!length && k.length === 14 && k.toLowerCase() === 'content-length') length = true;
        }
        // Without a Content-Length an HTTP/1.1 body is chunked; naming it here puts the header
        // where Apache does (after Connection) instead of where node would append it.
        if (!length && !req.headOnly && res.useChunkedEncodingByDefault && hasBody(code))
          flat.push('Transfer-Encoding', 'chunked');
        try {
          if (reason !== undefined) res.writeHead(code, reason, flat);
          else res.writeHead(code, flat);
        } catch (e) {
          log.log(
            'error',
            'wsgi',
            'MW00221',
            `invalid response from daemon process for '${req.scriptFilename}': ${e instanceof Error ? e.message : String(e)}`,
            fields,
          );
          stream?.abort();
          renderError(500);
          return;
        }
        started = true;
        status = code;
        res.on('drain', onDrain);
        // mod_wsgi flushes after the head and after every write: a filter (DEFLATE) passes
        // what it has at each flush, so a streamed body reaches the client as it is made.
        flushOutput(res);
      },
      onData(data, keep) {
        if (aborted || finished || timedOut || !started || req.headOnly) {
          stream?.grant(data.length);
          return;
        }
        bytesSent += data.length;
        // Grant at once while the client socket holds at most CLIENT_BUFFER bytes, not only
        // when write() returns true (its 16 KiB mark would stall the worker after every
        // frame): the worker then produces the next window while this one drains, and
        // memory per response stays bounded by CLIENT_BUFFER + INITIAL_WINDOW.
        let ok: boolean;
        if (keep === undefined) ok = res.write(data);
        else if (hasOutputFilters(res)) {
          // A filter (DEFLATE, SUBSTITUTE, …) may hold its input past the callbacks: a copy.
          ok = res.write(Buffer.from(data));
        } else {
          // The channel's memory holding `data` is reused once node has written it (or
          // dropped it: a destroyed socket never calls back).
          const release = keep();
          ok = res.write(data, release);
          if (res.destroyed || res.socket?.destroyed === true) release();
        }
        flushOutput(res);
        if (ok || res.writableLength <= CLIENT_BUFFER) stream?.grant(data.length);
        else pendingGrant += data.length;
      },
      onEnd() {
        detachBody();
        if (aborted || finished || timedOut) return;
        if (redirectTo !== undefined) {
          followRedirect(redirectTo);
          return;
        }
        if (overridden !== 0) {
          renderError(overridden);
          return;
        }
        if (!started) {
          log.log(
            'error',
            'wsgi',
            'MW00222',
            `daemon process ended the response for '${req.scriptFilename}' without a status`,
            fields,
          );
          renderError(500);
          return;
        }
        res.end(() => done(status));
      },
      onError(message) {
        detachBody();
        if (aborted || finished || timedOut) return;
        if (redirectTo !== undefined) {
          // wsgi_discard_output ignores what happens to the rest of the body.
          followRedirect(redirectTo);
          return;
        }
        if (overridden !== 0) {
          // wsgi_discard_output stops at the failure; the app's status is still answered.
          log.log(
            'error',
            'wsgi',
            'MW00232',
            `response for '${req.scriptFilename}' failed while its body was discarded: ${message}; answering its status ${overridden} (WSGIErrorOverride)`,
            fields,
          );
          renderError(overridden);
          return;
        }
        if (!started) {
          const st = message.startsWith('404 ') ? 404 : message.startsWith('503 ') ? 503 : 500;
          log.log(
            'error',
            'wsgi',
            'MW00223',
            `request for '${req.scriptFilename}' in group '${group}' failed: ${message}`,
            fields,
          );
          renderError(st);
          return;
        }
        log.log(
          'error',
          'wsgi',
          'MW00224',
          `response for '${req.scriptFilename}' failed after it started: ${message}; aborting the client connection`,
          fields,
        );
        truncate(res);
        done(status);
      },
      onWindow() {
        flushBody();
      },
      onTimeout(elapsedMs) {
        detachBody();
        const live = !(aborted || finished || timedOut);
        timedOut = true;
        const pid = stream?.worker.pid;
        const what = !live
          ? 'the client had already gone'
          : overridden !== 0
            ? `answering its status ${overridden} (WSGIErrorOverride)`
            : started
              ? 'aborting the client connection'
              : 'answering 504 Gateway Timeout';
        log.log(
          'error',
          'wsgi',
          'MW00227',
          `request for '${requestUri(req.environ)}' exceeded request-timeout (${pool.spec.requestTimeout}s) after ${(elapsedMs / 1000).toFixed(3)}s on daemon process (pid ${String(pid)}) of group '${group}'; ${what}`,
          pid !== undefined ? { ...fields, pid } : fields,
        );
        if (!live) return;
        if (overridden !== 0) renderError(overridden);
        else if (!started) renderError(504);
        else {
          truncate(res);
          done(status);
        }
      },
      onSocketTimeout() {
        if (aborted || finished || timedOut) return true;
        // Waiting on the client is not the daemon's silence: a response it is slow to take
        // (credit held back), or a body it has not sent yet.
        if (pendingGrant > 0) return false;
        if (body !== null && !bodyEnded && pend.length === 0) return false;
        detachBody();
        timedOut = true;
        if (!started && overridden === 0 && redirectTo === undefined) {
          // wsgi_scan_headers_brigade: WSGI_HEADER_TIMEOUT → HTTP_GATEWAY_TIME_OUT.
          log.log(
            'error',
            'wsgi',
            'MW00235',
            `Timeout when reading response headers from daemon process '${group}': ${req.scriptFilename}`,
            fields,
          );
          renderError(504);
          return true;
        }
        // wsgi_execute_remote (4.9.4): a blocking read of the body from the daemon timed out.
        // Apache then ends the body as if complete; here the client can tell (truncate).
        log.log(
          'error',
          'wsgi',
          'MW00236',
          `(70007)The timeout specified has expired: mod_wsgi (pid=${String(process.pid)}): Failed to proxy response from daemon.`,
          fields,
        );
        if (overridden !== 0) renderError(overridden);
        else if (redirectTo !== undefined) followRedirect(redirectTo);
        else {
          truncate(res);
          done(status);
        }
        return true;
      },
      onFail(cause, pid) {
        detachBody();
        if (aborted || finished || timedOut) return;
        if (redirectTo !== undefined) {
          followRedirect(redirectTo);
          return;
        }
        log.log(
          'error',
          'wsgi',
          'MW00225',
          `daemon process (pid ${String(pid)}) of group '${group}' ${cause} while handling request for '${req.scriptFilename}'`,
          fields,
        );
        if (overridden !== 0) renderError(overridden);
        else if (!started) renderError(502);
        else {
          truncate(res);
          done(status);
        }
      },
    };

    pool.open(req.scriptFilename, req.scriptMtimeMs, handler).then(
      (s) => {
        stream = s;
        if (aborted || finished) {
          // The client left while queued: the worker still runs close(), ending the stream.
          s.request(req.environ, false);
          s.abort();
          return;
        }
        s.request(req.environ, body !== null);
        if (body) {
          body.on('data', onBodyData);
          body.on('end', onBodyEnd);
          body.on('error', onBodyError);
          if (body.readableEnded) onBodyEnd();
          else body.resume();
        }
      },
      (e: unknown) => {
        const st = e instanceof PoolError ? e.status : 503;
        log.log('error', 'wsgi', 'MW00226', e instanceof Error ? e.message : String(e), fields);
        if (aborted) return;
        renderError(st);
      },
    );
  });
}
