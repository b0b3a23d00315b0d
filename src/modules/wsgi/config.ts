// mod_wsgi: src/server/mod_wsgi.c (4.9.4) WSGIServerConfig / WSGIDirectoryConfig,
// wsgi_merge_server_config, wsgi_merge_dir_config, wsgi_create_req_config.
//
// mod_wsgi keeps the per-dir settings twice (server and dir config) and falls back from one
// to the other per request. Here a server-level WSGIProcessGroup etc. writes the server's
// default per-dir config (httpd's lookup_defaults, STYLE.md §2.4), so one merged WsgiDirConf
// answers every question. `undefined` = not set (mod_wsgi's -1 / NULL).

import type { MergeSpec } from '../../config/merge.js';
import type { Origin } from '../../config/ir.js';
import type { DaemonGroupSpec } from '../../wsgi/daemon/spec.js';

/** One WSGIHandlerScript (WSGIScriptFile): the script and its options. */
/** A WSGIAccessScript / WSGIAuthUserScript / WSGIAuthGroupScript (WSGIScriptFile). */
export interface WsgiAuthScript {
  readonly script: string;
  /** application-group=; unset = %{GLOBAL}. */
  readonly applicationGroup: string | undefined;
}

export interface WsgiHandlerScript {
  readonly script: string;
  readonly processGroup: string | undefined;
  readonly applicationGroup: string | undefined;
  readonly passAuthorization: boolean | undefined;
}

/** One WSGIScriptAlias / WSGIScriptAliasMatch (WSGIAliasEntry). */
export interface WsgiAlias {
  /** URL-path prefix, or the regex source for the Match form. */
  readonly location: string;
  readonly regex: boolean;
  /** File or directory; may hold $1..$9 for the Match form. */
  readonly target: string;
  /** Options as written (`%{GLOBAL}` already turned into ''), undefined = not given. */
  readonly processGroup: string | undefined;
  readonly applicationGroup: string | undefined;
  readonly callableObject: string | undefined;
  readonly passAuthorization: boolean | undefined;
  readonly origin: Origin;
}

/** A script to import at process start (WSGIImportScript or a fully-specified alias). */
export interface WsgiImport {
  readonly script: string;
  readonly processGroup: string;
  readonly applicationGroup: string;
  readonly origin: Origin;
}

/** A WSGIDaemonProcess, plus options mod_wsgi accepts that tswsgi only records. */
export interface WsgiDaemonDef {
  readonly spec: DaemonGroupSpec;
  readonly ignoredOptions: Readonly<Record<string, string>>;
}

/** Per-server config (main server or vhost). */
export interface WsgiServerConf {
  /** Aliases in config order; a vhost's own come first, then the main server's. */
  aliases: WsgiAlias[];
  /** Groups defined in this server's scope (a vhost does not inherit the main's list). */
  daemons: WsgiDaemonDef[];
  /** WSGIImportScript entries (and preloading aliases) in this server's scope. */
  imports: WsgiImport[];
  // --- server-config-only (GLOBAL_ONLY) settings, inherited by every vhost ---
  restrictEmbedded: boolean | undefined;
  pythonHome: string | undefined;
  pythonPath: string | undefined;
  pythonOptimize: number | undefined;
  pythonHashSeed: string | undefined;
  pythonWarnings: string[];
  pythonEggs: string | undefined;
  dontWriteBytecode: boolean | undefined;
  restrictStdin: boolean | undefined;
  restrictStdout: boolean | undefined;
  restrictSignal: boolean | undefined;
  caseSensitivity: boolean | undefined;
  destroyInterpreter: boolean | undefined;
  /** Recorded only: tswsgi hands each worker a connected socket (fd 3); no socket file persists. */
  socketPrefix: string | undefined;
  socketRotation: boolean | undefined;
  acceptMutex: string | undefined;
  lazyInitialization: boolean | undefined;
  verboseDebugging: boolean | undefined;
  /**
   * WSGIServerMetrics: embedded mode's mod_wsgi.server_metrics(). mod_wsgi 4.9.4 starts it
   * at -1 and tests it for non-zero, so unset counts as On.
   */
  serverMetrics: boolean | undefined;
  /** WSGINewRelicConfigFile / WSGINewRelicEnvironment: embedded mode's New Relic agent. */
  newrelicConfigFile: string | undefined;
  newrelicEnvironment: string | undefined;
}

