// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_build_environment, Adapter_environ;
// httpd: server/util_script.c (ap_add_common_vars, ap_add_cgi_vars).
//
// RequestRecord → the ordered environ pairs sent in the REQUEST frame (docs/protocol.md).
// Input is the CGI table (src/request/cgi-env.ts, or `cgiVarsFallback` below until it
// exists); on top of it come mod_wsgi's adjustments and its `mod_wsgi.*` control keys.
//
// Matches Debian's libapache2-mod-wsgi-py3 4.9.4 (the differential-test oracle), which
// still sends GATEWAY_INTERFACE, PATH_TRANSLATED and SERVER_SIGNATURE (6.x drops them).
// Keys the real module adds on the Python side (wsgi.input, wsgi.errors, wsgi.version,
// mod_wsgi.version, apache.version, mod_wsgi.thread_id, …) are the worker's business.

import type { DaemonGroupSpec } from './daemon/spec.js';
import type { RequestRecord } from '../request/record.js';
import { cgiEnvironment } from '../request/cgi-env.js';
import { applyTrustedProxyHeaders } from './proxy-headers.js';

/** One environ entry, in order. */
export type EnvPair = readonly [string, string];

/** The mod_wsgi settings resolved for this request (handler.ts computes them). */
export interface WsgiEnvironInput {
  readonly processGroup: string;
  readonly applicationGroup: string;
  readonly callableObject: string;
  /** r->handler, e.g. 'wsgi-script'. */
  readonly requestHandler: string;
  /** WSGIHandlerScript path; '' for WSGIScriptAlias/SetHandler. */
  readonly handlerScript: string;
  readonly scriptReloading: boolean;
  /**
   * The script's mtime (ms) as the front end stat'ed it. With script reloading on it goes to
   * the worker as `tswsgi.script_mtime` (SCRIPT_MTIME_KEY), which the worker removes before
   * the application sees the environ: an unchanged script then needs no stat in the worker.
   */
  readonly scriptMtimeMs?: number;
  readonly passAuthorization: boolean;
  /** The Authorization request header, if any. */
  readonly authorization: string | undefined;
  /** Report HEAD as GET (WSGIMapHEADToGET On; Auto never maps: tswsgi has no content filters). */
  readonly mapHeadToGet: boolean;
  readonly method: string;
  readonly listenerHost: string;
  readonly listenerPort: number;
  /** r->request_time in ms since the epoch; sent as integer µs (mod_wsgi ≤5.x). */
  readonly requestTimeMs: number;
  readonly enableSendfile: boolean;
  readonly ignoreActivity: boolean;
  /** Apache's %L request/connection log ids; connection_id only when one exists. */
  readonly requestId: string;
  readonly connectionId: string | undefined;
  /** TLS connection (mod_ssl's HTTPS=on). */
  readonly https: boolean;
  /**
   * Daemon mode only (processGroup !== ''): when the front end queued the request for the
   * daemon (ms since the epoch; default: now), how many connect attempts it took (default 1)
   * and how many daemon restarts it saw while connecting (default 0). wsgi_execute_remote
   * sets these from the Apache child; dispatch may pass the real values.
   */
  readonly queueStartMs?: number;
  readonly daemonConnects?: number;
  readonly daemonRestarts?: number;
  /** WSGITrustedProxyHeaders as environ names (HTTP_X_FORWARDED_FOR, ...); none: no rewriting. */
  readonly trustedProxyHeaders?: readonly string[] | undefined;
  /** WSGITrustedProxies words; undefined: every peer counts as a trusted proxy. */
  readonly trustedProxies?: readonly string[] | undefined;
}

/**
 * The keys real Apache 2.4.71 + mod_wsgi 4.9.4 (Debian) gives a `GET /p/x` request without a
 * body, recorded from a dump app (tests assert this list). Daemon mode adds the rest.
 */
