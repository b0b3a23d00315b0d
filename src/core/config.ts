// httpd: server/core.c (core_cmds, create/merge_core_server_config, create/merge_core_dir_configs),
//        os/unix/unixd.c (User, Group), server/mpm_common.c + server/mpm/event/event.c
//        (MPM directives), server/log.c (LogLevel).
//
// The core module's typed configuration: types, create() and MergeSpecs. The directive
// table is directives.ts. Listen, <VirtualHost> and the directory-type sections are
// handled by config/build.ts; Include/Define/ServerRoot/LoadModule and the If* sections by
// config/tree.ts.

import type { MergeSpec } from '../config/merge.js';
import type { IfSectionIR } from '../config/ir.js';
import type { LogLevel } from '../logging/error-log.js';
import {
  mergeOptions,
  OPTIONS_SERVER_DEFAULT,
  type OptionName,
  type OptionsConf,
  type OverrideClass,
} from './config-options.js';

export type { OptionsConf, OptionName, OverrideClass } from './config-options.js';

/** LogLevel: a default level plus per-module levels (`LogLevel warn wsgi:debug`). */
export interface LogLevelConf {
  readonly level: LogLevel | undefined;
  readonly modules: Readonly<Record<string, LogLevel>>;
}

/** One `Mutex mechanism [names]` line. */
export interface MutexConf {
  readonly mechanism: string;
  readonly mutexes: readonly string[];
}

/** Core server config (core_server_config + unixd + MPM settings). */
export interface CoreServerConf {
  serverName: string | undefined;
  serverAliases: readonly string[] | undefined;
  serverAdmin: string | undefined;
  documentRoot: string | undefined;
  errorLog: string | undefined;
  logLevel: LogLevelConf | undefined;
  accessFileName: readonly string[] | undefined;
  timeout: number | undefined;
  keepAlive: boolean | undefined;
  keepAliveTimeout: number | undefined;
  maxKeepAliveRequests: number | undefined;
  limitRequestLine: number | undefined;
  limitRequestFieldSize: number | undefined;
  limitRequestFields: number | undefined;
  traceEnable: 'on' | 'off' | 'extended' | undefined;
  /** ExtendedStatus (ap_extended_status; mod_status turns it on when unset). */
  extendedStatus: boolean | undefined;
  /** SeeRequestTail: mod_status shows the last 63 characters of a long request line. */
  seeRequestTail: boolean | undefined;
  /** LimitInternalRecursion: [internal redirects, sub-request depth]. */
  recursionLimit: readonly [number, number] | undefined;
  // Global-only settings (kept in the main server's slot).
  user: string | undefined;
  group: string | undefined;
  pidFile: string | undefined;
  defaultRuntimeDir: string | undefined;
  serverTokens: 'Prod' | 'Major' | 'Minor' | 'Min' | 'OS' | 'Full' | undefined;
  mutex: readonly MutexConf[];
  /** MPM directives, stored as numbers (atoi, as httpd). */
  mpm: Readonly<Partial<Record<MpmDirective, number>>>;
}

/** An ErrorDocument value: a message, a local path, a URL, or `default` (restore). */
export interface ErrorDocumentConf {
  readonly kind: 'message' | 'local' | 'url' | 'default';
  readonly value: string;
}

/** Core per-dir config (core_dir_config). */
export interface CoreDirConf {
  /** `<If>`/`<ElseIf>`/`<Else>` sections of this scope, in order (sec_if; merges append). */
  ifSections: readonly IfSectionIR[];
  options: OptionsConf;
  /** AllowOverride's classes (override); [] is None. */
  allowOverride: readonly OverrideClass[] | undefined;
  /** AllowOverride's Nonfatal= words, set with allowOverride. */
  allowOverrideNonfatal: readonly ('Override' | 'Unknown')[] | undefined;
  /** The options .htaccess may set (override_opts; AllowOverride Options=…). */
  allowOverrideOpts: readonly OptionName[] | undefined;
  /** AllowOverrideList: directive names .htaccess may use whatever the classes. */
  allowOverrideList: readonly string[] | undefined;
  /** SetHandler, lower-cased ('none' resets). */
  handler: string | undefined;
  /** ForceType, lower-cased ('none' resets). */
  forceType: string | undefined;
  /** SetOutputFilter: `;`-separated filter names as written. */
  outputFilters: string | undefined;
  acceptPathInfo: 'on' | 'off' | 'default' | undefined;
  /** ErrorDocument by status code. */
  errorDocuments: Readonly<Record<string, ErrorDocumentConf>>;
  hostnameLookups: 'on' | 'off' | 'double' | undefined;
  useCanonicalName: 'on' | 'off' | 'dns' | undefined;
  serverSignature: 'on' | 'off' | 'email' | undefined;
  enableSendfile: boolean | undefined;
  enableMMAP: boolean | undefined;
  /** FileETag components, e.g. ['MTime', 'Size'], or ['None']. */
  fileETag: readonly string[] | undefined;
  /** AddDefaultCharset: a charset, or 'off'. */
  addDefaultCharset: string | undefined;
  limitRequestBody: number | undefined;
  logLevel: LogLevelConf | undefined;
  /** AllowEncodedSlashes On|Off|NoDecode, lower-cased. */
  allowEncodedSlashes: 'on' | 'off' | 'nodecode' | undefined;
  /** MergeSlashes (a server setting in httpd; kept here so the per-dir view has it). */
  mergeSlashes: boolean | undefined;
  /** CGIPassAuth: Authorization and Proxy-Authorization reach the CGI environment. */
  cgiPassAuth: boolean | undefined;
  /** CGIVar REQUEST_URI original-uri|current-uri. */
  cgiVarRequestUri: 'original-uri' | 'current-uri' | undefined;
}

