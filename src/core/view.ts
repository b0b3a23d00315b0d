// httpd: server/core.c (core_dir_config / core_server_config defaults: OPT_UNSET etc.).
//
// The request side's read-only view of the core module's config slots (src/core/config.ts)
// with httpd's defaults applied to unset fields, so request-time code reads
// `coreDir(r.perDir).acceptPathInfo` and never deals with `undefined`.

import type { ModuleSlots } from '../config/ir.js';
import type { EncodedSlashes } from '../request/normalize.js';
import { createCoreDir, createCoreServer } from './config.js';
import type { CoreDirConf, CoreServerConf, ErrorDocumentConf, OptionName } from './config.js';
import type { LogLevel } from '../logging/error-log.js';

/** Core per-dir settings the request side uses, defaults applied. */
export interface CoreDirView {
  readonly allowEncodedSlashes: EncodedSlashes;
  readonly mergeSlashes: boolean;
  /** AcceptPathInfo: 'default' = let the handler decide (static files refuse). */
  readonly acceptPathInfo: 'default' | 'on' | 'off';
  readonly errorDocuments: ReadonlyMap<number, ErrorDocumentConf>;
  readonly serverSignature: 'off' | 'on' | 'email';
  readonly setHandler: string | undefined;
  readonly forceType: string | undefined;
  /** SetOutputFilter (`;`-separated names). */
  readonly outputFilters: string | undefined;
  /** 0 = unlimited. */
  readonly limitRequestBody: number;
  readonly options: ReadonlySet<OptionName>;
  /** FileETag components; default MTime Size; [] = None. */
  readonly fileETag: readonly ('inode' | 'mtime' | 'size')[];
  readonly useCanonicalName: 'off' | 'on' | 'dns';
  /** AddDefaultCharset: undefined = Off. */
  readonly defaultCharset: string | undefined;
  /** CGIPassAuth (default off). */
  readonly cgiPassAuth: boolean;
  /** CGIVar REQUEST_URI (default original-uri). */
  readonly cgiVarRequestUri: 'original-uri' | 'current-uri';
  /** EnableMMAP (default on): off keeps no file's bytes in memory (small-file-cache.ts). */
  readonly enableMMAP: boolean;
}

/** Core per-server settings the request side uses, defaults applied. */
export interface CoreServerView {
  readonly documentRoot: string;
  readonly serverName: string | undefined;
  readonly serverAliases: readonly string[];
  readonly serverAdmin: string;
  readonly keepAlive: boolean;
  /** Seconds. */
  readonly keepAliveTimeout: number;
  readonly maxKeepAliveRequests: number;
  /** Seconds. */
  readonly timeout: number;
  readonly limitRequestLine: number;
  readonly limitRequestFieldSize: number;
  readonly limitRequestFields: number;
  /** LimitInternalRecursion (AP_DEFAULT_MAX_INTERNAL_REDIRECTS / _SUBREQ_DEPTH: 10, 10). */
  readonly redirectLimit: number;
  readonly subrequestLimit: number;
  readonly errorLog: string | undefined;
  readonly logLevel: LogLevel;
  readonly moduleLogLevels: Readonly<Record<string, LogLevel>>;
}

// The IR stores the core slot as the CoreDirConf/CoreServerConf that config.ts created.
const dirSlot = (s: ModuleSlots): CoreDirConf => (s['core'] ?? createCoreDir()) as CoreDirConf;
const serverSlot = (s: ModuleSlots): CoreServerConf =>
  (s['core'] ?? createCoreServer()) as CoreServerConf;

/** FileETag words (with +/-) applied to httpd's default (MTime Size). */
function etagParts(words: readonly string[] | undefined): ('inode' | 'mtime' | 'size')[] {
  type Part = 'inode' | 'mtime' | 'size';
  if (words === undefined) return ['size', 'mtime'];
  // An absolute keyword replaces the inherited set; only +/- words adjust it.
  const set = new Set<Part>(words.some((w) => !/^[+-]/.test(w)) ? [] : ['mtime', 'size']);
  for (const w of words) {
    const k = w.replace(/^[+-]/, '').toLowerCase();
    if (k === 'none') set.clear();
    const parts: Part[] =
      k === 'all'
        ? ['inode', 'mtime', 'size']
        : k === 'inode' || k === 'mtime' || k === 'size'
          ? [k]
          : [];
    for (const p of parts) {
      if (w.startsWith('-')) set.delete(p);
      else set.add(p);
    }
  }
  return (['inode', 'size', 'mtime'] as const).filter((p) => set.has(p)); // ap_make_etag's order
}

const views = new WeakMap<object, CoreDirView>();

/** The core per-dir view of a per-dir config (cached per merged config object). */
export function coreDir(perDir: ModuleSlots): CoreDirView {
  const hit = views.get(perDir);
  if (hit !== undefined) return hit;
  const c = dirSlot(perDir);
  const docs = new Map<number, ErrorDocumentConf>();
  for (const [k, v] of Object.entries(c.errorDocuments))
    if (v.kind !== 'default') docs.set(Number(k), v);
  const none = (v: string | undefined): string | undefined => (v === 'none' ? undefined : v);
  const charset = c.addDefaultCharset;
  const view: CoreDirView = {
    allowEncodedSlashes: c.allowEncodedSlashes ?? 'off',
    mergeSlashes: c.mergeSlashes ?? true,
    acceptPathInfo: c.acceptPathInfo ?? 'default',
    errorDocuments: docs,
    serverSignature: c.serverSignature ?? 'off',
    setHandler: none(c.handler),
    forceType: none(c.forceType),
    outputFilters: c.outputFilters,
    limitRequestBody: c.limitRequestBody ?? 0,
    options: new Set(c.options.opts),
    fileETag: etagParts(c.fileETag),
    useCanonicalName: c.useCanonicalName ?? 'off',
    defaultCharset: charset === undefined || charset === 'off' ? undefined : charset,
    cgiPassAuth: c.cgiPassAuth ?? false,
    cgiVarRequestUri: c.cgiVarRequestUri ?? 'original-uri',
    enableMMAP: c.enableMMAP ?? true,
  };
  views.set(perDir, view);
  return view;
}

const serverViews = new WeakMap<object, CoreServerView>();

/** The core server view of a server's slots (cached per slots object, as coreDir). */
export function coreServer(server: ModuleSlots): CoreServerView {
  const hit = serverViews.get(server);
  if (hit !== undefined) return hit;
  const c = serverSlot(server);
  const view: CoreServerView = {
    documentRoot: c.documentRoot ?? '/usr/local/apache2/htdocs',
    serverName: c.serverName,
    serverAliases: c.serverAliases ?? [],
    serverAdmin: c.serverAdmin ?? '[no address given]',
    keepAlive: c.keepAlive ?? true,
    keepAliveTimeout: c.keepAliveTimeout ?? 5,
    maxKeepAliveRequests: c.maxKeepAliveRequests ?? 100,
    timeout: c.timeout ?? 60,
    limitRequestLine: c.limitRequestLine ?? 8190,
    limitRequestFieldSize: c.limitRequestFieldSize ?? 8190,
    limitRequestFields: c.limitRequestFields ?? 100,
    redirectLimit: c.recursionLimit?.[0] ?? 10,
    subrequestLimit: c.recursionLimit?.[1] ?? 10,
    errorLog: c.errorLog,
    logLevel: c.logLevel?.level ?? 'warn',
    moduleLogLevels: c.logLevel?.modules ?? {},
  };
  serverViews.set(server, view);
  return view;
}