export const DEBIAN_MOD_WSGI_4_9_4_KEYS = {
  embedded: [
    'CONTEXT_DOCUMENT_ROOT',
    'CONTEXT_PREFIX',
    'DOCUMENT_ROOT',
    'GATEWAY_INTERFACE',
    'HTTP_ACCEPT',
    'HTTP_HOST',
    'HTTP_USER_AGENT',
    'PATH_INFO',
    'PATH_TRANSLATED',
    'QUERY_STRING',
    'REMOTE_ADDR',
    'REMOTE_PORT',
    'REQUEST_METHOD',
    'REQUEST_SCHEME',
    'REQUEST_URI',
    'SCRIPT_FILENAME',
    'SCRIPT_NAME',
    'SERVER_ADDR',
    'SERVER_ADMIN',
    'SERVER_NAME',
    'SERVER_PORT',
    'SERVER_PROTOCOL',
    'SERVER_SIGNATURE',
    'SERVER_SOFTWARE',
    'apache.version',
    'mod_wsgi.application_group',
    'mod_wsgi.callable_object',
    'mod_wsgi.enable_sendfile',
    'mod_wsgi.handler_script',
    'mod_wsgi.ignore_activity',
    'mod_wsgi.listener_host',
    'mod_wsgi.listener_port',
    'mod_wsgi.path_info',
    'mod_wsgi.process_group',
    'mod_wsgi.request_handler',
    'mod_wsgi.request_id',
    'mod_wsgi.request_start',
    'mod_wsgi.script_name',
    'mod_wsgi.script_reloading',
    'mod_wsgi.script_start',
    'mod_wsgi.thread_id',
    'mod_wsgi.thread_requests',
    'mod_wsgi.total_requests',
    'mod_wsgi.version',
    'wsgi.errors',
    'wsgi.file_wrapper',
    'wsgi.input',
    'wsgi.input_terminated',
    'wsgi.multiprocess',
    'wsgi.multithread',
    'wsgi.run_once',
    'wsgi.url_scheme',
    'wsgi.version',
  ],
  daemonOnly: [
    'mod_wsgi.daemon_connects',
    'mod_wsgi.daemon_restarts',
    'mod_wsgi.daemon_start',
    'mod_wsgi.queue_start',
  ],
} as const;

/** Collapse runs of '/' after a leading '/', as mod_wsgi does to SCRIPT_NAME/PATH_INFO. */
function collapse(v: string): string {
  return v.startsWith('/') ? v.replace(/\/{2,}/g, '/') : v;
}

/**
 * wsgi_build_environment over a CGI table. Returns the pairs in CGI order with mod_wsgi's
 * keys appended; HTTPS and PATH are removed and `wsgi.url_scheme` added, as Adapter_environ
 * does on the Python side.
 */
export function buildEnviron(cgi: Iterable<EnvPair>, w: WsgiEnvironInput): Map<string, string> {
  return buildEnvironInPlace(new Map<string, string>(cgi), w);
}

