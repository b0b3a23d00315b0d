// httpd: modules/http/http_request.c (ap_die_r), modules/http/http_protocol.c
// (ap_send_error_response, get_canned_error_string), server/core.c (ap_psignature).
//
// Answers an error status: the ErrorDocument for it (text, local URL through an internal
// redirect, remote URL as a 302), or Apache's canned HTML body byte for byte.

import { dropOutputFilters, outputStarted } from '../request/output-filter.js';
import { DONE, OK } from '../request/hooks.js';
import type { Outcome } from '../request/hooks.js';
import type { RequestRecord } from '../request/record.js';
import { coreDir, coreServer } from '../core/view.js';
import { makeAllow } from '../core/http-methods.js';
import { internalRedirect } from '../request/subrequest.js';
import { serverNameOf, serverPortOf } from '../request/server-name.js';
import { statusLine } from './status.js';
import { SERVER_BANNER } from './banner.js';
import { clearEntityHeaders } from './response-headers.js';

/** DOCTYPE_HTML_4_01, as Apache 2.4.6x+ writes it on canned error pages. */
const DOCTYPE =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n';

/** ap_escape_html. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** What a canned page depends on (a request, or the server defaults for early errors). */
export interface CannedContext {
  readonly method: string;
  readonly notes: ReadonlyMap<string, string>;
  readonly serverAdmin: string;
  /** ap_psignature("<hr>\n", r): '' when ServerSignature is Off. */
  readonly signature: string;
  /** The request's Expect header (the 417 page quotes it). */
  readonly expect?: string | undefined;
}

/** add_optional_notes: prefix + notes[key] (if any) + suffix. */
const notes = (r: CannedContext, prefix: string, key: string, suffix: string): string =>
  prefix + (r.notes.get(key) ?? '') + suffix;

/** get_canned_error_string: the paragraph between `<h1>` and the signature. */
export function cannedErrorString(status: number, r: CannedContext, location: string): string {
  const m = escapeHtml(r.method);
  switch (status) {
    case 301:
    case 302:
    case 307:
    case 308:
      return `<p>The document has moved <a href="${escapeHtml(location)}">here</a>.</p>\n`;
    case 303:
      return `<p>The answer to your request is located <a href="${escapeHtml(location)}">here</a>.</p>\n`;
    case 401:
    case 407:
      return "<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn't understand how to supply\nthe credentials required.</p>\n";
    case 400:
      return notes(
        r,
        '<p>Your browser sent a request that this server could not understand.<br />\n',
        'error-notes',
        '</p>\n',
      );
    case 403:
      return notes(
        r,
        "<p>You don't have permission to access this resource.",
        'error-notes',
        '</p>\n',
      );
    case 404:
      return '<p>The requested URL was not found on this server.</p>\n';
    case 421:
      return '<p>The client needs a new connection for this\nrequest as the requested host name does not match\nthe Server Name Indication (SNI) in use for this\nconnection.</p>\n';
    case 405:
      return `<p>The requested method ${m} is not allowed for this URL.</p>\n`;
    case 406:
      return notes(
        r,
        '<p>An appropriate representation of the requested resource could not be found on this server.</p>\n',
        'variant-list',
        '',
      );
    case 300:
      return notes(r, '', 'variant-list', '');
    case 506:
      return '<p>A variant for the requested resource\n<pre>\n\n</pre>\nis itself a negotiable resource. This indicates a configuration error.</p>\n';
    case 408:
      return '<p>Server timeout waiting for the HTTP request from the client.</p>\n';
    case 410:
      return '<p>The requested resource is no longer available on this server and there is no forwarding address.\nPlease remove all references to this resource.</p>\n';
    case 451:
      // mod_rewrite's [R=451] reaches it (get_canned_error_string).
      return '<p>Access to this URL has been denied for legal reasons.<br />\n</p>\n';
    case 411:
      return notes(
        r,
        `<p>A request of the requested method ${m} requires a valid Content-length.<br />\n`,
        'error-notes',
        '</p>\n',
      );
    case 412:
      return '<p>The precondition on the request for this URL evaluated to false.</p>\n';
    case 413:
      return `The requested resource does not allow request data with ${m} requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n`;
    case 414:
      return notes(
        r,
        "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n",
        'error-notes',
        '</p>\n',
      );
    case 415:
      return '<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n';
    case 417:
      return notes(
        r,
        `<p>The expectation given in the Expect request-header\nfield could not be met by this server.\nThe client sent<pre>\n    Expect: ${escapeHtml(r.expect ?? '')}\n</pre>\n`,
        'error-notes',
        '</p><p>Only the 100-continue expectation is supported.</p>\n',
      );
    case 416:
      return '<p>None of the range-specifier values in the Range\nrequest-header field overlap the current extent\nof the selected resource.</p>\n';
    case 431:
      return '<p>The server refused this request because\nthe request header fields are too large.</p>\n';
    case 501:
      return notes(r, `<p>${m} not supported for current URL.<br />\n`, 'error-notes', '</p>\n');
    case 502:
      return notes(
        r,
        '<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n',
        'error-notes',
        '</p>\n',
      );
    case 503:
      return '<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n';
    case 504:
      return '<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n';
    default:
      return (
        '<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n' +
        `<p>Please contact the server administrator at \n ${escapeHtml(r.serverAdmin)} to inform them of the time this error occurred,\n` +
        ' and the actions you performed just before this error.</p>\n' +
        '<p>More information about this error may be available\nin the server error log.</p>\n'
      );
  }
}

