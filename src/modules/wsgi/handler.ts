// mod_wsgi: src/server/mod_wsgi.c (4.9.4) wsgi_hook_handler, wsgi_create_req_config,
// wsgi_execute_remote (group lookup), wsgi_log_script_error ("<message>: <filename>").
//
// The 'wsgi-script' content handler: check the target, resolve the process group,
// application group and callable (alias options > per-dir > server), apply the request
// body policy, build the environ and hand the request to the group's process pool.

import { hostname as osHostname } from 'node:os';
import { stat } from 'node:fs/promises';
import { DECLINED, DONE } from '../../request/hooks.js';
import { die } from '../../http/die.js';
import { RequestBodyTooLargeError } from '../../request/record.js';
import type { Outcome } from '../../request/hooks.js';
import type { RequestRecord } from '../../request/record.js';
import { logIdOf } from '../../request/record.js';
import type { ErrorLog } from '../../logging/error-log.js';
import type { PoolStatus } from '../../wsgi/daemon/status.js';
import type { DaemonGroupSpec } from '../../wsgi/daemon/spec.js';
import type {
  DispatchHooks,
  DispatchRequest,
  DispatchResult,
  Header,
} from '../../wsgi/dispatch.js';
import { buildEnvironInPlace, wsgiCgiVars } from '../../wsgi/environ.js';
import type { WsgiEnvironInput } from '../../wsgi/environ.js';
import { DIR_DEFAULTS } from './config.js';
import type { WsgiDirConf, WsgiServerConf } from './config.js';
import { expandApplicationGroup, expandCallableObject, expandProcessGroup } from './app-group.js';
import type { ExpandRequest } from './app-group.js';
import { NOTE } from './translate.js';
import { serverPortOf } from '../../request/server-name.js';
import { checkScriptOwner } from './script-owner.js';
import { coreDir } from '../../core/view.js';
import type { CompiledAlias } from './translate.js';
import type { CallResult } from '../../wsgi/call.js';
import { runDispatchScript } from './dispatch-script.js';
import { redirectAsGet } from '../../request/script-redirect.js';
import { pathTranslatedOf } from '../../request/cgi-env.js';
import type { Environ } from '../../wsgi/protocol/messages.js';

/** Message ids of the wsgi module's error-log lines (MW catalog, wsgi range 001xx). */
export const MSG = {
  notFound: 'MW00101',
  directory: 'MW00102',
  badTransferEncoding: 'MW00103',
  chunkedDisabled: 'MW00104',
  badContentLength: 'MW00105',
  noSuchGroup: 'MW00106',
  embeddedRestricted: 'MW00107',
  noRuntime: 'MW00108',
  scriptOwner: 'MW00109',
  execCgiOff: 'MW00110',
  pathInfoRejected: 'MW00111',
  restrictProcess: 'MW00112',
} as const;

/** What the handler needs from the generation (provision builds it; tests fake it). */
export interface WsgiState<P = unknown> {
  /** Process groups by name; '' = the embedded group. */
  readonly groups: ReadonlyMap<string, DaemonGroupSpec>;
  /** Compiled alias lists per server (main and each vhost). */
  readonly aliases: WeakMap<object, readonly CompiledAlias[]>;
  getPool(spec: DaemonGroupSpec, applicationGroup: string): P;
  /** A snapshot of every pool started so far (mod_status's section). */
  status?(): readonly PoolStatus[];
  /** One bodiless request whose whole answer is wanted (the WSGIDispatchScript question). */
  call?(
    pool: P,
    environ: Environ,
    script: string,
    mtimeMs: number,
    onLog?: () => void,
  ): Promise<CallResult>;
  dispatch(
    pool: P,
    req: DispatchRequest,
    res: RequestRecord['res'],
    log: ErrorLog,
    hooks: DispatchHooks,
  ): Promise<DispatchResult>;
}

/** ServerName of the selected server, read from core's slot when it is there. */
function serverHostname(r: RequestRecord): string {
  // TODO(core-servername): read through the core module's index.ts once it exists.
  const core: unknown = r.server.server['core'];
  if (typeof core === 'object' && core !== null && 'serverName' in core) {
    const n: unknown = core.serverName;
    if (typeof n === 'string' && n !== '') return n.replace(/:\d+$/, '');
  }
  return osHostname();
}