/** The MPM directives tswsgi accepts (event/worker/prefork names), stored as numbers. */
export const MPM_DIRECTIVES = [
  'StartServers',
  'ServerLimit',
  'ThreadsPerChild',
  'MaxRequestWorkers',
  'MinSpareThreads',
  'MaxSpareThreads',
  'MaxConnectionsPerChild',
  'ThreadLimit',
  'MinSpareServers',
  'MaxSpareServers',
  'MaxRequestsPerChild',
  'MaxClients',
  'ListenBacklog',
] as const;
/** One MPM directive name. */
export type MpmDirective = (typeof MPM_DIRECTIVES)[number];

/** C's atoi: leading integer or 0 (httpd accepts `Timeout abc` as 0). */
export function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m?.[1] === undefined ? 0 : Number.parseInt(m[1], 10);
}

const mergeLogLevel = (
  b: LogLevelConf | undefined,
  o: LogLevelConf | undefined,
): LogLevelConf | undefined =>
  b === undefined
    ? o
    : o === undefined
      ? b
      : { level: o.level ?? b.level, modules: { ...b.modules, ...o.modules } };

/** How core server configs merge (vhost over main): merge_core_server_config. */
export const coreServerMerge: MergeSpec<CoreServerConf> = {
  serverName: 'override',
  serverAliases: 'override',
  serverAdmin: 'override',
  documentRoot: 'override',
  errorLog: 'override',
  logLevel: mergeLogLevel,
  accessFileName: 'override',
  timeout: 'override',
  keepAlive: 'override',
  keepAliveTimeout: 'override',
  maxKeepAliveRequests: 'override',
  limitRequestLine: 'override',
  limitRequestFieldSize: 'override',
  limitRequestFields: 'override',
  traceEnable: 'override',
  extendedStatus: 'override',
  seeRequestTail: 'override',
  recursionLimit: 'override',
  user: 'override',
  group: 'override',
  pidFile: 'override',
  defaultRuntimeDir: 'override',
  serverTokens: 'override',
  mutex: 'append',
  mpm: (b, o) => ({ ...b, ...o }),
};

/** How core per-dir configs merge (section over parent): merge_core_dir_configs. */
export const coreDirMerge: MergeSpec<CoreDirConf> = {
  ifSections: 'append',
  options: mergeOptions,
  allowOverride: 'override',
  allowOverrideNonfatal: 'override',
  allowOverrideOpts: 'override',
  allowOverrideList: 'override',
  handler: 'override',
  forceType: 'override',
  outputFilters: 'override',
  acceptPathInfo: 'override',
  errorDocuments: (b, o) => ({ ...b, ...o }),
  hostnameLookups: 'override',
  useCanonicalName: 'override',
  serverSignature: 'override',
  enableSendfile: 'override',
  enableMMAP: 'override',
  fileETag: 'override',
  addDefaultCharset: 'override',
  limitRequestBody: 'override',
  logLevel: mergeLogLevel,
  allowEncodedSlashes: 'override',
  mergeSlashes: 'override',
  cgiPassAuth: 'override',
  cgiVarRequestUri: 'override',
};

/** A fresh core server config, every field unset (create_core_server_config). */
export function createCoreServer(): CoreServerConf {
  return {
    serverName: undefined,
    serverAliases: undefined,
    serverAdmin: undefined,
    documentRoot: undefined,
    errorLog: undefined,
    logLevel: undefined,
    accessFileName: undefined,
    timeout: undefined,
    keepAlive: undefined,
    keepAliveTimeout: undefined,
    maxKeepAliveRequests: undefined,
    limitRequestLine: undefined,
    limitRequestFieldSize: undefined,
    limitRequestFields: undefined,
    traceEnable: undefined,
    extendedStatus: undefined,
    seeRequestTail: undefined,
    recursionLimit: undefined,
    user: undefined,
    group: undefined,
    pidFile: undefined,
    defaultRuntimeDir: undefined,
    serverTokens: undefined,
    mutex: [],
    mpm: {},
  };
}

/**
 * A fresh per-dir config. Options start as httpd 2.4's server default (OPT_UNSET |
 * OPT_SYM_LINKS). httpd gives sections plain OPT_UNSET instead, but an unset `opts` is
 * never read by the merge (only add/remove are), so one create() serves both.
 */
export function createCoreDir(): CoreDirConf {
  return {
    ifSections: [],
    options: OPTIONS_SERVER_DEFAULT,
    allowOverride: undefined,
    allowOverrideNonfatal: undefined,
    allowOverrideOpts: undefined,
    allowOverrideList: undefined,
    handler: undefined,
    forceType: undefined,
    outputFilters: undefined,
    acceptPathInfo: undefined,
    errorDocuments: {},
    hostnameLookups: undefined,
    useCanonicalName: undefined,
    serverSignature: undefined,
    enableSendfile: undefined,
    enableMMAP: undefined,
    fileETag: undefined,
    addDefaultCharset: undefined,
    limitRequestBody: undefined,
    logLevel: undefined,
    allowEncodedSlashes: undefined,
    mergeSlashes: undefined,
    cgiPassAuth: undefined,
    cgiVarRequestUri: undefined,
  };
}