/** buildEnviron on a table the caller hands over (the handler's fresh CGI table): no copy. */
export function buildEnvironInPlace(
  env: Map<string, string>,
  w: WsgiEnvironInput,
): Map<string, string> {
  if (w.mapHeadToGet && w.method === 'HEAD') env.set('REQUEST_METHOD', 'GET');
  // WSGIPassAuthorization; the CGI table carries it already under CGIPassAuth On.
  if (w.passAuthorization && w.authorization !== undefined)
    env.set('HTTP_AUTHORIZATION', w.authorization);
  const scriptName = collapse(env.get('SCRIPT_NAME') ?? '');
  const pathInfo = collapse(env.get('PATH_INFO') ?? '');
  env.set('SCRIPT_NAME', scriptName);
  env.set('PATH_INFO', pathInfo);
  env.set('mod_wsgi.script_name', scriptName);
  env.set('mod_wsgi.path_info', pathInfo);
  // wsgi_process_proxy_headers: after the SCRIPT_NAME/PATH_INFO above are saved, before
  // HTTPS turns into wsgi.url_scheme (reference §4.5).
  if (w.trustedProxyHeaders !== undefined)
    applyTrustedProxyHeaders(env, w.trustedProxyHeaders, w.trustedProxies);
  const https = w.https || /^(1|on)$/i.test(env.get('HTTPS') ?? '');
  env.delete('HTTPS');
  env.delete('PATH');
  env.set('mod_wsgi.process_group', w.processGroup);
  env.set('mod_wsgi.application_group', w.applicationGroup);
  env.set('mod_wsgi.callable_object', w.callableObject);
  env.set('mod_wsgi.request_handler', w.requestHandler);
  env.set('mod_wsgi.handler_script', w.handlerScript);
  env.set('mod_wsgi.script_reloading', w.scriptReloading ? '1' : '0');
  env.set('mod_wsgi.listener_host', w.listenerHost);
  env.set('mod_wsgi.listener_port', String(w.listenerPort));
  env.set('mod_wsgi.enable_sendfile', w.enableSendfile ? '1' : '0');
  env.set('mod_wsgi.ignore_activity', w.ignoreActivity ? '1' : '0');
  env.set('mod_wsgi.request_start', String(Math.round(w.requestTimeMs * 1000)));
  env.set('mod_wsgi.request_id', w.requestId);
  if (w.connectionId !== undefined) env.set('mod_wsgi.connection_id', w.connectionId);
  if (w.processGroup !== '') {
    // wsgi_execute_remote: set in the Apache child just before the request goes to the daemon.
    // The daemon adds mod_wsgi.daemon_start itself (python/tswsgi_worker/worker.py).
    env.set('mod_wsgi.queue_start', String(Math.round((w.queueStartMs ?? Date.now()) * 1000)));
    env.set('mod_wsgi.daemon_connects', String(w.daemonConnects ?? 1));
    env.set('mod_wsgi.daemon_restarts', String(w.daemonRestarts ?? 0));
  }
  env.set('wsgi.url_scheme', https ? 'https' : 'http');
  if (w.scriptReloading && w.scriptMtimeMs !== undefined)
    env.set(SCRIPT_MTIME_KEY, String(Math.floor(w.scriptMtimeMs)));
  return env;
}

/**
 * Environ key the worker consumes (docs/protocol.md): the script mtime in whole ms. The
 * worker compares it with the mtime of the module it loaded; equal means no reload check.
 */
export const SCRIPT_MTIME_KEY = 'tswsgi.script_mtime';

/** wsgi.multithread / wsgi.multiprocess / wsgi.run_once for a group (reference §4.6). */
export interface WsgiFlags {
  readonly multithread: boolean;
  readonly multiprocess: boolean;
  readonly runOnce: boolean;
}

/**
 * Flags for a group. The embedded group ('') is the event MPM's children: multithread
 * and multiprocess are both True. A daemon group is multiprocess only when `processes=`
 * was written (even =1), and run_once only with threads=1 and maximum-requests=1.
 */
export function wsgiFlags(spec: DaemonGroupSpec): WsgiFlags {
  if (spec.name === '') return { multithread: true, multiprocess: true, runOnce: false };
  return {
    multithread: spec.threads > 1,
    multiprocess: spec.processesExplicit,
    runOnce: spec.threads === 1 && spec.maximumRequests === 1,
  };
}

/**
 * The CGI table mod_wsgi starts from: src/request/cgi-env.ts's cgiEnvironment (common +
 * CGI variables). Authorization is left out here; buildEnviron adds it when
 * WSGIPassAuthorization allows. Callers with a RequestRecord should use this directly.
 */
export function wsgiCgiVars(r: RequestRecord, pathTranslated?: string): Map<string, string> {
  return cgiEnvironment(r, { pathTranslated });
}