/** ap_psignature("<hr>\n", r) for a server name and port. */
export function signatureFor(
  sig: 'off' | 'on' | 'email',
  serverName: string,
  port: number,
  admin: string,
): string {
  if (sig === 'off') return '';
  const name = escapeHtml(serverName);
  if (sig === 'email') {
    const mailto = /^[a-z][a-z0-9+.-]*:/i.test(admin) ? '' : 'mailto:';
    return `<hr>\n<address>${SERVER_BANNER} Server at <a href="${mailto}${escapeHtml(admin)}">${name}</a> Port ${port}</address>\n`;
  }
  return `<hr>\n<address>${SERVER_BANNER} Server at ${name} Port ${port}</address>\n`;
}

/** The canned-page context of a request. */
export function cannedContext(r: RequestRecord): CannedContext {
  const admin = coreServer(r.server.server).serverAdmin;
  return {
    method: r.method,
    notes: r.notes,
    serverAdmin: admin,
    expect: r.headersIn.headers.expect,
    signature: signatureFor(
      coreDir(r.perDir).serverSignature,
      serverNameOf(r),
      serverPortOf(r),
      admin,
    ),
  };
}

/**
 * r->status_line when a module set one for this status (mod_proxy's "502 Proxy Error",
 * kept in the `status-line` note), else the standard line (ap_send_error_response's title).
 */
function statusLineOf(status: number, notes: ReadonlyMap<string, string>): string {
  const custom = notes.get('status-line');
  return custom?.startsWith(`${String(status)} `) === true ? custom : statusLine(status);
}

/** The whole canned page (ap_send_error_response's body). */
export function cannedErrorPage(
  status: number,
  r: CannedContext,
  location: string,
  recursive?: number,
): string {
  const title = statusLineOf(status, r.notes);
  let body = `${DOCTYPE}<html><head>\n<title>${title}</title>\n</head><body>\n<h1>${title.slice(4)}</h1>\n`;
  body += cannedErrorString(status, r, location);
  if (recursive !== undefined) {
    body += `<p>Additionally, a ${statusLine(recursive)}\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n`;
  }
  return body + r.signature + '</body></html>\n';
}

/** ap_status_drops_connection: statuses after which httpd closes the connection. */
export const dropsConnection = (s: number): boolean =>
  s === 400 ||
  s === 408 ||
  s === 411 ||
  s === 413 ||
  s === 414 ||
  s === 500 ||
  s === 503 ||
  s === 501;

const KEEP_ON_ERROR = new Set(['server', 'connection', 'keep-alive']);

/** 204/304: no body at all (AP_STATUS_IS_HEADER_ONLY). */
const headerOnlyStatus = (s: number): boolean => s === 204 || s === 304;