/** Per-directory config (also the server default via lookup_defaults). */
export interface WsgiDirConf {
  processGroup: string | undefined;
  applicationGroup: string | undefined;
  callableObject: string | undefined;
  passAuthorization: boolean | undefined;
  scriptReloading: boolean | undefined;
  chunkedRequest: boolean | undefined;
  /** 'auto' = only when a content filter is present (tswsgi has none: same as off). */
  mapHeadToGet: 'off' | 'on' | 'auto' | undefined;
  errorOverride: boolean | undefined;
  ignoreActivity: boolean | undefined;
  /** CGI-style names (X-Forwarded-For → HTTP_X_FORWARDED_FOR), as mod_wsgi stores them. */
  trustedProxyHeaders: string[] | undefined;
  trustedProxies: string[] | undefined;
  /** WSGIRestrictProcess: the process groups a request here may select ('' = %{GLOBAL}). */
  restrictProcess: string[] | undefined;
  /** WSGIDispatchScript: the script and the application group it runs in. */
  dispatchScript:
    { readonly script: string; readonly applicationGroup: string | undefined } | undefined;
  /** WSGIAccessScript: allow_access(environ, host) decides in the access phase. */
  accessScript: WsgiAuthScript | undefined;
  /** WSGIAuthUserScript: the `wsgi` authn provider's check_password / get_realm_hash. */
  authUserScript: WsgiAuthScript | undefined;
  /** WSGIAuthGroupScript: groups_for_user for `Require wsgi-group`. */
  authGroupScript: WsgiAuthScript | undefined;
  /** WSGIGroupAuthoritative (accepted; a no-op with the authz provider, as in mod_wsgi 4.9.4). */
  groupAuthoritative: boolean | undefined;
  /** WSGIHandlerScript by handler name (a name set here beats the parent's). */
  handlerScripts: Readonly<Record<string, WsgiHandlerScript>> | undefined;
  enableSendfile: boolean | undefined;
  passApacheRequest: boolean | undefined;
}

/** wsgi_create_server_config. */
export function createServerConf(): WsgiServerConf {
  return {
    aliases: [],
    daemons: [],
    imports: [],
    restrictEmbedded: undefined,
    pythonHome: undefined,
    pythonPath: undefined,
    pythonOptimize: undefined,
    pythonHashSeed: undefined,
    pythonWarnings: [],
    pythonEggs: undefined,
    dontWriteBytecode: undefined,
    restrictStdin: undefined,
    restrictStdout: undefined,
    restrictSignal: undefined,
    caseSensitivity: undefined,
    destroyInterpreter: undefined,
    socketPrefix: undefined,
    socketRotation: undefined,
    acceptMutex: undefined,
    lazyInitialization: undefined,
    verboseDebugging: undefined,
    serverMetrics: undefined,
    newrelicConfigFile: undefined,
    newrelicEnvironment: undefined,
  };
}

/** Only this scope's own entries: groups and imports are server-wide, not inherited. */
const own = <T>(_base: T, over: T): T => over;

/**
 * wsgi_merge_server_config: alias lists concatenate child-then-parent (apr_array_append
 * (child, parent)), so a vhost's aliases are tried before the main server's.
 */
export const serverMerge: MergeSpec<WsgiServerConf> = {
  aliases: 'prepend',
  daemons: own,
  imports: own,
  restrictEmbedded: 'override',
  pythonHome: 'override',
  pythonPath: 'override',
  pythonOptimize: 'override',
  pythonHashSeed: 'override',
  pythonWarnings: 'override',
  pythonEggs: 'override',
  dontWriteBytecode: 'override',
  restrictStdin: 'override',
  restrictStdout: 'override',
  restrictSignal: 'override',
  caseSensitivity: 'override',
  destroyInterpreter: 'override',
  socketPrefix: 'override',
  socketRotation: 'override',
  acceptMutex: 'override',
  lazyInitialization: 'override',
  verboseDebugging: 'override',
  serverMetrics: 'override',
  newrelicConfigFile: 'override',
  newrelicEnvironment: 'override',
};

/** wsgi_create_dir_config. */
export function createDirConf(): WsgiDirConf {
  return {
    processGroup: undefined,
    applicationGroup: undefined,
    callableObject: undefined,
    passAuthorization: undefined,
    scriptReloading: undefined,
    chunkedRequest: undefined,
    mapHeadToGet: undefined,
    errorOverride: undefined,
    ignoreActivity: undefined,
    trustedProxyHeaders: undefined,
    trustedProxies: undefined,
    restrictProcess: undefined,
    handlerScripts: undefined,
    dispatchScript: undefined,
    accessScript: undefined,
    authUserScript: undefined,
    authGroupScript: undefined,
    groupAuthoritative: undefined,
    enableSendfile: undefined,
    passApacheRequest: undefined,
  };
}

/** wsgi_merge_dir_config: every field is "child if set, else parent". */
export const dirMerge: MergeSpec<WsgiDirConf> = {
  processGroup: 'override',
  applicationGroup: 'override',
  callableObject: 'override',
  passAuthorization: 'override',
  scriptReloading: 'override',
  chunkedRequest: 'override',
  mapHeadToGet: 'override',
  errorOverride: 'override',
  ignoreActivity: 'override',
  trustedProxyHeaders: 'override',
  trustedProxies: 'override',
  restrictProcess: 'override',
  dispatchScript: 'override',
  accessScript: 'override',
  authUserScript: 'override',
  authGroupScript: 'override',
  groupAuthoritative: 'override',
  // apr_hash_overlay: the child's entries over the parent's.
  handlerScripts: (base, over) =>
    base === undefined ? over : over === undefined ? base : { ...base, ...over },
  enableSendfile: 'override',
  passApacheRequest: 'override',
};

/** wsgi_create_req_config's defaults for settings nobody set. */
export const DIR_DEFAULTS = {
  callableObject: 'application',
  passAuthorization: false,
  scriptReloading: true,
  chunkedRequest: false,
  mapHeadToGet: 'auto',
  errorOverride: false,
  ignoreActivity: false,
  enableSendfile: false,
  passApacheRequest: false,
} as const;