/** What mod_wsgi's %{…} group names expand from, for this request. */
export function expandRequestOf(r: RequestRecord): ExpandRequest {
  return {
    serverHostname: serverHostname(r),
    // ap_get_server_port, as mod_wsgi names %{RESOURCE}/%{SERVER} groups (UseCanonicalName
    // decides between the Host header's port and ServerName's).
    serverPort: serverPortOf(r),
    hostname: r.hostname,
    uri: r.uri,
    pathInfo: r.pathInfo,
    notes: r.notes,
    env: r.env,
    processEnv: process.env,
  };
}

/** wsgi_log_script_error: "<message>: <filename>" at error level with the client address. */
function scriptError(r: RequestRecord, id: string, message: string): void {
  r.logError('error', 'wsgi', id, `${message}: ${r.filename ?? ''}`);
}

/** The 'wsgi-script' handler (also answers the legacy 'application/x-httpd-wsgi'). */
export async function handleWsgiScript<P>(
  r: RequestRecord,
  server: WsgiServerConf,
  dir: WsgiDirConf,
  state: WsgiState<P> | undefined,
): Promise<Outcome> {
  const isScript = r.handler === 'wsgi-script' || r.handler === 'application/x-httpd-wsgi';
  // WSGIHandlerScript: a handler name bound to a script whose handle_request(environ,
  // start_response) serves the request; the mapped file is only its resource.
  const names = dir.handlerScripts;
  const hs =
    isScript || r.handler === undefined || names === undefined || !Object.hasOwn(names, r.handler)
      ? undefined
      : names[r.handler];
  if (!isScript && hs === undefined) return DECLINED;
  const aliased = r.notes.get(NOTE.aliasForcedType)?.toLowerCase() === 'wsgi-script';
  const core = coreDir(r.perDir);
  let scriptPath = r.filename ?? '';
  let scriptMtimeMs: number | undefined;
  if (hs === undefined) {
    // A script reached through SetHandler/AddHandler rather than WSGIScriptAlias runs only
    // where Options allows ExecCGI (mod_wsgi reads ExecCGI as "any executable script").
    if (!aliased && !core.options.has('ExecCGI')) {
      scriptError(r, MSG.execCgiOff, 'Options ExecCGI is off in this directory');
      return 403;
    }
    if (r.finfo === undefined) {
      scriptError(r, MSG.notFound, 'Target WSGI script not found or unable to stat');
      return 404;
    }
    if (r.finfo.isDirectory()) {
      scriptError(r, MSG.directory, 'Attempt to invoke directory as WSGI application');
      return 403;
    }
    scriptMtimeMs = r.finfo.mtimeMs;
  } else {
    scriptPath = hs.script;
    // The worker reports a missing handler script itself (404, as the module would).
    scriptMtimeMs = (await stat(hs.script).catch(() => undefined))?.mtimeMs;
  }
  const ex = expandRequestOf(r);
  let processGroup = expandProcessGroup(ex, dir.processGroup);
  let applicationGroup = expandApplicationGroup(ex, dir.applicationGroup);
  let callableObject =
    hs === undefined ? expandCallableObject(ex, dir.callableObject) : 'handle_request';
  let passAuthorization = dir.passAuthorization ?? DIR_DEFAULTS.passAuthorization;
  if (hs !== undefined) {
    // The handler script's own options beat the directory configuration.
    if (hs.processGroup !== undefined) processGroup = expandProcessGroup(ex, hs.processGroup);
    if (hs.applicationGroup !== undefined)
      applicationGroup = expandApplicationGroup(ex, hs.applicationGroup);
    if (hs.passAuthorization !== undefined) passAuthorization = hs.passAuthorization;
  }
  if (aliased && hs === undefined) {
    // Alias options (request notes) beat the directory configuration.
    const pg = r.notes.get(NOTE.processGroup);
    const ag = r.notes.get(NOTE.applicationGroup);
    const co = r.notes.get(NOTE.callableObject);
    const pa = r.notes.get(NOTE.passAuthorization);
    if (pg !== undefined) processGroup = expandProcessGroup(ex, pg);
    if (ag !== undefined) applicationGroup = expandApplicationGroup(ex, ag);
    if (co !== undefined) callableObject = co;
    if (pa !== undefined) passAuthorization = pa === '1';
  }
  if (core.acceptPathInfo === 'off' && r.pathInfo !== '') {
    scriptError(r, MSG.pathInfoRejected, "AcceptPathInfo off disallows user's path");
    return 404;
  }
  const te = r.headersIn.headers['transfer-encoding'];
  if (te !== undefined) {
    if (te.toLowerCase() !== 'chunked') {
      scriptError(
        r,
        MSG.badTransferEncoding,
        `Unexpected value for Transfer-Encoding of '${te}' supplied. Only 'chunked' supported.`,
      );
      return 501;
    }
    if (!(dir.chunkedRequest ?? DIR_DEFAULTS.chunkedRequest)) {
      scriptError(
        r,
        MSG.chunkedDisabled,
        'Received request requiring chunked transfer encoding, but optional support for chunked transfer encoding has not been enabled.',
      );
      return 411;
    }
  }
  const cl = r.headersIn.headers['content-length'];
  if (cl !== undefined && !/^\d+$/.test(cl)) {
    scriptError(
      r,
      MSG.badContentLength,
      `Invalid Content-Length header value of '${cl}' was supplied.`,
    );
    return 400;
  }
  const log = r.generation.log;
  if (state === undefined) {
    scriptError(r, MSG.noRuntime, 'WSGI runtime not provisioned');
    return 500;
  }
  const mapHead = dir.mapHeadToGet ?? DIR_DEFAULTS.mapHeadToGet;
  const environInput = (
    pg: string,
    ag: string,
    co: string,
    mtimeMs: number | undefined,
  ): WsgiEnvironInput => ({
    processGroup: pg,
    applicationGroup: ag,
    callableObject: co,
    requestHandler: r.handler ?? '',
    handlerScript: hs?.script ?? '',
    scriptReloading: dir.scriptReloading ?? DIR_DEFAULTS.scriptReloading,
    ...(mtimeMs !== undefined ? { scriptMtimeMs: mtimeMs } : {}),
    passAuthorization,
    authorization: r.headersIn.headers.authorization,
    mapHeadToGet: mapHead === 'on',
    method: r.method,
    listenerHost: r.connection.localAddr,
    listenerPort: r.connection.localPort,
    requestTimeMs: r.requestTime,
    enableSendfile: dir.enableSendfile ?? DIR_DEFAULTS.enableSendfile,
    ignoreActivity: dir.ignoreActivity ?? DIR_DEFAULTS.ignoreActivity,
    requestId: logIdOf(r),
    connectionId: r.connection.log.id,
    https: 'encrypted' in r.headersIn.socket,
    trustedProxyHeaders: dir.trustedProxyHeaders,
    trustedProxies: dir.trustedProxies,
  });
  // ap_add_cgi_vars: PATH_TRANSLATED comes from a sub-request for the path info (before
  // the dispatch script, whose environ has it too).
  const pathTranslated = await pathTranslatedOf(r);
  if (dir.dispatchScript !== undefined) {
    // wsgi_execute_dispatch: the script may pick another process group, application group
    // or callable for this request (after the environment is built, before the groups
    // are checked).
    const ds = dir.dispatchScript;
    const group = expandApplicationGroup(ex, ds.applicationGroup ?? '%{GLOBAL}');
    const over = await runDispatchScript(
      r,
      state,
      ds.script,
      environInput('', group, '', undefined),
      pathTranslated,
    );
    if (typeof over === 'number') return over;
    if (over.processGroup !== undefined) processGroup = expandProcessGroup(ex, over.processGroup);
    if (over.applicationGroup !== undefined)
      applicationGroup = expandApplicationGroup(ex, over.applicationGroup);
    if (over.callableObject !== undefined) callableObject = over.callableObject;
  }
  // wsgi_execute_remote: checked first, for embedded ('' = %{GLOBAL}) and daemon alike.
  if (dir.restrictProcess !== undefined && !dir.restrictProcess.includes(processGroup)) {
    scriptError(
      r,
      MSG.restrictProcess,
      `Daemon process called '${processGroup}' cannot be accessed by this WSGI application as not a member of allowed groups`,
    );
    return 500;
  }
  let spec: DaemonGroupSpec | undefined;
  if (processGroup === '') {
    if (server.restrictEmbedded === true) {
      scriptError(
        r,
        MSG.embeddedRestricted,
        'Embedded mode of mod_wsgi disabled by runtime configuration',
      );
      return 500;
    }
    spec = state.groups.get('');
  } else {
    spec = state.groups.get(processGroup);
  }
  if (spec === undefined) {
    scriptError(
      r,
      MSG.noSuchGroup,
      `No WSGI daemon process called '${processGroup}' has been configured`,
    );
    return 500;
  }
  const owner =
    hs === undefined && r.finfo !== undefined
      ? checkScriptOwner(spec, r.filename ?? '', r.finfo)
      : undefined;
  if (owner !== undefined) {
    r.logError('error', 'wsgi', MSG.scriptOwner, `${owner.message}: ${owner.path}`);
    return 403;
  }
  const environ = buildEnvironInPlace(
    wsgiCgiVars(r, pathTranslated),
    environInput(processGroup, applicationGroup, callableObject, scriptMtimeMs),
  );
  const hasBody = te !== undefined || (cl !== undefined && cl !== '0');
  // The body goes through r.readBody() so LimitRequestBody also bounds chunked bodies
  // (ap_http_filter's limit): past it the stream errors and, if nothing was sent, 413.
  let tooLarge = false;
  const body = hasBody ? r.bodyStream() : null;
  body?.on('error', (e: unknown) => {
    if (e instanceof RequestBodyTooLargeError) tooLarge = true;
  });
  const pool = state.getPool(spec, applicationGroup);
  const result = await state.dispatch(
    pool,
    {
      environ,
      body,
      scriptFilename: scriptPath,
      scriptMtimeMs: scriptMtimeMs ?? 0,
      headOnly: r.headerOnly,
      requestTimeMs: r.requestTime,
      internalRedirect: processGroup !== '',
      // mod_wsgi applies WSGIErrorOverride in wsgi_execute_remote only: daemon mode.
      errorOverride: processGroup !== '' && (dir.errorOverride ?? DIR_DEFAULTS.errorOverride),
    },
    r.res,
    log,
    {
      client: `${r.useragentIp}:${String(r.useragentPort)}`,
      // A 200 + Location: /local from the app: ap_internal_redirect_handler as a GET; the
      // body was read already, so the new request must not expect one.
      onInternalRedirect: async (location) => {
        // Apache's subprocess_env held the CGI variables and mod_wsgi's keys by now: the
        // redirect renames them all to REDIRECT_*.
        for (const [k, v] of wsgiCgiVars(r, pathTranslated)) r.env.set(k, v);
        for (const [k, v] of environ)
          if (k.startsWith('mod_wsgi.') || k === 'SCRIPT_NAME' || k === 'PATH_INFO')
            r.env.set(k, v);
        await redirectAsGet(r, location);
        return r.res.statusCode;
      },
      // Errors before the response started go through ap_die (ErrorDocument, canned page).
      onError: async (st, keep) => {
        const restore = keepOnError(r.res, keep);
        try {
          await die(r, st);
        } finally {
          restore();
        }
      },
    },
  );
  if (tooLarge && !r.res.headersSent) return 413;
  r.status = result.status;
  return DONE;
}

