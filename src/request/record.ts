// httpd: include/httpd.h (request_rec)
//
// The per-request record every phase reads and writes. Per-module configs are reached
// through the module object (r.dirConf(mod), r.serverConf(mod)), never by string keys.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ModuleDef } from '../modules/module.js';

export interface RequestRecord {
  /** Raw request-target from the request line (REQUEST_URI), e.g. `/a%20b?x=1`. */
  readonly unparsedUri: string;
  readonly method: string;
  /** e.g. `HTTP/1.1`. */
  readonly protocol: string;
  /** Decoded, normalised path (r->uri). */
  uri: string;
  /** Raw query string without `?` ("" if none). */
  args: string;
  /** Mapped filesystem path (r->filename), set by translate. */
  filename: string | undefined;
  /** Trailing path after the file (r->path_info). */
  pathInfo: string;
  /** Handler name (r->handler), e.g. `wsgi-script`. */
  handler: string | undefined;
  contentType: string | undefined;
  /** Per-request environment (r->subprocess_env): SetEnv etc. */
  readonly env: Map<string, string>;
  /** Module notes (r->notes). */
  readonly notes: Map<string, string>;
  /** Lower-cased header name → values as received (node's headersDistinct). */
  readonly headersIn: IncomingMessage;
  readonly res: ServerResponse;
  /** Authenticated user (r->user) and auth type. */
  user: string | undefined;
  authType: string | undefined;
  /** Response status for logging (r->status). */
  status: number;
  /** The server (main or vhost) that was selected for this request. */
  readonly server: import('../config/ir.js').ServerIR;
  /** This module's per-dir config after the walks (ap_get_module_config(r->per_dir_config)). */
  dirConf<S, D>(mod: ModuleDef<S, D>): D;
  /** This module's server config of the selected server. */
  serverConf<S, D>(mod: ModuleDef<S, D>): S;

  // --- Additive fields (request-side helper): what httpd's request_rec/conn_rec also carry.
  /** The connection's addresses and keep-alive count (conn_rec). */
  readonly connection: ConnectionInfo;
  /** Host name the request named (r->hostname), lower-cased, port stripped; '' if none. */
  readonly hostname: string;
  /** The request line as received (r->the_request), e.g. `GET / HTTP/1.1`. */
  readonly theRequest: string;
  /** Request start, ms since the epoch (r->request_time). */
  readonly requestTime: number;
  /** True for HEAD (r->header_only). */
  readonly headerOnly: boolean;
  /** Current per-dir config of every module (r->per_dir_config). Replaced by the walks. */
  perDir: import('../config/ir.js').ModuleSlots;
  /** stat() of `filename` after map_to_storage (r->finfo); undefined = does not exist. */
  finfo: import('node:fs').Stats | undefined;
  /** The request this one was internally redirected from (r->prev). */
  readonly prev: RequestRecord | undefined;
  /** The main request of a sub-request (r->main); undefined for a main request. */
  readonly main: RequestRecord | undefined;
  /** Body bytes written to the client so far (for %b / %B). */
  readonly bytesSent: number;
  /** The generation serving this request (logs, hooks, module state). */
  readonly generation: GenerationView;
  /** Log through the error log with `[client addr:port]` added (ap_log_rerror). */
  logError(level: import('../logging/error-log.js').LogLevel, module: string, id: string, message: string): void;
}

/** The connection a request arrived on (conn_rec). */
export interface ConnectionInfo {
  readonly remoteAddr: string;
  readonly remotePort: number;
  readonly localAddr: string;
  readonly localPort: number;
  /** Requests already served on this connection before this one. */
  readonly keepalives: number;
}

/** What a request may see of its generation (server/generation.ts implements it). */
export interface GenerationView {
  readonly ir: import('../config/ir.js').ConfigIR;
  readonly log: import('../logging/error-log.js').ErrorLog;
  /** The value a module's provision() returned, for modules that keep state. */
  moduleState(name: string): unknown;
}
