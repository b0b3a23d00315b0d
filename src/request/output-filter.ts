// httpd: server/util_filter.c (ap_add_output_filter, ap_pass_brigade, ap_remove_output_filter),
// server/protocol.c (ap_content_length_filter), include/util_filter.h.
//
// The output filter chain, typed. Handlers keep writing to r.res as node's ServerResponse;
// a request that has output filters gets its r.res interposed (output-chain.ts: write /
// end / writeHead / writableLength), and only then: a request without a filter pays nothing.
//
// The filters decide when the first body bytes (or the end) reach them, so the response
// head (status, Content-Type, Content-Encoding, ETag …) is known, as httpd's filters see
// r->headers_out on their first brigade. A filter that declines removes itself (as
// ap_remove_output_filter); if every filter declines, the response goes out unchanged
// through node's own path. A filter that transforms returns a node Transform; the stages
// are piped, with backpressure, into the response ("the next filter"). What the last stage
// emits is passed on once per turn of the event loop (one "brigade"); if the whole body
// ended before anything was passed, the response gets a Content-Length, as
// ap_content_length_filter gives one when it sees EOS in its first brigade.

import type { ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import type { RequestRecord } from './record.js';
import { OutputChain } from './output-chain.js';

type Res = ServerResponse;

/** What a filter knows of the body when it first runs (its first brigade). */
export interface FirstBrigade {
  /** The body ended in this brigade (EOS seen): `length` is all of it. */
  readonly ended: boolean;
  /** Body bytes in the first brigade. */
  readonly length: number;
}

/** A transforming filter's body stage (its ctx once initialised). */
export interface BodyStage {
  readonly stream: Transform;
  /** A FLUSH bucket: push out what is buffered, then call `done`. */
  flush?(done: () => void): void;
}

/**
 * An output filter a module registers (ap_register_output_filter). `start` runs once per
 * request at the first brigade; it may edit the response head on `r.res` (setHeader /
 * removeHeader, statusCode). Undefined = the filter removes itself.
 */
export interface OutputFilterDef {
  start(r: RequestRecord, first: FirstBrigade): BodyStage | undefined;
  /**
   * Where the filter sits (ap_filter_type: AP_FTYPE_RESOURCE 10, CONTENT_SET 20, …):
   * a request's filters run in ascending order, ties in the order they were added.
   */
  readonly ftype: number;
}

/** httpd's ap_filter_type values. */
export const FTYPE = {
  RESOURCE: 10,
  CONTENT_SET: 20,
  PROTOCOL: 30,
  TRANSCODE: 40,
  CONNECTION: 50,
  NETWORK: 60,
} as const;

/** One filter added to a request: its name (for logs) and definition. */
export interface AddedFilter {
  readonly name: string;
  readonly def: OutputFilterDef;
}

const chains = new WeakMap<Res, OutputChain>();
/** Filters added to a request before its handler runs (r->output_filters being built). */
const pending = new WeakMap<RequestRecord, (AddedFilter | string)[]>();

/**
 * ap_add_output_filter by name (`;`-separated list): resolved when the handler is about to
 * run, against the modules of the request's generation.
 */
export function addOutputFilters(r: RequestRecord, list: string): void {
  const names = list.split(';').filter((n) => n !== '');
  if (names.length === 0) return;
  const p = pending.get(r);
  if (p === undefined) pending.set(r, names);
  else p.push(...names);
}

/**
 * ap_internal_fast_redirect: `r` takes over the filters its sub-request `rr` added (mod_mime's
 * AddOutputFilter on the DirectoryIndex file), replacing its own.
 */
export function takeOutputFilters(rr: RequestRecord, r: RequestRecord): void {
  const p = pending.get(rr);
  pending.delete(r);
  if (p === undefined) return;
  pending.delete(rr);
  pending.set(r, p);
}

/** ap_add_output_filter_handle: a filter object of the caller's own (mod_filter's harness). */
export function addOutputFilter(r: RequestRecord, filter: AddedFilter): void {
  const p = pending.get(r);
  if (p === undefined) pending.set(r, [filter]);
  else p.push(filter);
}

/**
 * After the insert_filter phase: resolve the names added, log the unknown ones (AH00082,
 * as ap_add_output_filter does), and interpose on r.res if any filter is left.
 */
export function commitOutputFilters(r: RequestRecord): void {
  const p = pending.get(r);
  if (p === undefined) return;
  pending.delete(r);
  const out: AddedFilter[] = [];
  for (const f of p) {
    if (typeof f !== 'string') {
      out.push(f);
      continue;
    }
    const key = f.toLowerCase();
    let def: OutputFilterDef | undefined;
    for (const m of r.generation.runtime.modules) {
      const table = m.outputFilters;
      if (table !== undefined && Object.hasOwn(table, key)) {
        def = table[key];
        break;
      }
    }
    if (def === undefined)
      r.logError('error', 'core', 'AH00082', `an unknown filter was not added: ${f}`);
    else out.push({ name: f, def });
  }
  installOutputFilters(r, out);
}

/** Does `res` carry an output filter chain that has not decided yet (or is transforming)? */
export function hasOutputFilters(res: Res): boolean {
  return chains.has(res);
}

/** Body bytes already went into a transforming chain (so the head is as good as sent). */
export function outputStarted(res: Res): boolean {
  return chains.get(res)?.started === true;
}

/**
 * Add `filters` to r's response (the insert_filter phase). Replaces a chain left by the
 * request this one was redirected from. No filters: nothing is interposed.
 */
export function installOutputFilters(r: RequestRecord, filters: readonly AddedFilter[]): void {
  dropOutputFilters(r.res);
  if (filters.length === 0) return;
  // ap_add_output_filter inserts by type: stable, so equal types keep their order.
  const ordered = [...filters].sort((a, b) => a.def.ftype - b.def.ftype);
  const res = r.res;
  const chain = new OutputChain(r, ordered, () => chains.delete(res));
  chains.set(r.res, chain);
}

/**
 * Take the chain off `res` before it started (ap_send_error_response resets the filters to
 * the protocol ones; an internal redirect builds its own chain).
 */
export function dropOutputFilters(res: Res): void {
  const chain = chains.get(res);
  if (chain === undefined || chain.started) return;
  chain.uninstall();
}

/**
 * A FLUSH bucket after what the handler wrote (mod_wsgi flushes after every write): a
 * transforming chain pushes its buffered output now. No chain: nothing to do.
 */
export function flushOutput(res: Res): void {
  chains.get(res)?.flush();
}

/**
 * Run the filters' decision now, before the body (a handler that knows the whole body up
 * front, as default_handler passing one file bucket and EOS). True if some filter will
 * transform the body; false if none does (the chain is gone, the response is unfiltered).
 */
export function startOutputFilters(res: Res, first: FirstBrigade): boolean {
  const chain = chains.get(res);
  if (chain === undefined) return false;
  chain.start(first);
  return chain.started;
}