/**
 * r->err_headers_out for one error response: `keep` is added to whatever head goes out
 * next on `res` (the canned page, an ErrorDocument text, or the response of an
 * ErrorDocument's internal redirect), after ap_send_error_response dropped the rest.
 * Returns the undo.
 */
function keepOnError(res: RequestRecord['res'], keep: readonly Header[]): () => void {
  if (keep.length === 0) return () => undefined;
  const own = Object.getOwnPropertyDescriptor(res, 'writeHead');
  type WriteHead = typeof res.writeHead;
  const writeHead = res.writeHead.bind(res) as (...args: Parameters<WriteHead>) => typeof res;
  const patched = (...args: Parameters<WriteHead>): typeof res => {
    if (!res.headersSent) {
      // ap_http_header_filter overlays headers_out on err_headers_out: the kept ones first.
      const raw = (res as typeof res & { getRawHeaderNames(): string[] }).getRawHeaderNames();
      const later: [string, string | string[]][] = [];
      for (const n of raw) {
        const v = res.getHeader(n);
        if (v !== undefined) later.push([n, typeof v === 'number' ? String(v) : v]);
        res.removeHeader(n);
      }
      for (const [k, v] of keep) res.appendHeader(k, v);
      for (const [k, v] of later) res.appendHeader(k, v);
    }
    return writeHead(...args);
  };
  res.writeHead = patched as WriteHead;
  return () => {
    if (res.writeHead !== patched) return;
    if (own) Object.defineProperty(res, 'writeHead', own);
    else delete (res as { writeHead?: unknown }).writeHead;
  };
}
