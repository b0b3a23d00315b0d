// mod_wsgi: src/server/wsgi_daemon.c (what the daemon socket carried: an environ block,
// a chunked body, a CGI response), as typed messages. Spec: docs/protocol.md.
//
// Frames (frames.ts) are bytes; these are their meaning. encode.ts turns messages into
// frames, decode.ts turns frames into messages.

/**
 * A request's environ: name → value pairs in the order they go on the wire. The handler
 * passes the Map it built (no copy); tests and stand-ins may pass a pair list.
 */
export type Environ = ReadonlyMap<string, string> | readonly (readonly [string, string])[];

/** Messages the front end sends to a worker. */
export type ToWorker =
  | {
      readonly kind: 'request';
      readonly stream: number;
      readonly body: boolean;
      readonly environ: Environ;
    }
  | { readonly kind: 'data'; readonly stream: number; readonly data: Buffer }
  | { readonly kind: 'eof'; readonly stream: number }
  | { readonly kind: 'abort'; readonly stream: number }
  | { readonly kind: 'window'; readonly stream: number; readonly increment: number }
  | { readonly kind: 'shutdown'; readonly timeoutMs: number }
  | { readonly kind: 'ping'; readonly data: Buffer }
  /** The answer to METRICS_QUERY `token`: JSON text (the scoreboard object, or `null`). */
  | { readonly kind: 'metrics'; readonly token: number; readonly json: string };

/** HELLO's JSON document. */
export interface HelloInfo {
  readonly protocol: number;
  readonly pid: number;
  readonly python: string;
  readonly executable: string;
  readonly prefix: string;
}

/** Messages a worker sends to the front end. */
export type FromWorker =
  | { readonly kind: 'hello'; readonly info: HelloInfo }
  | {
      readonly kind: 'start';
      readonly stream: number;
      readonly status: string;
      readonly headers: readonly (readonly [string, string])[];
    }
  | { readonly kind: 'data'; readonly stream: number; readonly data: Buffer }
  | { readonly kind: 'end'; readonly stream: number }
  | { readonly kind: 'error'; readonly stream: number; readonly message: string }
  | { readonly kind: 'window'; readonly stream: number; readonly increment: number }
  | {
      readonly kind: 'log';
      readonly stream: number;
      readonly level: number;
      readonly message: string;
    }
  | { readonly kind: 'pong'; readonly data: Buffer }
  /** mod_wsgi.server_metrics() asks for the scoreboard; answered by METRICS `token`. */
  | { readonly kind: 'metrics-query'; readonly token: number };

/** Environ keys whose values are UTF-8 (filesystem encoding) rather than latin-1. */
export const UTF8_ENVIRON_KEYS: ReadonlySet<string> = new Set(['SCRIPT_FILENAME', 'DOCUMENT_ROOT']);