/** ap_send_error_response: reset headers (keeping Location for redirects), send the page. */
export function sendErrorResponse(
  r: RequestRecord,
  status: number,
  custom?: string,
  recursive?: number,
): void {
  const res = r.res;
  if (res.headersSent || outputStarted(res)) {
    // The handler already started the response: all we can do is cut it short.
    res.destroy();
    return;
  }
  // ap_send_error_response: r->output_filters = r->proto_output_filters (no DEFLATE on a
  // canned error page).
  dropOutputFilters(res);
  const location = res.getHeader('location');
  // Output filters of the resource (mod_headers' onsuccess lines) do not see this page.
  (res as typeof res & { errorResponse?: boolean }).errorResponse = true;
  clearEntityHeaders(res);
  // Keep the connection-level headers the server layer set (Server, Connection, Keep-Alive).
  for (const name of res.getHeaderNames()) if (!KEEP_ON_ERROR.has(name)) res.removeHeader(name);
  res.statusCode = status;
  res.statusMessage = statusLineOf(status, r.notes).slice(4);
  if (headerOnlyStatus(status)) {
    res.end();
    return;
  }
  const loc = typeof location === 'string' ? location : '';
  // err_headers_out go first (ap_http_header_filter overlays them before headers_out). A
  // value holding newlines is several fields of one name (e.g. mod_rewrite's cookies).
  for (const [name, value] of r.errHeadersOut)
    res.setHeader(name, value.includes('\n') ? value.split('\n') : value);
  if ((status >= 300 && status < 400) || status === 201) {
    if (loc !== '') res.setHeader('Location', loc);
  }
  // ap_send_error_response: 405 and 501 name the methods allowed here (make_allow).
  if (status === 405 || status === 501) res.setHeader('Allow', makeAllow(r));
  if (dropsConnection(status)) res.setHeader('Connection', 'close');
  if (r.env.has('nokeepalive')) res.shouldKeepAlive = false;
  const suppress = r.env.has('suppress-error-charset');
  res.setHeader('Content-Type', suppress ? 'text/html' : 'text/html; charset=iso-8859-1');
  const body = custom ?? cannedErrorPage(status, cannedContext(r), loc, recursive);
  res.setHeader('Content-Length', Buffer.byteLength(body, 'latin1'));
  if (r.headerOnly) res.end();
  else res.end(body, 'latin1');
}

/**
 * ap_die: answer `status` for r. An error inside an ErrorDocument redirect falls back to
 * the original request's canned page with the "Additionally, a … error" paragraph.
 */
export async function die(r: RequestRecord, status: Outcome): Promise<Outcome> {
  if (status === DONE || status === OK) return status;
  // The failed request's Content-Language/-Encoding are not the error page's.
  clearEntityHeaders(r.res);
  // An error while serving an ErrorDocument (r.status is already an error): recursive.
  if (r.prev !== undefined && r.status !== 200 && r.status >= 400) {
    let orig: RequestRecord = r;
    while (orig.prev !== undefined && orig.prev.status !== 200) orig = orig.prev;
    sendErrorResponse(orig, orig.status, undefined, status);
    return status;
  }
  r.status = status;
  const doc = status >= 400 ? coreDir(r.perDir).errorDocuments.get(status) : undefined;
  if (doc !== undefined && !r.res.headersSent) {
    if (doc.kind === 'message') {
      sendErrorResponse(r, status, doc.value.replace(/^"/, ''));
      return status;
    }
    if (doc.kind === 'local') {
      // ErrorDocument local URL: GET (HEAD stays HEAD), same status (REDIRECT_STATUS). The
      // original method and any error-notes reach it as REDIRECT_REQUEST_METHOD and
      // REDIRECT_ERROR_NOTES (ap_die sets them before the redirect renames the env).
      r.env.set('REQUEST_METHOD', r.method);
      const notes = r.notes.get('error-notes');
      if (notes !== undefined) r.env.set('ERROR_NOTES', notes);
      const rv = await internalRedirect(r, doc.value, r.method === 'HEAD' ? 'HEAD' : 'GET');
      if (rv === OK || rv === DONE) return status;
      // Refused before it ran (LimitInternalRecursion): answer here, as ap_die would.
      if (!r.res.headersSent) sendErrorResponse(r, typeof rv === 'number' && rv > 0 ? rv : 500);
      return rv;
    }
    if (status !== 401) {
      // Remote URL: 302 to it (ap_die turns the error into a redirect).
      r.res.setHeader('Location', doc.value);
      r.status = 302;
      sendErrorResponse(r, 302);
      return 302;
    }
    r.logError(
      'error',
      'core',
      'AH00018',
      'cannot use a full URL in a 401 ErrorDocument directive --- ignoring!',
    );
  }
  sendErrorResponse(r, status);
  return status;
}
